/**
 * Harnesses on real loopback sockets, each a {@code main} started by a script in
 * {@code benchmarks/}: one JVM monitoring thousands of peers beside a bare Netty client doing
 * the same ping-pong ({@link dev.heartbeat.bench.scale.MonitorScale}), responder throughput beside
 * a bare Netty echo ({@link dev.heartbeat.bench.scale.ResponderThroughput}), real faults of child
 * processes ({@link dev.heartbeat.bench.scale.FaultDetection}) and the cost of metrics at scale
 * ({@link dev.heartbeat.bench.scale.MetricsCost}). Responders run in child JVMs
 * ({@link dev.heartbeat.bench.scale.ResponderProcess}) that exit when their parent's pipe closes.
 * Every load loop is bounded in count and time; every address is on 127.0.0.0/8.
 */
package dev.heartbeat.bench.scale;
