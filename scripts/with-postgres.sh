#!/usr/bin/env bash
# Runs a command beside a private PostgreSQL server: initdb into a new
# temporary folder, listening only on a Unix socket in that folder (no TCP
# port at all), stopped and deleted when the command ends, also on failure
# or Ctrl-C. The command sees PIER_TEST_POSTGRES_URL (a superuser URL of the
# `postgres` database); Pier's PostgreSQL tests create their own databases
# on it, and skip (saying so) when it is not set.
#
#   scripts/with-postgres.sh ctest -R Postgres        # one command for a developer
#   PIER_PG_DURABLE=1 scripts/with-postgres.sh CMD    # fsync on (benchmarks)
#
# Needs Debian's postgresql (scripts/setup.sh installs it). As root, the
# server runs as the `postgres` system user (initdb refuses root).
set -euo pipefail
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "with-postgres: PostgreSQL server binaries not found (apt-get install postgresql)" >&2
  exit 2
fi
dir=$(mktemp -d /tmp/pier-pg.XXXXXX)
if [ "$(id -u)" = 0 ]; then
  chown postgres:postgres "$dir"
  user=postgres
  as_server() { runuser -u postgres -- "$@"; }
else
  user=$(id -un)
  as_server() { "$@"; }
fi
cleanup() {
  as_server "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
as_server "$bindir/initdb" -D "$dir/data" -U "$user" --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync \
  >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 2; }
durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
[ "${PIER_PG_DURABLE:-0}" = 1 ] && durability=""
as_server "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c max_connections=300 $durability" start \
  >/dev/null || { cat "$dir/server.log" >&2; exit 2; }
export PIER_TEST_POSTGRES_URL="postgresql:///postgres?host=$dir&user=$user"
echo "with-postgres: private server at $dir ($("$bindir/postgres" --version))" >&2
set +e
"$@"
rc=$?
set -e
exit $rc
