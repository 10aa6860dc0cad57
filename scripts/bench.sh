#!/usr/bin/env bash
# Benchmarks (not part of CI's pass/fail). Prints figures; run on an otherwise idle machine.
#   1. criterion: filter+sort of 100,000 records, CSV export of 100,000 records, fetch of
#      100,000 records from the sandbox on loopback (crates/core/benches/engine.rs)
#   2. scripts/bench_compare.py: the same 100 pages fetched by one sequential curl, the
#      end-to-end `sdesk reports export`, and Python's csv module writing the same rows.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh build
command -v curl >/dev/null || { echo "curl is needed" >&2; exit 1; }
cargo build --release --locked -p sdesk-sandbox -p sdesk-cli
cargo bench --locked -p sdesk-core --bench engine
python3 scripts/bench_compare.py
