#!/usr/bin/env bash
# Monitor scale: one JVM watching N peers at 1 Hz, the project's monitor beside a bare Netty client,
# against responders in child JVMs on 127.0.0.2.. (see docs/benchmarks.md). Build first, from the
# repository root:
#   mvn -q -B -pl heartbeat-api,heartbeat-tcp,heartbeat-udp,benchmarks package -DskipTests
# One run (prints a RESULT line):
#   benchmarks/run-scale.sh --client project --transport tcp --peers 10000
# Every peer answers with its own node id (responder-PID-i: i per UDP address, per TCP connection),
# as a fleet of distinct processes does; the project's RESULT line ends with node_ids= (distinct ids
# among the peers). For comparison, all the peers
# of one responder JVM can share one node id (responder-PID):
#   benchmarks/run-scale.sh --client project --transport tcp --peers 10000 --node-ids shared
# Other options: --responders 2 --warmup 20 --measure 20 --threads 2 --interval-ms 1000 --metrics
# --footprint [min B/peer] (heap per peer class by class) --hold (wait for Enter: jmap, JFR).
# The whole matrix (1,000 / 5,000 / 10,000 peers, tcp and udp, project and bare alternating,
# REPS repetitions; about 1 minute a run):
#   REPS=3 benchmarks/run-scale.sh matrix > scale.out
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cp="$here/target/classes:$(cat "$here/target/classpath.txt")"
# 10,000 connections need 10,000 descriptors in this JVM (and its responders): raise the soft
# limit for these processes only, up to the hard limit.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
jvm=(-Xms1g -Xmx1g -XX:+UseG1GC -Dorg.slf4j.simpleLogger.defaultLogLevel=warn ${SCALE_JAVA_OPTS:-})
run() { java "${jvm[@]}" -cp "$cp" dev.heartbeat.bench.scale.MonitorScale "$@"; }
if [[ "${1:-}" == matrix ]]; then
  shift
  for peers in ${PEERS:-1000 5000 10000}; do
    for transport in ${TRANSPORTS:-tcp udp}; do
      for rep in $(seq 1 "${REPS:-1}"); do
        for client in project bare; do
          run --client "$client" --transport "$transport" --peers "$peers" "$@" | grep '^RESULT' || echo "FAILED $client $transport $peers"
        done
      done
    done
  done
else
  run "$@"
fi
