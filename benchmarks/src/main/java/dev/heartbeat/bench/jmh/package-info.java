/**
 * JMH benchmarks of one heartbeat's hot path: encoding a PING, answering it, decoding the PONG,
 * the default detector's update and evaluation, and a whole round trip through the monitor's
 * engine in one thread, each beside a hand-written equivalent on Netty's {@code ByteBuf} with the
 * same frame sizes. Run with {@code benchmarks/run-jmh.sh} (see docs/benchmarks.md); never run by
 * the build.
 */
package dev.heartbeat.bench.jmh;
