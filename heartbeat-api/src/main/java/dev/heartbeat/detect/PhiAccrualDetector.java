package dev.heartbeat.detect;

import dev.heartbeat.internal.Checks;
import dev.heartbeat.peer.Liveness;
import java.time.Duration;
import java.util.Locale;

/**
 * The φ accrual failure detector of Hayashibara et al., "The φ Accrual Failure Detector" (2004),
 * in the form Akka/Pekko and Cassandra use.
 *
 * <p>Instead of a yes/no timeout it outputs a suspicion level
 * <pre>
 *   φ(t) = −log10(1 − F(t))
 * </pre>
 * where {@code t} is the time since the last heartbeat and {@code F} is the cumulative
 * distribution of a normal distribution fitted to recent inter-arrival intervals: mean
 * {@code μ + acceptablePause}, standard deviation {@code max(σ, minStdDeviation)}. φ = 1 means a
 * 10% chance that a heartbeat that late would still come, φ = 8 means 10<sup>−8</sup>.
 *
 * <p>F is computed with the logistic approximation of the normal CDF,
 * {@code F(y) ≈ 1 / (1 + e^{−z})} with {@code z = y(1.5976 + 0.070566 y²)} and
 * {@code y = (t − mean) / σ}, whose absolute error is below 1.4·10<sup>−4</sup> (Bowling et al.,
 * 2009). Then {@code 1 − F = 1 / (1 + e^{z})} and
 * <pre>
 *   φ = log10(1 + e^{z}) = (z + ln(1 + e^{−z})) / ln 10     (z &gt; 0;  ln(1 + e^{z}) / ln 10 otherwise)
 * </pre>
 * computed in log space: no exponential of a large number is ever formed, so φ is finite and
 * strictly growing for any silence (the old form, via {@code e/(1+e)}, underflowed near y ≈ 21.6
 * and jumped from ~320 to {@code Double.MAX_VALUE}). In φ terms the approximation is within 0.02 up
 * to y = 3 and slightly pessimistic further out (φ 4.74 where the exact value is 4.50 at y = 4),
 * which errs towards earlier detection; the tests pin these values.
 *
 * <p>Costs: O(1) per heartbeat and per evaluation — the history is a ring of at most
 * {@link Config#maxSampleSize()} intervals with running sums of x and x². Every silence the peer
 * survived is recorded, including answers to extra probes and intervals that outlived a DEAD
 * verdict (Pekko drops those, and so did this class: after the peer's rhythm stepped from 100 ms to
 * 1 s, every gap then went DEAD and the model never moved). An interval that outlived the verdict
 * is recorded only up to twice the silence at which the peer became DEAD, so that a peer frozen for
 * a minute does not teach the detector to wait a minute. Not recorded: answers that queued up
 * behind a silence and arrive back to back ({@code sample == false}), and intervals distorted by
 * the observer's own pause ({@link #forgive}). Before the first heartbeat φ is 0. The history is
 * seeded with the expected interval (two samples, μ ± μ/4) so the first heartbeats are judged
 * against the configured rhythm.
 *
 * <p>Not thread-safe; one instance per peer.
 */
public final class PhiAccrualDetector implements LivenessDetector {

    private static final double LN10 = Math.log(10);

    private final Config config;
    private final long expectedIntervalNanos;
    private final long[] intervals;
    private int head;
    private int count;
    private double sum;
    private double sumSquares;

    private boolean hasHeartbeat;
    private long last;
    private boolean skipNext;

    /** A detector with the given configuration for a peer heartbeating about every {@code expectedInterval}. */
    public PhiAccrualDetector(Config config, Duration expectedInterval) {
        this(config, expectedInterval.toNanos());
    }

    PhiAccrualDetector(Config config, long expectedIntervalNanos) {
        if (expectedIntervalNanos <= 0) {
            throw Checks.bad("expectedInterval", expectedIntervalNanos + "ns", "> 0");
        }
        this.config = config;
        this.expectedIntervalNanos = expectedIntervalNanos;
        this.intervals = new long[config.maxSampleSize];
        seed();
    }

    private void seed() {
        head = 0;
        count = 0;
        sum = 0;
        sumSquares = 0;
        long sd = expectedIntervalNanos / 4;
        add(expectedIntervalNanos - sd);
        add(expectedIntervalNanos + sd);
    }

    private void add(long interval) {
        if (count == intervals.length) {
            long old = intervals[head];
            sum -= old;
            sumSquares -= (double) old * old;
        } else {
            count++;
        }
        intervals[head] = interval;
        head = (head + 1) % intervals.length;
        sum += interval;
        sumSquares += (double) interval * interval;
    }

    @Override
    public void heartbeat(long nowNanos, boolean sample) {
        if (hasHeartbeat) {
            long interval = nowNanos - last;
            if (sample && !skipNext && interval > 0) {
                add(Math.min(interval, 2 * deadAfterNanos()));
            }
        }
        skipNext = !sample;
        hasHeartbeat = true;
        last = nowNanos;
    }

