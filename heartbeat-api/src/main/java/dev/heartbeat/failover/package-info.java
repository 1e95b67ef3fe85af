/**
 * Failover: what the client does with liveness and usability. Everything here learns about peers
 * from {@link dev.heartbeat.peer.PeerEvent}s and {@link dev.heartbeat.peer.Peer}'s volatile
 * accessors (and, for the age of load reports, a {@link dev.heartbeat.failover.LoadSamples}
 * observer); nothing polls the engine.
 *
 * <ul>
 *   <li>{@link dev.heartbeat.failover.PeerCircuitBreakers}: one resilience4j {@code CircuitBreaker}
 *       per peer, opened by DEAD/UNUSABLE verdicts and half-opened when the peer comes back; the
 *       mapping is a table in {@code docs/failover.md}.</li>
 *   <li>{@link dev.heartbeat.failover.FailoverRouter}: wraps one of the user's clients per peer
 *       ({@link dev.heartbeat.failover.PeerClients}), picks a peer per call (weighted power of two
 *       choices on our own in-flight count, reported load and RTT), records call outcomes in the
 *       peer's breaker, retries idempotent calls on another peer within a
 *       {@link dev.heartbeat.failover.RetryBudget}, ramps returning peers up with
 *       {@link dev.heartbeat.failover.SlowStart}, and panics explicitly
 *       ({@link dev.heartbeat.failover.PanicMode}, {@link dev.heartbeat.failover.FailoverEvent})
 *       when most peers look bad at once.</li>
 * </ul>
 *
 * Adapters for existing client pools live in {@code dev.heartbeat.failover.pool}.
 */
package dev.heartbeat.failover;
