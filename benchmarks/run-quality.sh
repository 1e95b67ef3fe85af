#!/usr/bin/env bash
# Runs the detection-quality harness (virtual time; see docs/benchmarks.md). Build first:
#   mvn -q -B -pl heartbeat-api,heartbeat-tcp,heartbeat-udp,benchmarks package -DskipTests
# then, from the repository root:
#   benchmarks/run-quality.sh --out docs > docs/benchmarks-quality.out
# Options (all optional):
#   --hours H                trace length at 100 ms (x5 at 1 s); default 8
#   --crashes N              crash trials per trace for the trace-level detectors; default 1000
#   --engine-runs N          separate engine crash runs per family and interval; default 240
#   --families A,B           Family names (QUIET_LAN, JITTERY_WAN, GC_STALLS, BURSTY_LOSS, DRIFT,
#                            MONITOR_STALLS); default all
#   --seed S                 default 2026; every number is a function of the seed
#   --out DIR                write the PNG plots there
#   --family-oracle-runs R   the family oracle: the best fixed timeout (<= 1 mistake/h) pooled over
#                            R further realisations of each family (each as long as the main trace,
#                            N crashes on each, seeds derived from S), and the detector alone at its
#                            defaults on the same realisations; two more columns and the engine's
#                            ratio to it in the targets cell, which judges T_D against it. Default 60;
#                            0 = off (T_D judged against the single trace's oracle)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cp="$here/target/classes:$(cat "$here/target/classpath.txt")"
exec java -Xmx2g -Djava.awt.headless=true -cp "$cp" dev.heartbeat.bench.quality.DetectionQuality "$@"
