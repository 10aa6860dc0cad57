#!/usr/bin/env bash
# Reliability of `sdesk archive sync` (bench/archive_kill.py; prints what it did and PASS/FAIL):
# 20 SIGKILLs during a first sync of 100,000 records, then one more sync -> exactly 100,000
# unique records and PRAGMA integrity_check = ok; two syncs on one SQLite file at once; and the
# kill test on PostgreSQL.
#
#   scripts/kill-test.sh              # SQLite (kill test, concurrent syncs)
#   scripts/kill-test.sh --postgres   # the same, plus the kill test on a throw-away PostgreSQL
#
# Environment: RECORDS (100000), KILLS (20), SEED, LATENCY_MS (5), PARTS (kill,concurrent,
# postgres), SDESK_CARGO_FLAGS (extra cargo arguments), NO_BUILD=1 (use SDESK_BIN/SANDBOX_BIN).
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-target}
if [[ -z "${NO_BUILD:-}" ]]; then
  # shellcheck disable=SC2086
  cargo build --release --locked ${SDESK_CARGO_FLAGS:-} -p sdesk-cli -p sdesk-sandbox
fi
# Copies, so that another build in the same target directory cannot swap them mid-test.
bin=$(mktemp -d "${TMPDIR:-/tmp}/sdesk-kill-bin.XXXXXX")
trap 'rm -rf "$bin"' EXIT
cp "${SDESK_BIN:-$target/release/sdesk}" "$bin/sdesk"
cp "${SANDBOX_BIN:-$target/release/sdesk-sandbox}" "$bin/sdesk-sandbox"
export SDESK_BIN=$bin/sdesk SANDBOX_BIN=$bin/sdesk-sandbox
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
if [[ "${1:-}" == "--postgres" ]]; then
  scripts/with-postgres.sh python3 bench/archive_kill.py
else
  PARTS=${PARTS:-kill,concurrent} python3 bench/archive_kill.py
fi
