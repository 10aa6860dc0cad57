#!/usr/bin/env bash
# End-to-end tests of the real Supporter Desk binary: Xvfb + a private D-Bus session with an
# unlocked gnome-keyring + tauri-driver/WebKitWebDriver, driven by WebdriverIO from `node --test`
# (e2e/*.test.mjs). Everything runs with HOME and XDG_* in a throw-away directory, and every
# process the run started is stopped at the end (tauri-driver with SIGTERM, never SIGKILL).
#
# Usage: scripts/e2e.sh [--no-build] [--keep] [--screenshots DIR] [TEST_FILE...]
#   --no-build        use $APP (default target/debug/supporter-desk) as it is
#   --keep            keep the temporary HOME (open log, exported CSV, settings) for inspection
#   --screenshots DIR where the tests save their window screenshots (default target/e2e/screenshots;
#                     `--screenshots docs/screenshots` refreshes the README pictures)
# Environment: APP=<binary> to test another build (e.g. target/release/… — but the test hooks
#   SDESK_TEST_OPEN_LOG/SDESK_TEST_SAVE_PATH exist only in debug builds), E2E_RECORDS (sandbox size
#   for the connection-log test, default 10000), E2E_ARRIVAL_SECS (sandbox customer arrival period,
#   default 3), SDESK_TOOLS_DIR (tauri-driver, default target/tools).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
self="$root/scripts/e2e.sh"

# ----------------------------------------------------------------------------------------------
# Inner part: runs inside `dbus-run-session` (started by the outer part below).
# ----------------------------------------------------------------------------------------------
if [[ "${1:-}" == --inner ]]; then
  shift
  art=$E2E_ARTIFACTS
  # Secret Service: gnome-keyring in the foreground (so its PID is ours), fresh keyring dir, unlocked.
  echo -n e2e-password | gnome-keyring-daemon --foreground --unlock --components=secrets >"$art/keyring.log" 2>&1 &
  kpid=$!
  for _ in $(seq 1 50); do
    dbus-send --session --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.NameHasOwner \
      string:org.freedesktop.secrets 2>/dev/null | grep -q true && break
    sleep 0.1
  done
  "$E2E_TAURI_DRIVER" --port "$TAURI_DRIVER_PORT" --native-port "$E2E_NATIVE_PORT" >"$art/tauri-driver.log" 2>&1 &
  tpid=$!
  stop() {
    # SIGTERM lets tauri-driver stop WebKitWebDriver itself; SIGKILL would orphan it.
    kill -TERM "$tpid" 2>/dev/null && wait "$tpid" 2>/dev/null
    kill -TERM "$kpid" 2>/dev/null && wait "$kpid" 2>/dev/null
    true
  }
  trap stop EXIT
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$TAURI_DRIVER_PORT") 2>/dev/null && break
    sleep 0.1
  done
  cd "$root/e2e"
  node --test --test-concurrency=1 --test-reporter=spec "$@"
  exit $?
fi

# ----------------------------------------------------------------------------------------------
# Outer part: dependencies, tools, build, isolation, Xvfb, then the inner part under D-Bus.
# ----------------------------------------------------------------------------------------------
build=1 keep=0 shots="$root/target/e2e/screenshots" files=()
while (($#)); do
  case "$1" in
    --no-build) build=0 ;;
    --keep) keep=1 ;;
    --screenshots) shift; shots=$(realpath -m "$1") ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) files+=("$(realpath -m "$1")") ;;
  esac
  shift
