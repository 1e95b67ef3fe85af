package dev.heartbeat.detect;

import dev.heartbeat.peer.Liveness;

/**
 * Turns heartbeat arrival times into a liveness verdict. One instance per peer; not thread-safe,
 * driven from that peer's thread. All times are {@link Ticker} nanoseconds.
 *
 * <p>A detector with no heartbeat yet never suspects ({@link #assess} returns
 * {@link Liveness#UNKNOWN}); deciding that a peer which never answered is dead is the monitor's
 * job (its initial timeout).
 */
public interface LivenessDetector {

    /**
     * Records a heartbeat that arrived at {@code nowNanos}.
     *
     * @param sample whether the interval since the previous heartbeat is a fair sample of the
     *     peer's rhythm and may enter the history. Pass {@code false} for answers to extra probes,
     *     which arrive off-rhythm.
     */
    void heartbeat(long nowNanos, boolean sample);

    /**
     * The observer itself was paused for {@code pauseNanos} (GC, CPU starvation): the silence it
     * caused is not the peer's. Moves the last arrival forward by the pause (never past now) and
     * keeps the distorted interval out of the history.
     */
    void forgive(long pauseNanos, long nowNanos);

    /** Forgets everything (the peer restarted: its old rhythm says nothing about the new process). */
    void reset();

    /** True once a heartbeat was recorded since creation or {@link #reset()}. */
    boolean hasHeartbeat();

    /** Arrival time of the last heartbeat (meaningless before the first). */
    long lastHeartbeatNanos();

    /** The current suspicion level: φ for the accrual detector, 0 with no heartbeat yet. */
    double suspicion(long nowNanos);

    /** ALIVE, SUSPECT or DEAD by this detector's thresholds; UNKNOWN before the first heartbeat. */
    Liveness assess(long nowNanos);

    /**
     * The earliest time at which {@link #assess} would change if no heartbeat arrives in between,
     * or {@link Long#MAX_VALUE} when it would not (no heartbeat yet, or already DEAD). Lets the
     * monitor evaluate exactly when a verdict is due instead of polling.
     */
    long nextChangeNanos(long nowNanos);

    /** Why {@link #assess} says what it says, in words: "φ 9.3 &gt; 8.0". */
    String explain(long nowNanos);

    /** Makes one detector per peer. */
    @FunctionalInterface
    interface Factory {

        /**
         * A new detector for a peer heartbeating about every {@code expectedIntervalNanos}.
         */
        LivenessDetector create(long expectedIntervalNanos);
    }
}
