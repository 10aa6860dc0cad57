#!/usr/bin/env bash
# Builds the Linux installers (.deb and .rpm) with the Tauri CLI and checks what is inside:
# the desktop entry passes the deep link (`Exec=… %u`) and declares the URL scheme, the binary
# and the icon are installed, the package metadata declares the runtime dependencies.
# A release build takes about 6 minutes on 2 cores from a cold target dir, so this is not part
# of the default CI run. AppImage, MSI and DMG are configured in tauri.conf.json but not built
# here: their bundlers download tools (linuxdeploy, WiX, …) or need Windows/macOS.
#
# Usage: scripts/check-bundle.sh [--no-build]   (--no-build: check the packages already built)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build=1
[[ "${1:-}" == --no-build ]] && build=0
t0=$(date +%s)
stage() { printf '\n== bundle: %s (%s)\n' "$1" "$(date +%T)"; }
fail=0
check() { # check "description" command...
  local what=$1; shift
  if "$@" >/dev/null 2>&1; then echo "  ok   $what"; else echo "  FAIL $what"; fail=1; fi
}

stage "dependencies"
want=(dpkg rpm rpm2cpio cpio desktop-file-utils file xvfb xauth dbus libglib2.0-bin)
scripts/deps.sh build "${want[@]}"

# The Tauri CLI from npm (prebuilt; 2 s) in a tools dir, not `cargo install tauri-cli` (9 min).
tools=${SDESK_TOOLS_DIR:-$root/target/tools}
tauri="$tools/npm/node_modules/.bin/tauri"
if [[ ! -x "$tauri" ]]; then
  stage "tauri CLI (npm @tauri-apps/cli@2)"
  mkdir -p "$tools/npm"
  [[ -f "$tools/npm/package.json" ]] || echo '{"private":true}' >"$tools/npm/package.json"
  npm --prefix "$tools/npm" install --no-audit --no-fund '@tauri-apps/cli@2'
fi

version=$(node -p "require('./tauri.conf.json').version")
bundle_dir="${CARGO_TARGET_DIR:-$root/target}/release/bundle"
if ((build)); then
  # ui/dist is built by the before-build hook (`npm run build` in ui/); it needs node_modules.
  if [[ -f ui/package.json && ! -d ui/node_modules ]]; then
    stage "ui: npm ci"
    npm --prefix ui ci --no-audit --no-fund
  fi
  stage "tauri build --bundles deb,rpm (release)"
  rm -rf "$bundle_dir/deb" "$bundle_dir/rpm"
  b0=$(date +%s)
  # bundle.active is false in tauri.conf.json so that plain builds never bundle; switch it on here.
  # The before-build hook gets an explicit cwd: with several package.json files in the repo (ui/,
  # e2e/) the CLI's guess of the frontend dir can pick the wrong one.
  "$tauri" build --bundles deb,rpm \
    --config '{"bundle":{"active":true},"build":{"beforeBuildCommand":{"script":"npm run build","cwd":"ui"}}}' \
    -- --locked
  echo "tauri build took $(( $(date +%s) - b0 )) s"
fi

deb=$(ls "$bundle_dir"/deb/*_"${version}"_*.deb 2>/dev/null | head -1 || true)
rpm=$(ls "$bundle_dir"/rpm/*-"${version}"-*.rpm 2>/dev/null | head -1 || true)
[[ -f "$deb" && -f "$rpm" ]] || { echo "bundle: missing packages in $bundle_dir (deb='$deb' rpm='$rpm')" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Checks an extracted package tree: binary, desktop entry (with %u and the scheme), icon.
check_tree() {
  local tree=$1
  local bin="$tree/usr/bin/supporter-desk"
  check "binary usr/bin/supporter-desk exists and is executable" test -x "$bin"
  check "binary is an x86-64 ELF executable" bash -c "file -b '$bin' | grep -q 'ELF 64-bit.*x86-64'"
  check "all shared libraries of the binary resolve on this system" bash -c "! ldd '$bin' | grep -q 'not found'"
  local desktop
  desktop=$(find "$tree/usr/share/applications" -name '*.desktop' | head -1)
  check "one desktop entry in usr/share/applications" test -n "$desktop"
  [[ -n "$desktop" ]] || return 0
  echo "  --- ${desktop#"$tree"/}"; sed 's/^/  | /' "$desktop"
  local exec_line mime icon
  exec_line=$(grep -m1 '^Exec=' "$desktop" || true)
  mime=$(grep -m1 '^MimeType=' "$desktop" || true)
  icon=$(grep -m1 '^Icon=' "$desktop" | cut -d= -f2- || true)
  check "Exec ends with %u (the deep link reaches the app under gio/xdg-open)" bash -c "[[ '$exec_line' =~ \ %u$ ]]"
  check "Exec runs supporter-desk" bash -c "[[ '$exec_line' =~ ^Exec=(/usr/bin/)?supporter-desk\  ]]"
  check "MimeType declares x-scheme-handler/dev.supporterdesk" bash -c "[[ '$mime' == *x-scheme-handler/dev.supporterdesk\;* || '$mime' == *x-scheme-handler/dev.supporterdesk ]]"
  check "no unrendered template placeholders" bash -c "! grep -q '{{' '$desktop'"
  check "desktop-file-validate accepts it" desktop-file-validate "$desktop"
  check "icon '$icon' installed under usr/share/icons/hicolor" bash -c "find '$tree/usr/share/icons/hicolor' -name '$icon.png' | grep -q ."
  check "a 128x128 (or larger) icon" bash -c "find '$tree/usr/share/icons/hicolor' -path '*/128x128*/apps/$icon.png' -o -path '*/256x256*/apps/$icon.png' -o -path '*/512x512*/apps/$icon.png' | grep -q ."
}

