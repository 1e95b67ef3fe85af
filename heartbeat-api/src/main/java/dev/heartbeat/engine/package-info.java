/**
 * The engines and the transport SPI they run on.
 *
 * <ul>
 *   <li>{@link dev.heartbeat.engine.HeartbeatMonitor} (client side) pings a dynamic set of peers,
 *       matches PONGs, drives each peer's detectors and publishes transitions through a
 *       {@link dev.heartbeat.peer.PeerRegistry}.</li>
 *   <li>{@link dev.heartbeat.engine.HeartbeatResponder} (server side) answers PINGs with status
 *       and load from a {@link dev.heartbeat.engine.LoadProvider}.</li>
 *   <li>The SPI: a {@link dev.heartbeat.engine.ClientTransport} opens
 *       {@link dev.heartbeat.engine.Link}s, each bound to one {@link dev.heartbeat.engine.SerialScheduler}
 *       (a Netty event loop, a single thread, or virtual time), and reports to a
 *       {@link dev.heartbeat.engine.LinkHandler}. A server transport simply calls
 *       {@link dev.heartbeat.engine.HeartbeatResponder#respond}.</li>
 *   <li>{@link dev.heartbeat.engine.InMemoryNetwork}: a transport without sockets, with fault
 *       injection (freeze, crash, blackhole, restart, latency), for tests and demos.</li>
 *   <li>{@link dev.heartbeat.engine.ReconnectBackoff}: exponential backoff with full jitter for
 *       transports that reconnect.</li>
 * </ul>
 */
package dev.heartbeat.engine;
