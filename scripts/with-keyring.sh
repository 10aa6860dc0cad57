#!/bin/sh
# Runs a command with an unlocked gnome-keyring Secret Service on the current D-Bus session
# (start it under dbus-run-session). The keyring lives in a fresh $XDG_DATA_HOME, so the
# password always matches.
echo -n test-password | gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1 &
KPID=$!
for i in $(seq 1 50); do
  dbus-send --session --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.NameHasOwner \
    string:org.freedesktop.secrets 2>/dev/null | grep -q true && break
  sleep 0.1
done
"$@"; rc=$?
kill $KPID 2>/dev/null
exit $rc
