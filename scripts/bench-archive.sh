#!/usr/bin/env bash
# The archive's benchmarks (not part of CI's pass/fail); prints figures. See bench/README.md.
#   (a) first sync of 100,000 records from the sandbox into a new archive vs one sequential
#       curl of the same pages (target <= 1.3x)
#   (b) incremental sync of 1,000 new records into an archive of 1,000,000: time (target <= 1 s)
#       and report requests (target <= 2)
#
#   scripts/bench-archive.sh              # SQLite
#   scripts/bench-archive.sh --postgres   # SQLite and PostgreSQL (a throw-away cluster,
#                                         # scripts/with-postgres.sh)
#
# Knobs (environment): BENCH_ONLY=a|b, BENCH_RUNS (3), BENCH_RECORDS (100000), BENCH_ARCHIVE
# (1000000), BENCH_NEW (1000), BENCH_OVERLAPS_MIN (extra incremental runs with these overlaps in
# minutes, e.g. "60,180"), SDESK_CARGO_FLAGS (extra cargo arguments, e.g. --config options).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v curl >/dev/null || { echo "curl is needed" >&2; exit 1; }
# shellcheck disable=SC2086
cargo bench --locked ${SDESK_CARGO_FLAGS:-} -p sdesk-archive --bench archive --no-run
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
if [[ "${1:-}" == "--postgres" ]]; then
  # shellcheck disable=SC2016,SC2086
  exec scripts/with-postgres.sh bash -c \
    'SDESK_BENCH_POSTGRES_URL=$SDESK_TEST_POSTGRES_URL cargo bench --locked '"${SDESK_CARGO_FLAGS:-}"' -p sdesk-archive --bench archive'
fi
# shellcheck disable=SC2086
cargo bench --locked ${SDESK_CARGO_FLAGS:-} -p sdesk-archive --bench archive
