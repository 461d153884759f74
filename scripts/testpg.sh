#!/usr/bin/env bash
# Throwaway PostgreSQL cluster on loopback for the test suite.
#   scripts/testpg.sh start DIR   -> prints a DATABASE_URL
#   scripts/testpg.sh stop DIR
# As root the server runs as the `postgres` user (PostgreSQL refuses root).
set -euo pipefail
cmd="$1"; dir="$2"
initdb=$(scripts/pg-bin initdb); pg_ctl=$(scripts/pg-bin pg_ctl)
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "$cmd" in
start)
  if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
    echo "Running as root without a 'postgres' user: set TEST_DATABASE_URL to a server instead." >&2
    exit 1
  fi
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  as_pg "$initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  as_pg "$pg_ctl" -D "$dir/data" -w -l "$dir/server.log" \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
  echo "postgres://postgres@127.0.0.1:$port/postgres"
  ;;
stop)
  [ -d "$dir/data" ] && as_pg "$pg_ctl" -D "$dir/data" -w -m fast stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  ;;
esac