    @Override
    public void forgive(long pauseNanos, long nowNanos) {
        if (hasHeartbeat && pauseNanos > 0) {
            last = Math.min(nowNanos, last + pauseNanos);
            skipNext = true;
        }
    }

    @Override
    public void reset() {
        hasHeartbeat = false;
        skipNext = false;
        seed();
    }

    @Override
    public boolean hasHeartbeat() {
        return hasHeartbeat;
    }

    @Override
    public long lastHeartbeatNanos() {
        return last;
    }

    /** Mean of the recorded intervals, in nanoseconds (without the acceptable pause). */
    public double meanNanos() {
        return sum / count;
    }

    /** Standard deviation of the recorded intervals, in nanoseconds (before the floor). */
    public double stdDeviationNanos() {
        double mean = sum / count;
        double variance = sumSquares / count - mean * mean;
        return variance > 0 ? Math.sqrt(variance) : 0;
    }

    @Override
    public double suspicion(long nowNanos) {
        return hasHeartbeat ? phi(nowNanos) : 0.0;
    }

    /** Silence after the last heartbeat at which φ reaches the DEAD threshold, in nanoseconds. */
    public long deadAfterNanos() {
        double sd = Math.max(stdDeviationNanos(), config.minStdDeviationNanos);
        return (long) Math.ceil(meanNanos() + config.acceptablePauseNanos + config.deadY * sd);
    }

    private double phi(long nowNanos) {
        double elapsed = nowNanos - last;
        double mean = meanNanos() + config.acceptablePauseNanos;
        double sd = Math.max(stdDeviationNanos(), config.minStdDeviationNanos);
        return phi(elapsed, mean, sd);
    }

    /**
     * φ for a time since the last heartbeat, given the distribution's mean and standard deviation
     * (all in the same unit). The pure function behind the detector; always finite and &ge; 0.
     */
    public static double phi(double elapsed, double mean, double stdDeviation) {
        double y = (elapsed - mean) / stdDeviation;
        double z = y * (1.5976 + 0.070566 * y * y);
        double p = z > 0 ? (z + Math.log1p(Math.exp(-z))) / LN10 : Math.log1p(Math.exp(z)) / LN10;
        if (Double.isNaN(p) || p <= 0) { // also turns -0.0 into 0.0
            return 0.0;
        }
        return Double.isInfinite(p) ? Double.MAX_VALUE : p;
    }

    @Override
    public long nextChangeNanos(long nowNanos) {
        if (!hasHeartbeat) {
            return Long.MAX_VALUE;
        }
        double mean = meanNanos() + config.acceptablePauseNanos;
        double sd = Math.max(stdDeviationNanos(), config.minStdDeviationNanos);
        // +1 µs so that φ evaluated at that instant is past the threshold despite rounding.
        long suspectAt = last + (long) Math.ceil(mean + config.suspectY * sd) + 1_000;
        if (nowNanos < suspectAt) {
            return suspectAt;
        }
        long deadAt = last + (long) Math.ceil(mean + config.deadY * sd) + 1_000;
        return nowNanos < deadAt ? deadAt : Long.MAX_VALUE;
    }

    @Override
    public Liveness assess(long nowNanos) {
        if (!hasHeartbeat) {
            return Liveness.UNKNOWN;
        }
        double phi = phi(nowNanos);
        if (phi >= config.threshold) {
            return Liveness.DEAD;
        }
        return phi >= config.suspectThreshold ? Liveness.SUSPECT : Liveness.ALIVE;
    }

    @Override
    public String explain(long nowNanos) {
        if (!hasHeartbeat) {
            return "no heartbeat yet";
        }
        double phi = phi(nowNanos);
        double silentMs = (nowNanos - last) / 1e6;
        if (phi >= config.threshold) {
            return String.format(Locale.ROOT, "φ %.2f >= %.1f (silent %.0f ms)", Math.min(phi, 999.99), config.threshold, silentMs);
        }
        if (phi >= config.suspectThreshold) {
            return String.format(Locale.ROOT, "φ %.2f >= %.1f (silent %.0f ms)", phi, config.suspectThreshold, silentMs);
        }
        return String.format(Locale.ROOT, "φ %.2f < %.1f", phi, config.suspectThreshold);
    }

    /** The configuration. */
    public Config config() {
        return config;
    }

    /**
     * Immutable configuration of {@link PhiAccrualDetector}; also its {@link LivenessDetector.Factory}.
     * Build with {@link #custom()}, start from {@link #ofDefaults()}.
     */
    public static final class Config implements LivenessDetector.Factory {

        /** φ at which a peer is DEAD: 8 means a 10⁻⁸ chance of a mistake per evaluation, if intervals were normal. */
        public static final double DEFAULT_THRESHOLD = 8.0;
        /** φ at which a peer is SUSPECT and gets extra probes. */
        public static final double DEFAULT_SUSPECT_THRESHOLD = 3.0;
        /** Intervals kept in the history. */
        public static final int DEFAULT_MAX_SAMPLE_SIZE = 200;
        /** Floor of the standard deviation, so a very regular peer is not condemned for one late beat. */
        public static final Duration DEFAULT_MIN_STD_DEVIATION = Duration.ofMillis(50);
        /** Extra silence tolerated on top of the mean interval (peer GC pauses, network hiccups). */
        public static final Duration DEFAULT_ACCEPTABLE_PAUSE = Duration.ofMillis(400);

