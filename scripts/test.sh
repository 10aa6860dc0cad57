#!/usr/bin/env bash
# Runs every check and test of Supporter Desk, as CI does. Installs what it needs first.
# Usage: scripts/test.sh            (from anywhere; needs root or sudo for apt on a fresh machine)
set -euo pipefail
# Nothing here reads a terminal; a closed stdin keeps tools (and whatever a child process writes
# to an inherited descriptor) from feeding stray bytes to rustc and friends.
exec </dev/null
cd "$(dirname "$0")/.."
root=$PWD
stage() { printf '\n== %s (%s)\n' "$1" "$(date +%T)"; }

stage "dependencies"
scripts/deps.sh test

# Tests never touch the real home: HOME and XDG_* point into a throw-away directory, while cargo
# and rustup keep using the real toolchain.
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}" RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
export npm_config_cache="${npm_config_cache:-$HOME/.npm}"
sandbox_home=$(mktemp -d)
trap 'rm -rf "$sandbox_home"' EXIT
export HOME="$sandbox_home" XDG_CONFIG_HOME="$sandbox_home/.config" XDG_DATA_HOME="$sandbox_home/.local/share" \
       XDG_CACHE_HOME="$sandbox_home/.cache" XDG_RUNTIME_DIR="$sandbox_home/run" NO_AT_BRIDGE=1
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
export CARGO_TERM_COLOR=never RUST_BACKTRACE=1

stage "format"
cargo fmt --all --check

stage "ui: install, type check, unit tests, build, browser tests (headless Chromium)"
# Builds ui/dist first: the app embeds it at compile time.
ui/scripts/test-all.sh

stage "lint"
cargo clippy --workspace --all-targets --locked -- -D warnings
# Windows: the cfg(windows) code (keyring's Windows store, the app's Windows paths) compiles and
# lints too. macOS cannot be checked here: there is no macOS SDK on Linux.
cargo clippy --workspace --all-targets --locked --target x86_64-pc-windows-gnu -- -D warnings
# The API docs build without broken or private links.
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked --quiet

stage "supply chain: cargo deny (advisories from the committed snapshot, bans, licenses, sources)"
scripts/deny.sh

stage "rust tests (core, sandbox, CLI, archive on SQLite and PostgreSQL, desk, app wiring on the mock runtime)"
# Real Secret Service: a private D-Bus session with an unlocked gnome-keyring, so the keyring
# store is tested against the real backend, not only through the in-memory fake.
# The archive's PostgreSQL tests run against a throw-away cluster (scripts/with-postgres.sh
# installs Debian's postgresql when missing and sets SDESK_TEST_POSTGRES_REQUIRED=1, so they
# cannot skip).
dbus-run-session -- "$root/scripts/with-keyring.sh" "$root/scripts/with-postgres.sh" \
  env SDESK_TEST_REAL_KEYRING=1 cargo test --workspace --locked

stage "generated bindings are committed and current"
scripts/check-bindings.sh

stage "end to end: the real app binary under Xvfb (tauri-driver + WebKitWebDriver)"
scripts/e2e.sh

stage "done"
echo "all checks passed"
