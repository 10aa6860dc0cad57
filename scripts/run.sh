#!/usr/bin/env bash
# Runs the Supporter Desk desktop app (debug build). With no TeamViewer app configured it starts
# in sandbox mode: a built-in TeamViewer simulator on loopback, labelled "Sandbox".
# Installs the build dependencies first (Debian/Ubuntu via apt; npm packages for the UI).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/deps.sh" build
if [[ ! -d "$here/ui/node_modules" || "$here/ui/package-lock.json" -nt "$here/ui/node_modules/.package-lock.json" ]]; then
  npm --prefix "$here/ui" ci --no-audit --no-fund
fi
npm --prefix "$here/ui" run build >/dev/null
exec cargo run --quiet --locked --manifest-path "$here/Cargo.toml" -p supporter-desk -- "$@"