        private static final Config DEFAULTS = custom().build();

        private final double threshold;
        private final double suspectThreshold;
        private final int maxSampleSize;
        private final long minStdDeviationNanos;
        private final long acceptablePauseNanos;
        /** Standardised distance from the mean at which φ reaches each threshold. */
        final double suspectY;
        final double deadY;

        private Config(Builder b) {
            this.threshold = b.threshold;
            this.suspectThreshold = b.suspectThreshold;
            this.maxSampleSize = b.maxSampleSize;
            this.minStdDeviationNanos = b.minStdDeviation.toNanos();
            this.acceptablePauseNanos = b.acceptablePause.toNanos();
            this.suspectY = inversePhi(suspectThreshold);
            this.deadY = inversePhi(threshold);
        }

        /** The y at which φ(y) first reaches {@code target}, by bisection on the monotonic φ. */
        static double inversePhi(double target) {
            double lo = -50;
            double hi = 1_000;
            for (int i = 0; i < 200; i++) {
                double mid = (lo + hi) / 2;
                if (phi(mid, 0, 1) >= target) {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            return hi;
        }

        /** The defaults. */
        public static Config ofDefaults() {
            return DEFAULTS;
        }

        /** A builder starting from the defaults. */
        public static Builder custom() {
            return new Builder();
        }

        /** A builder starting from {@code base}. */
        public static Builder from(Config base) {
            return new Builder()
                    .threshold(base.threshold)
                    .suspectThreshold(base.suspectThreshold)
                    .maxSampleSize(base.maxSampleSize)
                    .minStdDeviation(Duration.ofNanos(base.minStdDeviationNanos))
                    .acceptablePause(Duration.ofNanos(base.acceptablePauseNanos));
        }

        @Override
        public LivenessDetector create(long expectedIntervalNanos) {
            return new PhiAccrualDetector(this, expectedIntervalNanos);
        }

        public double threshold() {
            return threshold;
        }

        public double suspectThreshold() {
            return suspectThreshold;
        }

        public int maxSampleSize() {
            return maxSampleSize;
        }

        public Duration minStdDeviation() {
            return Duration.ofNanos(minStdDeviationNanos);
        }

        public Duration acceptablePause() {
            return Duration.ofNanos(acceptablePauseNanos);
        }

        @Override
        public String toString() {
            return "PhiAccrual{threshold=" + threshold + ", suspectThreshold=" + suspectThreshold + ", maxSampleSize="
                    + maxSampleSize + ", minStdDeviation=" + minStdDeviation() + ", acceptablePause=" + acceptablePause() + "}";
        }

        /** Validating builder; each setter checks its own value, {@link #build()} the cross-field rules. */
        public static final class Builder {
            private double threshold = DEFAULT_THRESHOLD;
            private double suspectThreshold = DEFAULT_SUSPECT_THRESHOLD;
            private int maxSampleSize = DEFAULT_MAX_SAMPLE_SIZE;
            private Duration minStdDeviation = DEFAULT_MIN_STD_DEVIATION;
            private Duration acceptablePause = DEFAULT_ACCEPTABLE_PAUSE;

            private Builder() {
            }

            /** φ at which a peer is DEAD. Higher: fewer mistakes, slower detection. Must be &gt; 0. */
            public Builder threshold(double threshold) {
                this.threshold = Checks.positiveFinite("threshold", threshold);
                return this;
            }

            /** φ at which a peer is SUSPECT. Must be &gt; 0 and &lt; threshold (checked in build). */
            public Builder suspectThreshold(double suspectThreshold) {
                this.suspectThreshold = Checks.positiveFinite("suspectThreshold", suspectThreshold);
                return this;
            }

            /** Intervals kept; more adapts slower. 2..100,000. */
            public Builder maxSampleSize(int maxSampleSize) {
                this.maxSampleSize = Checks.range("maxSampleSize", maxSampleSize, 2, 100_000);
                return this;
            }

            /** Floor of the standard deviation. Larger: fewer mistakes on regular peers that hiccup. Must be &gt; 0. */
            public Builder minStdDeviation(Duration minStdDeviation) {
                this.minStdDeviation = Checks.positive("minStdDeviation", minStdDeviation);
                return this;
            }

            /**
             * Silence tolerated on top of the mean interval. Detection time grows by about this
             * much; mistakes on GC-like pauses shorter than it mostly vanish. Must be &ge; 0.
             */
            public Builder acceptablePause(Duration acceptablePause) {
                this.acceptablePause = Checks.nonNegative("acceptablePause", acceptablePause);
                return this;
            }

            /**
             * @throws IllegalArgumentException when suspectThreshold is not below threshold
             */
            public Config build() {
                if (suspectThreshold >= threshold) {
                    throw Checks.bad("suspectThreshold", suspectThreshold, "< threshold " + threshold);
                }
                return new Config(this);
            }
        }
    }
}
