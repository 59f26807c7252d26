#!/usr/bin/env bash
# Stop the node started by start.sh from DIR (default /tmp/edoc-opensearch): SIGTERM, then SIGKILL
# after OPENSEARCH_STOP_TIMEOUT seconds (default 30). Does nothing when no node runs there.
set -euo pipefail
DIR=${1:-/tmp/edoc-opensearch}
PIDFILE="$DIR/node.pid"
TIMEOUT=${OPENSEARCH_STOP_TIMEOUT:-30}
[ -f "$PIDFILE" ] || exit 0
PID=$(cat "$PIDFILE")
if kill -0 "$PID" 2>/dev/null; then
  kill -TERM "$PID"
  for _ in $(seq $((TIMEOUT * 10))); do
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$PID" 2>/dev/null; then
    kill -KILL "$PID"
  fi
fi
rm -f "$PIDFILE"
