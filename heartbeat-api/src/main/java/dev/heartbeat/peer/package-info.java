/**
 * Peers and what is known about them: the two independent verdicts
 * ({@link dev.heartbeat.peer.Liveness} and {@link dev.heartbeat.peer.Usability}), the immutable
 * {@link dev.heartbeat.peer.PeerState} snapshot, the {@link dev.heartbeat.peer.PeerRegistry} of
 * monitored peers and the {@link dev.heartbeat.peer.PeerEvent}s it publishes.
 *
 * <p>Events are the only way out: metrics, circuit breakers, pool eviction, health indicators and
 * the CLI subscribe with a {@link dev.heartbeat.peer.PeerListener}; none of them reads the
 * detectors' internals.
 */
package dev.heartbeat.peer;
