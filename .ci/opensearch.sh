#!/usr/bin/env bash
# Build and start the embedded OpenSearch node for the test suite, then print the variables to export.
# Usage: eval "$(bash .ci/opensearch.sh)"   (idempotent; data under ${EDOC_OPENSEARCH_DIR:-/tmp/edoc-opensearch})
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${OPENSEARCH_PORT:-9201}
DIR=${EDOC_OPENSEARCH_DIR:-/tmp/edoc-opensearch}
bash tools/opensearch-node/build.sh >&2
if [ "${CI:-}" = "true" ]; then
  # CI starts from empty indices (a machine may keep the data of an earlier run).
  bash tools/opensearch-node/stop.sh "$DIR"
  rm -rf "$DIR/data"
fi
URL_LINE=$(bash tools/opensearch-node/start.sh "$DIR" "$PORT")
echo "export ${URL_LINE}"
echo "export SEARCH_BACKEND=opensearch"
