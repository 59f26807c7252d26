#!/usr/bin/env bash
# Start one embedded OpenSearch node in the background and wait until it answers.
# Usage: tools/opensearch-node/start.sh [DIR] [PORT]
#   DIR   data, log (DIR/node.log) and pid file (DIR/node.pid); default /tmp/edoc-opensearch
#   PORT  HTTP port on 127.0.0.1, default 9201; the transport port is PORT+100
# Environment: OPENSEARCH_HEAP (default 512m), OPENSEARCH_START_TIMEOUT seconds (default 120).
# Prints OPENSEARCH_URL=http://127.0.0.1:PORT. Idempotent: a node already running there is reused.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
DIR=${1:-/tmp/edoc-opensearch}
PORT=${2:-9201}
HEAP=${OPENSEARCH_HEAP:-512m}
TIMEOUT=${OPENSEARCH_START_TIMEOUT:-120}
URL="http://127.0.0.1:$PORT"
JAR="$HERE/target/opensearch-node.jar"

healthy() {
  curl -fsS --max-time 2 "$URL/_cluster/health" 2>/dev/null | grep -Eq '"status":"(green|yellow)"'
}

[ -f "$JAR" ] || { echo "not built: run $HERE/build.sh first" >&2; exit 1; }
mkdir -p "$DIR/tmp"
DIR=$(cd "$DIR" && pwd)
PIDFILE="$DIR/node.pid"

if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
  if healthy; then
    echo "OPENSEARCH_URL=$URL"
    exit 0
  fi
else
  rm -f "$PIDFILE"
  if curl -fsS --max-time 2 "$URL" >/dev/null 2>&1; then
    echo "port $PORT already answers, but not for a node started from $DIR" >&2
    exit 1
  fi
fi

if [ ! -f "$PIDFILE" ]; then
  setsid java -Xms"$HEAP" -Xmx"$HEAP" -XX:+UseSerialGC \
    -Dfile.encoding=UTF-8 -Djava.io.tmpdir="$DIR/tmp" -Dlog4j2.formatMsgNoLookups=true \
    -Dopensearch.set.netty.runtime.available.processors=false \
    -jar "$JAR" "$DIR" "$PORT" "$((PORT + 100))" >"$DIR/node.log" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
fi

for _ in $(seq $((TIMEOUT * 4))); do
  if healthy; then
    echo "OPENSEARCH_URL=$URL"
    exit 0
  fi
  if ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
    rm -f "$PIDFILE"
    echo "OpenSearch node exited while starting; last lines of $DIR/node.log:" >&2
    tail -n 30 "$DIR/node.log" >&2
    exit 1
  fi
  sleep 0.25
done
echo "OpenSearch node did not become healthy within ${TIMEOUT}s; see $DIR/node.log" >&2
exit 1
