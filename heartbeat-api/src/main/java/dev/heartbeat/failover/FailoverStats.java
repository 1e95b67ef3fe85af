package dev.heartbeat.failover;

/**
 * Counters of a {@link FailoverRouter} since it was built, and what it sees now. A snapshot.
 *
 * @param calls calls made (first attempts)
 * @param attempts attempts made, first ones and retries
 * @param failures attempts that failed with the peer's fault (recorded in its breaker)
 * @param callerErrors attempts that failed with the caller's own error (not held against the peer)
 * @param retries retries made on another peer
 * @param retriesDenied retries refused by the retry budget
 * @param noPeer calls refused because no peer was available ({@link NoPeerAvailableException.Reason#NO_PEER})
 * @param panicRefusals calls refused while panicking in {@link PanicMode#FAIL_CLOSED}
 * @param panics times a panic started
 * @param panicking whether the router panics now
 * @param evictions eviction callbacks made (DEAD or restarted peers)
 * @param readmissions times a peer re-entered routing through slow start
 * @param clientFailures {@link PeerClients} callbacks that threw
 * @param healthy peers that look healthy now
 * @param judged peers with a verdict now
 * @param peers peers known now
 */
public record FailoverStats(long calls, long attempts, long failures, long callerErrors, long retries,
                            long retriesDenied, long noPeer, long panicRefusals, long panics, boolean panicking,
                            long evictions, long readmissions, long clientFailures, int healthy, int judged,
                            int peers) {
}