done
if ((${#files[@]} == 0)); then files=("$root"/e2e/*.test.mjs); fi
t0=$(date +%s%N)
stage() { printf '\n== e2e: %s (%s)\n' "$1" "$(date +%T)"; }

stage "dependencies"
want=(xvfb xauth x11-utils dbus dbus-x11 at-spi2-core libglib2.0-bin webkit2gtk-driver gnome-keyring
      libsecret-tools imagemagick xdotool xdg-utils fonts-noto-color-emoji)
"$root/scripts/deps.sh" build "${want[@]}"
command -v node >/dev/null || { echo "e2e: node (>= 20) is needed" >&2; exit 1; }

tools=${SDESK_TOOLS_DIR:-$root/target/tools}
export E2E_TAURI_DRIVER="$tools/bin/tauri-driver"
if [[ ! -x "$E2E_TAURI_DRIVER" ]]; then
  stage "tauri-driver (cargo install, ~30 s)"
  # ^2: crates.io also serves a 3.0 alpha that must not be picked.
  cargo install tauri-driver --version '^2' --locked --root "$tools"
fi
if [[ ! -d "$root/e2e/node_modules/webdriverio" || "$root/e2e/package-lock.json" -nt "$root/e2e/node_modules/.package-lock.json" ]]; then
  stage "npm ci (e2e)"
  npm --prefix "$root/e2e" ci --no-audit --no-fund
fi

export APP=${APP:-$root/target/debug/supporter-desk}
if ((build)); then
  stage "build (ui + debug app)"
  # ui/dist is embedded at compile time. Rebuild it only when the UI sources are newer: a
  # needless rebuild touches ui/dist and makes cargo recompile the app crate.
  if [[ -f "$root/ui/package.json" ]]; then
    if [[ ! -f "$root/ui/dist/index.html" ]] || [[ -n "$(find "$root/ui/src" "$root/ui/index.html" "$root/ui/package.json" \
         "$root/ui/package-lock.json" "$root/ui/vite.config.ts" -newer "$root/ui/dist/index.html" 2>/dev/null | head -1)" ]]; then
      [[ -d "$root/ui/node_modules" ]] || npm --prefix "$root/ui" ci --no-audit --no-fund
      npm --prefix "$root/ui" run build
    fi
  fi
  # Same feature resolution as `cargo test --workspace` (dev-dependencies active), so after the
  # test run this only links the binaries instead of recompiling tauri without its `test` feature.
  (cd "$root" && cargo build --workspace --all-targets --locked)
fi
[[ -x "$APP" ]] || { echo "e2e: no app binary at $APP (build it or drop --no-build)" >&2; exit 1; }

stage "run"
tmp=$(mktemp -d /tmp/sdesk-e2e.XXXXXX)
run_id="sdesk-e2e-$$-$RANDOM"
art="$root/target/e2e"
mkdir -p "$art" "$shots"
rm -f "$art"/*.log "$art"/failure-*.png
xpid=""
cleanup() {
  local rc=$?
  # Anything still running that this run started (the app, WebKit helpers, at-spi on our bus…)
  # carries our marker in its environment: stop exactly those, by PID.
  local left=()
  for d in /proc/[0-9]*; do
    [[ -r "$d/environ" ]] || continue
    if { tr '\0' '\n' <"$d/environ"; } 2>/dev/null | grep -qx "SDESK_E2E_RUN=$run_id"; then left+=("${d#/proc/}"); fi
  done
  if ((${#left[@]})); then
    echo "e2e: stopping leftover processes: $(for p in "${left[@]}"; do printf '%s(%s) ' "$p" "$(cat /proc/$p/comm 2>/dev/null)"; done)" >&2
    kill -TERM "${left[@]}" 2>/dev/null || true
    sleep 1
    for p in "${left[@]}"; do kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null; done
  fi
  [[ -n "$xpid" ]] && kill -TERM "$xpid" 2>/dev/null && wait "$xpid" 2>/dev/null
  if ((keep)); then echo "e2e: kept $tmp" >&2; else rm -rf "$tmp"; fi
  local ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  printf 'e2e: finished in %d.%d s (rc=%d); logs in %s\n' $((ms / 1000)) $((ms % 1000 / 100)) "$rc" "$art" >&2
  exit "$rc"
}
trap cleanup EXIT

# Isolation: the app, WebKit, GTK and gnome-keyring write under HOME/XDG_*; cargo/rustup do not run here.
export HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/home/.config" XDG_DATA_HOME="$tmp/home/.local/share" \
       XDG_CACHE_HOME="$tmp/home/.cache" XDG_STATE_HOME="$tmp/home/.local/state" XDG_RUNTIME_DIR="$tmp/run"
mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
unset DBUS_SESSION_BUS_ADDRESS WAYLAND_DISPLAY
export NO_AT_BRIDGE=1 LANG=${E2E_LANG:-C.UTF-8} LANGUAGE=en
# The app's debug-build test hooks (see e2e/README.md).
export SDESK_TEST_OPEN_LOG="$tmp/open.log" SDESK_TEST_SAVE_PATH="$tmp/export.csv" \
       SDESK_CONFIG_DIR="$tmp/config" SDESK_NO_REGISTER=1
# Waiting customers (e2e/30-waiting.test.mjs): notifications and tray changes go to files, and
# the sandbox brings a customer online every few seconds.
export SDESK_TEST_NOTIFY_LOG="$tmp/notify.log" SDESK_TEST_TRAY_LOG="$tmp/tray.log" \
       SDESK_SANDBOX_ARRIVAL_SECS=${E2E_ARRIVAL_SECS:-3}
# The archive offline (e2e/50-offline.test.mjs): while this file exists the built-in sandbox is
# off the network; the test creates and removes it.
export SDESK_TEST_SANDBOX_OFFLINE="$tmp/sandbox-offline"
export E2E_RECORDS=${E2E_RECORDS:-10000}
export SDESK_SANDBOX_RECORDS=$E2E_RECORDS
# The sandbox's script token (default seed), for the tests' fallback sign-in when OAuth fails.
if [[ -z "${E2E_SCRIPT_TOKEN:-}" && -x "$root/target/debug/sdesk-sandbox" ]]; then
  "$root/target/debug/sdesk-sandbox" --records 1 >"$tmp/sandbox.out" 2>&1 &
  spid=$!
  for _ in $(seq 1 50); do grep -q '^Script token:' "$tmp/sandbox.out" && break; sleep 0.1; done
  kill -TERM "$spid" 2>/dev/null; wait "$spid" 2>/dev/null || true
  E2E_SCRIPT_TOKEN=$(sed -n 's/^Script token: //p' "$tmp/sandbox.out")
fi
export E2E_SCRIPT_TOKEN=${E2E_SCRIPT_TOKEN:-}
export E2E_SCREENSHOTS="$shots" E2E_ARTIFACTS="$art" E2E_TMP="$tmp"
mkdir -p "$SDESK_CONFIG_DIR"
: >"$SDESK_TEST_OPEN_LOG"

free_port() { node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
export TAURI_DRIVER_PORT=$(free_port) E2E_NATIVE_PORT=$(free_port)

# Xvfb picks a free display itself and reports it on fd 3.
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$tmp/display" >"$art/xvfb.log" 2>&1 &
xpid=$!
for _ in $(seq 1 100); do [[ -s "$tmp/display" ]] && break; sleep 0.05; done
export DISPLAY=":$(tr -d '[:space:]' <"$tmp/display")"
for _ in $(seq 1 50); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done
echo "e2e: APP=$APP DISPLAY=$DISPLAY tauri-driver :$TAURI_DRIVER_PORT home=$tmp" >&2

set +e
env SDESK_E2E_RUN="$run_id" dbus-run-session -- "$self" --inner "${files[@]}" 2> >(grep -vE "Failed to set fd limit|^dbus-daemon\[|SpiRegistry daemon" >&2)
rc=$?
set -e
exit $rc
