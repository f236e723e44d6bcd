#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the remote state (pg backend) tests,
# from Debian's postgresql package (or any PostgreSQL on PATH).
#
#   tools/pg-cluster.sh start DIR PORT   start one in DIR (created), print its connection string
#   tools/pg-cluster.sh stop DIR         stop it (DIR is left for the caller to remove)
#
# It listens on 127.0.0.1:PORT only, with trust authentication: any local
# user may connect while it runs, so hold nothing in it but test state.
# PostgreSQL refuses to run as root; as root, the cluster runs as the
# postgres user (which the Debian package creates) through runuser, and
# DIR must be somewhere that user can reach (not under a 0700 directory).
# Exit status 3: no PostgreSQL server binaries.
set -euo pipefail

bindir=""
if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
  bindir="$(dirname "$(command -v pg_ctl)")"
else
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ]; then bindir="$d"; break; fi
  done
fi
if [ -z "$bindir" ]; then
  echo "pg-cluster: no PostgreSQL server binaries (initdb, pg_ctl): apt-get install postgresql" >&2
  exit 3
fi

as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

case "${1:-}" in
start)
  dir="$2" port="$3"
  mkdir -p "$dir"
  chmod 700 "$dir"
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || { echo "pg-cluster: PostgreSQL does not run as root and there is no postgres user: run as another user" >&2; exit 1; }
    chown postgres: "$dir"
    runuser -u postgres -- test -w "$dir" ||
      { echo "pg-cluster: user postgres cannot reach $dir (a directory above it is closed to it): use a directory under /tmp" >&2; exit 1; }
  fi
  as_owner "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; exit 1; }
  # fsync off: the cluster is thrown away after the tests.
  as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 120 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c full_page_writes=off" start >/dev/null ||
    { cat "$dir/postgres.log" >&2; exit 1; }
  echo "postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
  ;;
stop)
  as_owner "$bindir/pg_ctl" -D "$2/data" -m fast -w stop >/dev/null
  ;;
*)
  echo "usage: $0 start DIR PORT | stop DIR" >&2
  exit 2
  ;;
esac
