package dev.heartbeat.detect;

import dev.heartbeat.protocol.LoadView;
import dev.heartbeat.protocol.ServingStatus;

/**
 * Decides from one PONG whether a peer can serve. A pure function of its inputs: hysteresis is
 * applied afterwards by {@link UsabilityHysteresis}, so a policy stays easy to test and to replace.
 * Implementations must be thread-safe (one policy serves every peer) and should not allocate.
 */
@FunctionalInterface
public interface UsabilityPolicy {

    /**
     * Evaluates one PONG into {@code out}.
     *
     * @param status what the peer says about itself
     * @param load the peer's load figures, valid during this call only (the engine passes the
     *     decoder's holder, shared by the peers of a thread, which the next frame decoded on that
     *     thread overwrites: copy with {@link LoadView#toReport()} to keep them)
     * @param rttNanos the round-trip time of this PONG, or -1 when it says nothing about the peer's
     *     speed now (an answer to a PING that was queued during a silence)
     * @param rttBaselineNanos the peer's own RTT baseline, or -1 when none is established yet
     * @param out the verdict holder to fill, on every call: the engine's holder is shared by the
     *     peers of a thread and {@link UsabilityVerdict#clear() cleared} before each call, so a
     *     policy that leaves it as it is gives UNKNOWN
     */
    void evaluate(ServingStatus status, LoadView load, long rttNanos, long rttBaselineNanos, UsabilityVerdict out);
}
