#!/usr/bin/env bash
# Every check of ui/, as CI runs it: clean install from the lockfile, type check, unit tests
# (vitest + happy-dom), production build, browser tests (headless Chromium with a mocked IPC,
# serving dist/ with the app's CSP). Installs Debian's chromium when it is missing (needs root
# or sudo). Usage: ui/scripts/test-all.sh   (from anywhere)
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n== ui: %s (%s)\n' "$1" "$(date +%T)"; }

step "npm ci"
npm ci --no-audit --no-fund

step "type check"
npm run typecheck

step "unit tests"
npm test

step "build"
npm run build

step "browser tests"
chromium_path="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$chromium_path" ]; then
  echo "chromium not found at $chromium_path; installing Debian's chromium"
  install=(apt-get install -y --no-install-recommends chromium)
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "error: need root or sudo to install chromium" >&2; exit 1; }
    sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive "${install[@]}"
  else
    apt-get update && DEBIAN_FRONTEND=noninteractive "${install[@]}"
  fi
fi
# Chromium writes into $HOME; the harness gives it a throw-away one.
CHROMIUM_PATH="$chromium_path" npm run test:browser

step "done"
echo "ui: all checks passed"
