#!/usr/bin/env bash
# Runs a command next to a throw-away PostgreSQL server, for the archive's PostgreSQL tests:
#
#   scripts/with-postgres.sh cargo test -p sdesk-archive
#
# Installs the `postgresql` package when no server binaries are found (Debian/Ubuntu, as root),
# creates a cluster with initdb in a temporary directory (as the `postgres` user when run as
# root: initdb refuses root), starts it on a private unix-socket directory and a free loopback
# port, exports SDESK_TEST_POSTGRES_URL (a superuser `sdesk` with trust authentication on
# 127.0.0.1, database `sdesk_test`) and SDESK_TEST_POSTGRES_REQUIRED=1, runs the command, and
# stops and deletes the cluster when it ends (also on failure or Ctrl-C). Idempotent: nothing
# outside the temporary directory is changed, apart from the one-time package installation.
set -euo pipefail

if [[ $# -eq 0 ]]; then
  echo "usage: $0 COMMAND [ARGS...]" >&2
  exit 2
fi

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [[ -n "$dir" && -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
    echo "$dir"
  elif command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
    dirname "$(command -v initdb)"
  fi
}

bin=$(pg_bin)
if [[ -z "$bin" ]]; then
  if [[ $EUID -ne 0 ]] || ! command -v apt-get >/dev/null; then
    echo "PostgreSQL server binaries (initdb, pg_ctl) not found; install the postgresql package" >&2
    exit 1
  fi
  echo "installing postgresql..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # The package's own cluster may fail to start without an init system; it is not used here.
  apt-get install -y -qq --no-install-recommends postgresql >/dev/null || true
  bin=$(pg_bin)
  [[ -n "$bin" ]] || { echo "installing postgresql did not provide initdb" >&2; exit 1; }
fi

# initdb and the server refuse to run as root: use the package's `postgres` user, or a
# throw-away unprivileged user when there is none.
run_as=()
if [[ $EUID -eq 0 ]]; then
  user=postgres
  if ! id "$user" >/dev/null 2>&1; then
    user=sdesk-pg
    id "$user" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$user"
  fi
  run_as=(runuser -u "$user" --)
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sdesk-pg.XXXXXX")
data="$tmp/data"
sock="$tmp/socket"
log="$tmp/server.log"
mkdir -p "$sock"
if [[ $EUID -eq 0 ]]; then
  chown -R "$user" "$tmp"
fi
chmod 700 "$tmp"

started=0
cleanup() {
  local status=$?
  if [[ $started -eq 1 ]]; then
    "${run_as[@]}" "$bin/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$tmp"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"${run_as[@]}" "$bin/initdb" -D "$data" -U sdesk --auth=trust --encoding=UTF8 --locale=C \
  >"$tmp/initdb.log" 2>&1 || { cat "$tmp/initdb.log" >&2; exit 1; }

# A free loopback port: pick one nobody listens on, and retry if the server still cannot bind.
port=
for _ in $(seq 1 20); do
  candidate=$((20000 + RANDOM % 40000))
  if (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
    continue
  fi
  if "${run_as[@]}" "$bin/pg_ctl" -D "$data" -l "$log" -w -t 30 \
      -o "-c listen_addresses=127.0.0.1 -p $candidate -k $sock -c fsync=off -c full_page_writes=off" \
      start >/dev/null; then
    port=$candidate
    started=1
    break
  fi
done
if [[ -z "$port" ]]; then
  echo "could not start PostgreSQL; its log:" >&2
  cat "$log" >&2 || true
  exit 1
fi

"${run_as[@]}" "$bin/psql" -q -h "$sock" -p "$port" -U sdesk -d postgres \
  -c "CREATE DATABASE sdesk_test" >/dev/null

export SDESK_TEST_POSTGRES_URL="postgres://sdesk@127.0.0.1:$port/sdesk_test"
export SDESK_TEST_POSTGRES_REQUIRED=1
echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (cluster in $tmp)" >&2
"$@"
