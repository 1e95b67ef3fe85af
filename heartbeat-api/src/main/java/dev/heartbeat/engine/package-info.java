/**
 * The front door: the engines users start.
 *
 * <ul>
 *   <li>{@link dev.heartbeat.engine.HeartbeatMonitor} (client side) pings a dynamic set of peers,
 *       matches PONGs, drives each peer's detectors and publishes transitions through a
 *       {@link dev.heartbeat.peer.PeerRegistry}.</li>
 *   <li>{@link dev.heartbeat.engine.HeartbeatResponder} (server side) answers PINGs with status
 *       and load from a {@link dev.heartbeat.engine.LoadProvider}.</li>
 *   <li>{@link dev.heartbeat.engine.MonitorConfig}: the monitor's immutable, validated settings.</li>
 * </ul>
 *
 * <p>What a transport implements is in {@link dev.heartbeat.engine.spi}; an in-memory transport
 * and virtual time for tests are in {@link dev.heartbeat.testing}.
 */
package dev.heartbeat.engine;