stage "deb: $(basename "$deb") ($(du -h "$deb" | cut -f1))"
dpkg-deb -I "$deb" >"$work/deb-info"
sed -n '/Package:/,$p' "$work/deb-info" | sed 's/^/  | /'
depends=$(grep -m1 '^ Depends:' "$work/deb-info" || true)
check "Package: supporter-desk" grep -q '^ Package: supporter-desk$' "$work/deb-info"
check "Version: $version" grep -q "^ Version: $version$" "$work/deb-info"
for d in libwebkit2gtk-4.1-0 libgtk-3-0 libdbus-1-3 libayatana-appindicator3-1 xdg-utils; do
  check "Depends on $d" bash -c "[[ '$depends' == *$d* ]]"
done
mkdir -p "$work/deb"
dpkg-deb -x "$deb" "$work/deb"
check_tree "$work/deb"

stage "rpm: $(basename "$rpm") ($(du -h "$rpm" | cut -f1))"
rpm -qpi "$rpm" 2>/dev/null | sed 's/^/  | /' | head -20
requires=$(rpm -qpR "$rpm" 2>/dev/null | tr '\n' ' ')
echo "  | Requires: $requires"
check "Name: supporter-desk" bash -c "rpm -qp --qf '%{NAME}' '$rpm' 2>/dev/null | grep -qx supporter-desk"
check "Version: $version" bash -c "rpm -qp --qf '%{VERSION}' '$rpm' 2>/dev/null | grep -qx '$version'"
for d in dbus-libs libayatana-appindicator-gtk3 xdg-utils; do
  check "Requires $d" bash -c "[[ '$requires' == *$d* ]]"
done
check "rpm digests OK (rpm -K)" rpm -K --nosignature "$rpm"
mkdir -p "$work/rpm"
# Debian's rpm2cpio 4.18 exits 1 on the packages Tauri's rpm writer makes although the payload is
# complete (digests OK); so its status is not trusted, the extracted file list is compared instead.
rpm2cpio "$rpm" >"$work/payload.cpio" 2>/dev/null || true
(cd "$work/rpm" && cpio -idm --quiet <"$work/payload.cpio")
check "payload extracted = rpm -qpl file list" bash -c "diff <(rpm -qpl '$rpm' 2>/dev/null | sort) <(cd '$work/rpm' && find . -type f -o -type l | sed 's/^\\.//' | sort)"
check_tree "$work/rpm"

# The point of `%u`: a desktop environment opening a dev.supporterdesk: URL through the installed
# entry must start the app WITH the URL. Play that with GIO (what GNOME and xdg-open on GNOME use):
# the extracted package's share dir on XDG_DATA_DIRS, the entry as the scheme's default handler,
# `gio open <url>`; the app (cold start, no sign-in pending) then logs that it ignored a stray
# sign-in callback, which proves the URL arrived.
gio_open_check() { # gio_open_check <extracted tree> <label>
  local tree=$1 label=$2 t xpid apid="" desktop_id out
  desktop_id=$(basename "$(find "$tree/usr/share/applications" -name '*.desktop' | head -1)")
  t=$(mktemp -d)
  mkdir -p "$t/home/.config" "$t/home/.local/share" "$t/run" && chmod 700 "$t/run"
  printf '[Default Applications]\nx-scheme-handler/dev.supporterdesk=%s\n' "$desktop_id" >"$t/home/.config/mimeapps.list"
  Xvfb -displayfd 3 -screen 0 1024x768x24 -nolisten tcp 3>"$t/display" >/dev/null 2>&1 &
  xpid=$!
  for _ in $(seq 1 100); do [[ -s "$t/display" ]] && break; sleep 0.05; done
  env -i PATH="$tree/usr/bin:/usr/bin:/bin" HOME="$t/home" XDG_CONFIG_HOME="$t/home/.config" \
      XDG_DATA_HOME="$t/home/.local/share" XDG_CACHE_HOME="$t/home/.cache" XDG_RUNTIME_DIR="$t/run" \
      XDG_DATA_DIRS="$tree/usr/share:/usr/share" DISPLAY=":$(tr -d '[:space:]' <"$t/display")" \
      NO_AT_BRIDGE=1 SDESK_NO_REGISTER=1 LANG=C.UTF-8 \
      dbus-run-session -- bash -c '
        gio open "dev.supporterdesk:/oauth/callback?code=bundle-check&state=bundle-check" || exit 3
        for _ in $(seq 1 150); do grep -q "ignored a sign-in callback" "$0" 2>/dev/null && break; sleep 0.1; done
        for d in /proc/[0-9]*; do   # the app gio started (ours: this bus session only)
          [[ "$(readlink "$d/exe" 2>/dev/null)" == "$1" ]] && kill -TERM "${d#/proc/}"
        done
        sleep 0.5' "$t/app.log" "$tree/usr/bin/supporter-desk" >"$t/app.log" 2>&1 || true
  kill -TERM "$xpid" 2>/dev/null; wait "$xpid" 2>/dev/null || true
  out=$(grep -m1 "ignored a sign-in callback" "$t/app.log" || true)
  check "$label: gio open dev.supporterdesk:… starts the packaged app with the URL (${out:+logged: }${out:-no URL arrived; see below})" test -n "$out"
  [[ -n "$out" ]] || sed 's/^/  | /' "$t/app.log" | tail -20
  rm -rf "$t"
}
stage "deep link through the packaged desktop entry (gio open, Xvfb, private D-Bus)"
gio_open_check "$work/deb" "deb"
gio_open_check "$work/rpm" "rpm"

echo
if ((fail)); then echo "bundle: checks FAILED ($(( $(date +%s) - t0 )) s)"; exit 1; fi
echo "bundle: all checks passed ($(( $(date +%s) - t0 )) s): $deb $rpm"
