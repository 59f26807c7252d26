#!/usr/bin/env bash
# Start every service the test suite needs on loopback -- PostgreSQL 15 (:54329), Redis (:63799)
# and the embedded OpenSearch node (:9201, .ci/opensearch.sh) -- then print the variables to
# export. Installs nothing (the Debian packages come from .ci/deps.sh).
# Usage: eval "$(make -s services)"  or  eval "$(bash .ci/services.sh)"
#   (idempotent; data under ${EDOC_SERVICES_DIR:-/tmp/edoc-services} and /tmp/edoc-opensearch)
set -euo pipefail
DIR=${EDOC_SERVICES_DIR:-/tmp/edoc-services}
PGPORT=${PGPORT:-54329}
REDISPORT=${REDISPORT:-63799}
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
mkdir -p "$DIR"
chmod 755 "$DIR"

if [ -z "$PGBIN" ]; then
  echo "PostgreSQL is not installed (apt-get install postgresql)" >&2
  exit 1
fi

run_pg() {
  if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ ! -f "$DIR/pg/PG_VERSION" ]; then
  mkdir -p "$DIR/pg"
  [ "$(id -u)" = "0" ] && chown postgres:postgres "$DIR/pg"
  run_pg "$PGBIN/initdb" -D "$DIR/pg" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
fi
if ! run_pg "$PGBIN/pg_ctl" -D "$DIR/pg" status >/dev/null 2>&1; then
  run_pg "$PGBIN/pg_ctl" -D "$DIR/pg" -l "$DIR/pg/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $DIR/pg -c max_connections=200 -c fsync=off" start >/dev/null
fi
psql_() { psql -h 127.0.0.1 -p "$PGPORT" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
if [ "$(psql_ -c "select 1 from pg_roles where rolname='edoc'")" != "1" ]; then
  psql_ -c "create role edoc login createdb password 'edoc'"
fi
if [ "$(psql_ -c "select 1 from pg_database where datname='edoc'")" != "1" ]; then
  psql_ -c "create database edoc owner edoc"
fi

if ! redis-cli -p "$REDISPORT" ping >/dev/null 2>&1; then
  redis-server --port "$REDISPORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --logfile "$DIR/redis.log" >/dev/null
  for _ in $(seq 50); do redis-cli -p "$REDISPORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi

echo "export DATABASE_URL=postgres://edoc:edoc@127.0.0.1:$PGPORT/edoc"
echo "export REDIS_URL=redis://127.0.0.1:$REDISPORT/0"
bash "$(dirname "$0")/opensearch.sh"
