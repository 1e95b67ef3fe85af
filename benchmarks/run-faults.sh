#!/usr/bin/env bash
# Real faults end to end: SIGSTOP and SIGKILL of a responder child JVM at a random phase, 20 runs
# each, TCP and UDP peers of one monitor beside a socket with tuned kernel keepalive (see
# docs/benchmarks.md). Build first, from the repository root:
#   mvn -q -B -pl heartbeat-api,heartbeat-tcp,heartbeat-udp,benchmarks package -DskipTests
# then:  benchmarks/run-faults.sh [--runs 20] [--interval-ms 200] > faults.out     (about 7 minutes)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cp="$here/target/classes:$(cat "$here/target/classpath.txt")"
exec java -Xmx512m -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" dev.heartbeat.bench.scale.FaultDetection "$@"
