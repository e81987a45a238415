#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL cluster on a loopback port, for tests and benchmarks.
#   scripts/pg-cluster.sh start DIR PORT   prints the connection URL
#   scripts/pg-cluster.sh replica DIR PORT PRIMARY_PORT
#                                          a streaming replica of the cluster on 127.0.0.1:PRIMARY_PORT
#                                          (pg_basebackup -R; `start DIR PORT` restarts it after a stop)
#   scripts/pg-cluster.sh stop DIR
# initdb refuses to run as root, so the cluster belongs to the `postgres` user.
set -euo pipefail
cmd=${1:?start|stop}
dir=${2:?directory}

find_bin() {
  # Through symlinks: a distribution may link initdb and pg_ctl into PATH but not pg_basebackup.
  if command -v initdb >/dev/null 2>&1; then dirname "$(readlink -f "$(command -v initdb)")"; return; fi
  local d
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && { echo "$d"; return; }; done
  return 1
}

as_postgres() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi
}

if ! bin=$(find_bin); then
  echo "PostgreSQL server binaries not found; installing them" >&2
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  bin=$(find_bin)
fi

case "$cmd" in
  start|replica)
    port=${3:?port}
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ] && [ "$cmd" = replica ]; then
      # initdb --auth=trust allows replication connections from 127.0.0.1, and wal_level=replica
      # is the default: any cluster this script starts can be copied.
      primary_port=${4:?primary port}
      as_postgres "'$bin/pg_basebackup' -h 127.0.0.1 -p $primary_port -U postgres -D '$dir/data' -R -X stream >/dev/null"
    fi
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_postgres "'$bin/initdb' -D '$dir/data' -U postgres --auth=trust -E UTF8 >/dev/null"
    fi
    as_postgres "'$bin/pg_ctl' -D '$dir/data' -o \"-p $port -k '$dir' -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200\" -l '$dir/pg.log' -w start >/dev/null"
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    as_postgres "'$bin/pg_ctl' -D '$dir/data' -m fast -w stop >/dev/null" || true
    ;;
  *)
    echo "usage: $0 start DIR PORT | replica DIR PORT PRIMARY_PORT | stop DIR" >&2
    exit 2
    ;;
esac
