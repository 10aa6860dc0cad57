#!/usr/bin/env bash
# App benchmarks (not part of CI's pass/fail): Supporter Desk vs a bare Tauri hello world
# (bench/hello), both release builds as `tauri build` makes them, under Xvfb. Prints a table:
#   (i)   launch → first painted window (median of 5 runs after 1 warm-up; target ≤ 1.2× hello)
#   (ii)  idle RSS/PSS of the process tree 3 s after the window appeared (target ≤ 1.2× hello)
#   (iii) keystroke → repaint in the log filter with 100,000 rows loaded (median, p95; ≤ 50 ms)
# Definitions: see the header of bench/app-bench.mjs and bench/README.md. Run on an otherwise
# idle machine. Under Xvfb WebKit composites with software GL (llvmpipe);
# WEBKIT_DISABLE_COMPOSITING_MODE=1 measures its non-composited path instead (see the README).
#
#   (iv)  launch → first rows of the archive with 1,000,000 records archived (--only archive;
#         target ≤ 1.3× the hello world's launch to its first paint)
#   (v)   Insight tab opened → charts painted, 90 days, 1,000,000 archived (--only insight;
#         target ≤ 150 ms; BENCH_APPS=sd, the hello world has no such tab)
# Usage: scripts/bench-app.sh [--no-build] [--only launch|keys|frames|archive|insight]
# Environment: BENCH_RUNS (5), BENCH_KEYS_RECORDS (100000), BENCH_KEY_ROUNDS (6 rounds of 18 keys), SD_APP/HELLO_APP (binaries to measure
# instead of target/release/…; with --no-build), BENCH_SDESK (the CLI that fills the archive for
# (iv) and (v); its schema must be one the app reads). Results: target/bench-app/results.json
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
self="$root/scripts/bench-app.sh"

if [[ "${1:-}" == --inner ]]; then
  shift
  echo -n bench-password | gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1 &
  kpid=$!
  for _ in $(seq 1 50); do
    dbus-send --session --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.NameHasOwner \
      string:org.freedesktop.secrets 2>/dev/null | grep -q true && break
    sleep 0.1
  done
  "$BENCH_TAURI_DRIVER" --port "$TAURI_DRIVER_PORT" --native-port "$BENCH_NATIVE_PORT" >"$BENCH_DIR/tauri-driver.log" 2>&1 &
  tpid=$!
  trap 'kill -TERM $tpid 2>/dev/null && wait $tpid 2>/dev/null; kill -TERM $kpid 2>/dev/null && wait $kpid 2>/dev/null; true' EXIT
  for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$TAURI_DRIVER_PORT") 2>/dev/null && break; sleep 0.1; done
  node "$root/bench/app-bench.mjs"
  exit $?
fi

build=1
while (($#)); do
  case "$1" in
    --no-build) build=0 ;;
    --only) shift; export BENCH_ONLY=$1 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
stage() { printf '\n== bench-app: %s (%s)\n' "$1" "$(date +%T)"; }

stage "dependencies"
want=(xvfb xauth x11-utils xdotool dbus dbus-x11 at-spi2-core webkit2gtk-driver gnome-keyring coreutils)
"$root/scripts/deps.sh" build "${want[@]}"
tools=${SDESK_TOOLS_DIR:-$root/target/tools}
export BENCH_TAURI_DRIVER="$tools/bin/tauri-driver"
[[ -x "$BENCH_TAURI_DRIVER" ]] || cargo install tauri-driver --version '^2' --locked --root "$tools"
[[ -d "$root/e2e/node_modules/webdriverio" ]] || npm --prefix "$root/e2e" ci --no-audit --no-fund

target=${CARGO_TARGET_DIR:-$root/target}
export SD_APP=${SD_APP:-$target/release/supporter-desk} HELLO_APP=${HELLO_APP:-$target/release/hello-tauri}
if ((build)); then
  stage "release builds (what \`tauri build\` compiles: --release --features tauri/custom-protocol)"
  if [[ -f "$root/ui/package.json" ]]; then   # ui/dist is embedded; rebuild only when stale
    if [[ ! -f "$root/ui/dist/index.html" ]] || [[ -n "$(find "$root/ui/src" "$root/ui/index.html" "$root/ui/package.json" \
         "$root/ui/package-lock.json" "$root/ui/vite.config.ts" -newer "$root/ui/dist/index.html" 2>/dev/null | head -1)" ]]; then
      [[ -d "$root/ui/node_modules" ]] || npm --prefix "$root/ui" ci --no-audit --no-fund
      npm --prefix "$root/ui" run build
    fi
  fi
  (cd "$root" && cargo build --release --locked --features tauri/custom-protocol --bin supporter-desk -p supporter-desk)
  (cd "$root" && cargo build --release --locked -p sdesk-sandbox)
  # The hello app is its own workspace; it shares the target dir so the tauri crates it has in
  # common with the app are compiled once.
  (cd "$root/bench/hello" && CARGO_TARGET_DIR="$target" cargo build --release --locked --features tauri/custom-protocol)
