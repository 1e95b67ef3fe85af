#!/usr/bin/env bash
# Runs the JMH benchmarks of the hot path (see docs/benchmarks.md). Build first, from the
# repository root:
#   mvn -q -B -pl heartbeat-api,heartbeat-tcp,heartbeat-udp,benchmarks -am package -DskipTests
# then, for example:
#   benchmarks/run-jmh.sh -prof gc                 # every benchmark, with allocation per operation
#   benchmarks/run-jmh.sh 'HeartbeatBench.roundTrip' -prof gc
# Arguments go to JMH's own command line (org.openjdk.jmh.Main; -h lists them).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cp="$here/target/classes:$(cat "$here/target/classpath.txt")"
exec java -cp "$cp" org.openjdk.jmh.Main "$@"
