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
     * @param sample whether the silence since the previous heartbeat is a fair sample of the
     *     peer's behaviour and may enter the history: {@code false} for answers that queued up behind
     *     a silence and arrive back to back. Answers to extra probes <em>are</em> samples: they end a
     *     silence the peer survived.
     */
    void heartbeat(long nowNanos, boolean sample);

    /**
     * Records an answer that arrived at {@code nowNanos} to a PING we sent at {@code sentAtNanos},
     * when the monitor also knows when the <em>next</em> answer is due ({@code nextDueNanos}: the
     * send time of the next PING, or of the next tick if it is not sent yet, plus the peer's
     * baseline RTT). Detectors that model lateness against the monitor's own send record
     * ({@link AdaptiveDetector}) use it, so the monitor's ping jitter is not taken for the peer's
     * noise; others ignore the extra times.
     *
     * @param sample false for answers that end no silence: ones that queued up behind a silence
     *     and arrive back to back, or the first one after a forgiven own pause
     */
    default void heartbeat(long nowNanos, long sentAtNanos, long nextDueNanos, boolean sample) {
        heartbeat(nowNanos, sample);
    }

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
