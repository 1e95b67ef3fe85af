#!/usr/bin/env bash
# Runs the detection-quality harness (virtual time; see docs/benchmarks.md). Build first:
#   mvn -q -B -pl heartbeat-api,heartbeat-tcp,heartbeat-udp,benchmarks package -DskipTests
# then, from the repository root:
#   benchmarks/run-quality.sh --out docs > docs/benchmarks-quality.out
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cp="$here/target/classes:$(cat "$here/target/classpath.txt")"
exec java -Xmx2g -Djava.awt.headless=true -cp "$cp" dev.heartbeat.bench.quality.DetectionQuality "$@"
