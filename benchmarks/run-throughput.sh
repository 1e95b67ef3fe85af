#!/usr/bin/env bash
# Responder throughput beside bare Netty (see docs/benchmarks.md). Build first, from the repository root:
#   mvn -q -B -pl heartbeat-api,heartbeat-tcp,heartbeat-udp,benchmarks package -DskipTests
# One run:   benchmarks/run-throughput.sh --side project --transport tcp --connections 1000
# The set:   REPS=3 benchmarks/run-throughput.sh matrix     (tcp and udp, project and bare alternating)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cp="$here/target/classes:$(cat "$here/target/classpath.txt")"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
run() { java -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" dev.heartbeat.bench.scale.ResponderThroughput "$@"; }
if [[ "${1:-}" == matrix ]]; then
  shift
  for transport in ${TRANSPORTS:-tcp udp}; do
    for rep in $(seq 1 "${REPS:-3}"); do
      for side in project bare; do
        run --side "$side" --transport "$transport" "$@" | grep '^RESULT' || echo "FAILED $side $transport"
      done
    done
  done
else
  run "$@"
fi
