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
#
# The server also speaks TLS (ssl=on) on the same port, with a throw-away CA and a server
# certificate for 127.0.0.1 and localhost made with openssl in the temporary directory. A second
# superuser `sdesk_tls` may only connect over TLS (pg_hba.conf rejects it without), so a test that
# logs in as it knows the connection was encrypted. Exported for the TLS tests:
#   SDESK_TEST_POSTGRES_TLS_URL  postgres://sdesk_tls@127.0.0.1:PORT/sdesk_test?sslmode=verify-full&sslrootcert=CA
#   SDESK_TEST_POSTGRES_CA       the CA's certificate (PEM) that signed the server's certificate
#   SDESK_TEST_POSTGRES_OTHER_CA another CA's certificate, which did not
#   SDESK_TEST_POSTGRES_SOCKET   the server's Unix socket directory (no TLS there)
# The plain URL above keeps working as before (sslmode defaults to prefer).
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
tls="$tmp/tls"
mkdir -p "$sock" "$tls"

# The TLS material: a CA, a server certificate it signs (for 127.0.0.1 and localhost, as
# verify-full checks the host name), and an unrelated CA. P-256 keys; valid for two days.
command -v openssl >/dev/null || { echo "openssl is needed to make the test server's certificate" >&2; exit 1; }
make_ca() {
  openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -sha256 -days 2 \
    -subj "/CN=$3" -keyout "$1" -out "$2" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    2>/dev/null
}
make_ca "$tls/ca.key" "$tls/ca.crt" "Supporter Desk test CA"
make_ca "$tls/other-ca.key" "$tls/other-ca.crt" "Some other CA"
openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -sha256 -subj "/CN=localhost" \
  -keyout "$tls/server.key" -out "$tls/server.csr" 2>/dev/null
printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature" \
  "extendedKeyUsage=serverAuth" "subjectAltName=IP:127.0.0.1,DNS:localhost" >"$tls/server.ext"
openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.crt" -CAkey "$tls/ca.key" -CAcreateserial \
  -sha256 -days 2 -extfile "$tls/server.ext" -out "$tls/server.crt" 2>/dev/null
rm -f "$tls/ca.key" "$tls/other-ca.key" "$tls/server.csr"
chmod 600 "$tls/server.key"
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

# `sdesk_tls` only over TLS: this rule comes before initdb's trust rules (first match wins).
# Rewritten in place (`>`), so the file keeps its owner.
hba=$({ echo "hostnossl all sdesk_tls all reject"; cat "$data/pg_hba.conf"; })
printf '%s\n' "$hba" >"$data/pg_hba.conf"

# A free loopback port: pick one nobody listens on, and retry if the server still cannot bind.
port=
for _ in $(seq 1 20); do
  candidate=$((20000 + RANDOM % 40000))
  if (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
    continue
  fi
  if "${run_as[@]}" "$bin/pg_ctl" -D "$data" -l "$log" -w -t 30 \
      -o "-c listen_addresses=127.0.0.1 -p $candidate -k $sock -c fsync=off -c full_page_writes=off -c ssl=on -c ssl_cert_file=$tls/server.crt -c ssl_key_file=$tls/server.key" \
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
  -c "CREATE DATABASE sdesk_test" -c "CREATE ROLE sdesk_tls LOGIN SUPERUSER" >/dev/null

export SDESK_TEST_POSTGRES_URL="postgres://sdesk@127.0.0.1:$port/sdesk_test"
export SDESK_TEST_POSTGRES_TLS_URL="postgres://sdesk_tls@127.0.0.1:$port/sdesk_test?sslmode=verify-full&sslrootcert=$tls/ca.crt"
export SDESK_TEST_POSTGRES_CA="$tls/ca.crt"
export SDESK_TEST_POSTGRES_OTHER_CA="$tls/other-ca.crt"
export SDESK_TEST_POSTGRES_SOCKET="$sock"
export SDESK_TEST_POSTGRES_REQUIRED=1
echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, TLS on (cluster in $tmp)" >&2
"$@"