fi
for b in "$SD_APP" "$HELLO_APP"; do [[ -x "$b" ]] || echo "bench-app: warning: missing $b (build without --no-build)" >&2; done

tmp=$(mktemp -d /tmp/sdesk-bench.XXXXXX)
export BENCH_DIR="$root/target/bench-app" BENCH_OUT="$root/target/bench-app/results.json"
mkdir -p "$BENCH_DIR"
xpid=""
run_id="sdesk-bench-$$-$RANDOM"
cleanup() {
  local rc=$? left=()
  for d in /proc/[0-9]*; do
    if { tr '\0' '\n' <"$d/environ"; } 2>/dev/null | grep -qx "SDESK_BENCH_RUN=$run_id"; then left+=("${d#/proc/}"); fi
  done
  ((${#left[@]})) && { kill -TERM "${left[@]}" 2>/dev/null || true; sleep 1; kill -KILL "${left[@]}" 2>/dev/null || true; }
  [[ -n "$xpid" ]] && kill -TERM "$xpid" 2>/dev/null && wait "$xpid" 2>/dev/null
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT

# The sandbox's script token (default seed) for signing in to the release app.
sandbox_bin="$target/release/sdesk-sandbox"; [[ -x "$sandbox_bin" ]] || sandbox_bin="$target/debug/sdesk-sandbox"
"$sandbox_bin" --records 1 >"$tmp/sandbox.out" 2>&1 &
spid=$!
for _ in $(seq 1 50); do grep -q '^Script token:' "$tmp/sandbox.out" && break; sleep 0.1; done
kill -TERM "$spid" 2>/dev/null; wait "$spid" 2>/dev/null || true
export BENCH_SCRIPT_TOKEN=$(sed -n 's/^Script token: //p' "$tmp/sandbox.out")

export HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/home/.config" XDG_DATA_HOME="$tmp/home/.local/share" \
       XDG_CACHE_HOME="$tmp/home/.cache" XDG_STATE_HOME="$tmp/home/.local/state" XDG_RUNTIME_DIR="$tmp/run"
mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
unset DBUS_SESSION_BUS_ADDRESS WAYLAND_DISPLAY
export NO_AT_BRIDGE=1 LANG=C.UTF-8 LANGUAGE=en SDESK_NO_REGISTER=1 SDESK_CONFIG_DIR="$tmp/config"
# For the keystroke benchmark's instance (started by tauri-driver with this environment); the
# launch/memory runs drop it and measure the default sandbox size.
export SDESK_SANDBOX_RECORDS=${BENCH_KEYS_RECORDS:-100000}
free_port() { node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }

# (iv) launch → first rows of the archive: an archive of BENCH_ARCHIVE_RECORDS (1,000,000) over
# BENCH_ARCHIVE_DAYS (1,825: five years of an office) synced with the release CLI from a sandbox
# process into this HOME's data directory, where the release app opens it (not timed).
if [[ "${BENCH_ONLY:-}" == archive || "${BENCH_ONLY:-}" == insight ]]; then
  unset SDESK_SANDBOX_RECORDS   # the app's own sandbox keeps its default size
  export BENCH_ARCHIVE_RECORDS=${BENCH_ARCHIVE_RECORDS:-1000000}
  stage "archive of $BENCH_ARCHIVE_RECORDS records over ${BENCH_ARCHIVE_DAYS:-1825} days"
  sdesk_bin=${BENCH_SDESK:-$target/release/sdesk}   # the CLI whose archive schema the app reads
  [[ -x "$sdesk_bin" ]] || (cd "$root" && cargo build --release --locked -p sdesk-cli)
  aport=$(free_port)
  "$sandbox_bin" --port "$aport" --records "$BENCH_ARCHIVE_RECORDS" --report-days "${BENCH_ARCHIVE_DAYS:-1825}" >"$tmp/archive-sandbox.out" 2>&1 &
  apid=$!
  for _ in $(seq 1 600); do grep -q '^Script token:' "$tmp/archive-sandbox.out" && break; sleep 0.1; done
  SDESK_TOKEN=$(sed -n 's/^Script token: //p' "$tmp/archive-sandbox.out") \
    "$sdesk_bin" --api-url "http://127.0.0.1:$aport" archive sync
  kill -TERM "$apid" 2>/dev/null; wait "$apid" 2>/dev/null || true
  "$sdesk_bin" archive stats
fi
export TAURI_DRIVER_PORT=$(free_port) BENCH_NATIVE_PORT=$(free_port)

Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$tmp/display" >/dev/null 2>&1 &
xpid=$!
for _ in $(seq 1 100); do [[ -s "$tmp/display" ]] && break; sleep 0.05; done
export DISPLAY=":$(tr -d '[:space:]' <"$tmp/display")"
for _ in $(seq 1 50); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done

stage "measure (DISPLAY=$DISPLAY, $(nproc) cores)"
env SDESK_BENCH_RUN="$run_id" dbus-run-session -- "$self" --inner 2> >(grep -vE "Failed to set fd limit|^dbus-daemon\[|SpiRegistry daemon" >&2)
