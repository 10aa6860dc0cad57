#!/usr/bin/env bash
# Runs Supporter Desk. Installs the build dependencies first (Debian/Ubuntu, via apt).
# For now this is the `sdesk` CLI; with no arguments it runs against the built-in TeamViewer
# simulator and exports its connection reports to sandbox-reports.csv.
#   scripts/run.sh                      # sandbox demo export
#   scripts/run.sh --sandbox account    # any sdesk arguments
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/deps.sh" build
if (($# == 0)); then
  set -- --sandbox reports export --out sandbox-reports.csv
  echo "Running: sdesk $* (the built-in TeamViewer simulator)" >&2
fi
exec cargo run --quiet --locked --manifest-path "$here/Cargo.toml" -p sdesk-cli -- "$@"
