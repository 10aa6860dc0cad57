#!/usr/bin/env bash
# The live desk left alone (issue 8, item 9 a/b), not part of CI's pass/fail:
#   scripts/bench-live.sh idle     # CPU of the process tree, signed in, hidden, 5 min (<= 1 %)
#   scripts/bench-live.sh growth   # RSS growth over 60 min of 1-second refreshes (<= 5 MiB)
# SD_APP (default target/release/supporter-desk), BENCH_LIVE_MINUTES. See bench/live_bench.py.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:?idle or growth}
"$root/scripts/deps.sh" build xvfb xauth x11-utils dbus dbus-x11 at-spi2-core >/dev/null
export SD_APP=${SD_APP:-${CARGO_TARGET_DIR:-$root/target}/release/supporter-desk}
[[ -x "$SD_APP" ]] || { echo "build it first: cargo build --release --features tauri/custom-protocol -p supporter-desk" >&2; exit 2; }
tmp=$(mktemp -d /tmp/sdesk-live.XXXXXX)
export BENCH_DIR="${BENCH_DIR:-$root/target/bench-app}"
mkdir -p "$BENCH_DIR"
export HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/home/.config" XDG_DATA_HOME="$tmp/home/.local/share" \
       XDG_CACHE_HOME="$tmp/home/.cache" XDG_RUNTIME_DIR="$tmp/run" SDESK_CONFIG_DIR="$tmp/config" \
       SDESK_DATA_DIR="$tmp/data" SDESK_NO_REGISTER=1 NO_AT_BRIDGE=1 LANG=C.UTF-8
mkdir -p "$HOME" "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
unset DBUS_SESSION_BUS_ADDRESS WAYLAND_DISPLAY
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$tmp/display" >/dev/null 2>&1 &
xpid=$!
trap 'kill $xpid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 1 100); do [[ -s "$tmp/display" ]] && break; sleep 0.05; done
export DISPLAY=":$(tr -d '[:space:]' <"$tmp/display")"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); app: $SD_APP" >&2
dbus-run-session -- python3 "$root/bench/live_bench.py" "$mode"
