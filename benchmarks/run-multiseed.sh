#!/usr/bin/env bash
# One trace family at one interval over many seeds (virtual time; see MultiSeed's javadoc): the
# spread of the single-trace oracle, the detector alone against the family oracle pooled over the
# same traces, the engine's false DEADs per hour run by run, the engine's detection times. Build first:
#   mvn -q -B -pl heartbeat-api,heartbeat-tcp,heartbeat-udp,benchmarks package -DskipTests
# then, from the repository root, for example:
#   benchmarks/run-multiseed.sh oracles GC_STALLS 100 --seeds 1-60
#   benchmarks/run-multiseed.sh alone GC_STALLS 100 --seeds 1-60 --young true --threads 2
#   benchmarks/run-multiseed.sh mistakes GC_STALLS 100 --seeds 1-60 --threads 2
#   benchmarks/run-multiseed.sh detection GC_STALLS 1000 --seeds 1-4 --runs 60 --threads 2
# Modes: oracles | alone | mistakes | detection. Options: --hours H (default 8 below 1 s, 40 at 1 s),
# --seeds A-B (default 1-60), --threads N (default 1), --runs R (detection: crash runs per seed,
# default 60), --young true (alone: crash trials in the 20 minutes after the warm-up, as the engine's).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cp="$here/target/classes:$(cat "$here/target/classpath.txt")"
exec java -Xmx1g -cp "$cp" dev.heartbeat.bench.quality.MultiSeed "$@"
