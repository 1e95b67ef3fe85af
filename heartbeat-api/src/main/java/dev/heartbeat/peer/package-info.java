/**
 * Peers and what is known about them: the two independent verdicts
 * ({@link dev.heartbeat.peer.Liveness} and {@link dev.heartbeat.peer.Usability}), the immutable
 * {@link dev.heartbeat.peer.PeerState} snapshot, the {@link dev.heartbeat.peer.PeerRegistry} of
 * monitored peers and the {@link dev.heartbeat.peer.PeerEvent}s it publishes.
 *
 * <p>Events are the only way out: metrics, circuit breakers, pool eviction, health indicators and
 * the CLI subscribe with a {@link dev.heartbeat.peer.PeerListener}; none of them reads the
 * detectors' internals. The registry stamps per-peer sequence numbers, gives every listener its
 * own delivery lane, merges a lagging listener's events per peer instead of dropping them, and
 * replays the current peers to a late listener ({@code docs/events.md}). The package-private
 * {@code ListenerLane} and {@code Coalescing} implement the lanes and the merge rules.
 */
package dev.heartbeat.peer;
