#!/usr/bin/env bash
# Build the embedded OpenSearch node (target/opensearch-node.jar + target/lib/*.jar) with Maven.
# Idempotent: does nothing when the jar is newer than pom.xml and every source file.
# Dependencies are cached in ~/.m2 (about 100 MB on the first build).
set -euo pipefail
cd "$(dirname "$0")"
JAR=target/opensearch-node.jar
if [ -f "$JAR" ] && [ -d target/lib ] \
  && [ -z "$(find pom.xml src -newer "$JAR" -type f 2>/dev/null | head -n 1)" ]; then
  exit 0
fi
command -v mvn >/dev/null || { echo "Maven is not installed (apt-get install maven)" >&2; exit 1; }
command -v java >/dev/null || { echo "Java 17 is not installed (apt-get install openjdk-17-jdk-headless)" >&2; exit 1; }
rm -rf target/lib
mvn -q -B -Dstyle.color=never package >&2
