#!/usr/bin/env bash
# Installs what building and testing Supporter Desk needs on Debian 12 (idempotent; fast when
# everything is there). Usage: scripts/deps.sh [build|test] [EXTRA_PACKAGE...]
# (the other scripts pass the extra packages only they need, e.g. rpm for check-bundle.sh)
set -euo pipefail
mode=${1:-build}
(($#)) && shift
want=(build-essential pkg-config curl file libwebkit2gtk-4.1-dev libsoup-3.0-dev
      libjavascriptcoregtk-4.1-dev libdbus-1-dev libssl-dev librsvg2-dev libxdo-dev libayatana-appindicator3-dev xdg-utils "$@")
if [[ "$mode" == test ]]; then
  want+=(xvfb xauth x11-utils xdotool imagemagick dbus dbus-x11 at-spi2-core libglib2.0-bin
         webkit2gtk-driver gnome-keyring libsecret-tools python3 chromium
         gcc-mingw-w64-x86-64)
fi
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "deps: installing ${missing[*]}" >&2
  SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [[ "$mode" == test ]] && ! rustup target list --installed | grep -qx x86_64-pc-windows-gnu; then
  # The Windows target: CI lints the cfg(windows) code (Debian's mingw-w64 links its build scripts).
  rustup target add x86_64-pc-windows-gnu
fi
for c in rustfmt clippy; do
  if ! cargo "${c/rustfmt/fmt}" --version >/dev/null 2>&1; then rustup component add "$c"; fi
done
