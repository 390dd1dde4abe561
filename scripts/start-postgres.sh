#!/usr/bin/env bash
# Start (or stop) a throwaway PostgreSQL cluster from Debian's packages, for tests and the
# store benchmark. No systemd: initdb + pg_ctl in a temporary directory, on a free loopback
# port, with trust authentication on loopback only (the cluster holds test data and dies with
# the run).
#
#   eval "$(scripts/start-postgres.sh start)"   # exports ESIGUARD_TEST_POSTGRES_URL, ESIGUARD_PG_DIR
#   scripts/start-postgres.sh stop "$ESIGUARD_PG_DIR"
#
# `start` prints only `export ...` lines on stdout (progress goes to stderr), so it can be
# eval'd. When run as root the server runs as the `postgres` user (initdb refuses root).
set -euo pipefail

find_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    if [ -x "$dir/initdb" ]; then
      echo "$dir"
      return 0
    fi
  done
  echo "start-postgres.sh: PostgreSQL server binaries not found; apt-get install -y postgresql" >&2
  return 1
}

as_owner() {
  if [ "$(id -u)" = "0" ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start() {
  local bin dir port
  bin="$(find_bin)"
  dir="$(mktemp -d /tmp/esiguard-pg.XXXXXX)"
  chmod 755 "$dir"
  if [ "$(id -u)" = "0" ]; then chown postgres:postgres "$dir"; fi
  port="$(free_port)"
  as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust --no-sync -E UTF8 --locale=C.UTF-8 >&2
  # fsync stays on (the default): the crash test needs real durability.
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-h 127.0.0.1 -p $port -k $dir -c max_connections=200" start >&2
  echo "export ESIGUARD_PG_DIR=$dir"
  echo "export ESIGUARD_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:$port/postgres"
}

stop() {
  local bin dir="${1:-${ESIGUARD_PG_DIR:-}}"
  if [ -z "$dir" ] || [ ! -d "$dir/data" ]; then
    echo "start-postgres.sh stop: give the directory printed by start (ESIGUARD_PG_DIR)" >&2
    return 2
  fi
  bin="$(find_bin)"
  as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  *)
    echo "usage: $0 start | stop <dir>" >&2
    exit 2
    ;;
esac
