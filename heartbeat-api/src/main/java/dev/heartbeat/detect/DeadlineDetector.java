package dev.heartbeat.detect;

import dev.heartbeat.internal.Checks;
import dev.heartbeat.peer.Liveness;
import java.time.Duration;
import java.util.Locale;

/**
 * The plain fixed-timeout detector: SUSPECT after {@code suspectAfter} of silence, DEAD after
 * {@code deadAfter}. What most hand-rolled heartbeats (and Netty's {@code IdleStateHandler}) do;
 * kept as a baseline and for peers whose rhythm is too irregular to model. Its
 * {@link #suspicion} is the silence divided by {@code deadAfter} (1.0 = dead).
 *
 * <p>Not thread-safe; one instance per peer.
 */
public final class DeadlineDetector implements LivenessDetector {

    private final Config config;
    private boolean hasHeartbeat;
    private long last;

    /** A detector with the given configuration. */
    public DeadlineDetector(Config config) {
        this.config = config;
    }

    @Override
    public void heartbeat(long nowNanos, boolean sample) {
        hasHeartbeat = true;
        last = nowNanos;
    }

    @Override
    public void forgive(long pauseNanos, long nowNanos) {
        if (hasHeartbeat && pauseNanos > 0) {
            last = Math.min(nowNanos, last + pauseNanos);
        }
    }

    @Override
    public void reset() {
        hasHeartbeat = false;
    }

    @Override
    public boolean hasHeartbeat() {
        return hasHeartbeat;
    }

    @Override
    public long lastHeartbeatNanos() {
        return last;
    }

    @Override
    public double suspicion(long nowNanos) {
        return hasHeartbeat ? (nowNanos - last) / (double) config.deadAfterNanos : 0.0;
    }

    @Override
    public Liveness assess(long nowNanos) {
        if (!hasHeartbeat) {
            return Liveness.UNKNOWN;
        }
        long silent = nowNanos - last;
        if (silent >= config.deadAfterNanos) {
            return Liveness.DEAD;
        }
        return silent >= config.suspectAfterNanos ? Liveness.SUSPECT : Liveness.ALIVE;
    }

    @Override
    public long nextChangeNanos(long nowNanos) {
        if (!hasHeartbeat) {
            return Long.MAX_VALUE;
        }
        long suspectAt = last + config.suspectAfterNanos;
        if (nowNanos < suspectAt) {
            return suspectAt;
        }
        long deadAt = last + config.deadAfterNanos;
        return nowNanos < deadAt ? deadAt : Long.MAX_VALUE;
    }

    @Override
    public String explain(long nowNanos) {
        if (!hasHeartbeat) {
            return "no heartbeat yet";
        }
        long silent = nowNanos - last;
        long limit = silent >= config.deadAfterNanos ? config.deadAfterNanos : config.suspectAfterNanos;
        return String.format(Locale.ROOT, "silent %.0f ms %s %.0f ms", silent / 1e6, silent >= limit ? ">=" : "<", limit / 1e6);
    }

    /** Immutable configuration; also the factory. */
    public static final class Config implements LivenessDetector.Factory {

        /** Default silence before DEAD. */
        public static final Duration DEFAULT_DEAD_AFTER = Duration.ofSeconds(1);
        /** Default silence before SUSPECT. */
        public static final Duration DEFAULT_SUSPECT_AFTER = Duration.ofMillis(500);

        private final long suspectAfterNanos;
        private final long deadAfterNanos;

        private Config(long suspectAfterNanos, long deadAfterNanos) {
            this.suspectAfterNanos = suspectAfterNanos;
            this.deadAfterNanos = deadAfterNanos;
        }

        /** Defaults: suspect after 500 ms, dead after 1 s. */
        public static Config ofDefaults() {
            return of(DEFAULT_SUSPECT_AFTER, DEFAULT_DEAD_AFTER);
        }

        /**
         * @throws IllegalArgumentException when a duration is not positive or suspectAfter is not below deadAfter
         */
        public static Config of(Duration suspectAfter, Duration deadAfter) {
            Checks.positive("suspectAfter", suspectAfter);
            if (deadAfter == null || deadAfter.compareTo(suspectAfter) <= 0) {
                throw Checks.bad("deadAfter", deadAfter, "> suspectAfter " + suspectAfter);
            }
            return new Config(suspectAfter.toNanos(), deadAfter.toNanos());
        }

        @Override
        public LivenessDetector create(long expectedIntervalNanos) {
            return new DeadlineDetector(this);
        }

        public Duration suspectAfter() {
            return Duration.ofNanos(suspectAfterNanos);
        }

        public Duration deadAfter() {
            return Duration.ofNanos(deadAfterNanos);
        }

        @Override
        public String toString() {
            return "Deadline{suspectAfter=" + suspectAfter() + ", deadAfter=" + deadAfter() + "}";
        }
    }
}
