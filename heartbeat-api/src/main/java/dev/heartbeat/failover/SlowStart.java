package dev.heartbeat.failover;

import dev.heartbeat.internal.Checks;
import java.time.Duration;
import java.util.Objects;
import java.util.Random;

/**
 * How a peer that comes back re-enters routing: not with its full share at once, but after a
 * random delay (so a fleet of clients does not re-admit it at the same instant) along a linear ramp.
 * Immutable; build with {@link #custom()}.
 *
 * <pre>
 *  share
 *   1.0 ┤                       ┌──────────
 *       │                   ╱
 *       │               ╱
 *   min ┤ ─ ─ ─ ─ ┌ ╱
 *     0 ┼─────────┘
 *       └─────────┬─────────────┬────────── time
 *     healthy     rampStart      rampStart + window
 *     again       (+ uniform 0..readmissionJitter)
 * </pre>
 *
 * {@code share(t) = minShare + (1 − minShare) · t / window} for {@code 0 ≤ t < window}, where
 * {@code t} is the time since the ramp started; 0 before it (the peer is then used only when no
 * other peer can take the call), 1 after. The share multiplies the peer's weight in the router's
 * random choice, so a peer at 0.3 is offered about 30 % of the calls it would get at full share.
 *
 * <p>Trade-offs: a longer window protects a cold peer (empty caches, JIT, connection pools) better
 * but keeps the other peers loaded longer; the jitter should be about the time it takes a peer to
 * notice a stampede (a few heartbeats), and spreads the clients' first calls over that time.
 */
public final class SlowStart {

    /** Default ramp length: 10 s. */
    public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(10);
    /** Default share at the start of the ramp: 0.1 (Envoy's default minimum weight, 10 %). */
    public static final double DEFAULT_MIN_SHARE = 0.1;
    /** Default spread of the ramp's start: up to 1 s. */
    public static final Duration DEFAULT_READMISSION_JITTER = Duration.ofSeconds(1);

    private static final Duration MAX = Duration.ofHours(1);
    private static final SlowStart DEFAULTS = custom().build();
    private static final SlowStart DISABLED = custom().window(Duration.ZERO).readmissionJitter(Duration.ZERO).build();

    private final Duration window;
    private final long windowNanos;
    private final double minShare;
    private final Duration readmissionJitter;
    private final long jitterNanos;

    private SlowStart(Builder b) {
        this.window = b.window;
        this.windowNanos = b.window.toNanos();
        this.minShare = b.minShare;
        this.readmissionJitter = b.readmissionJitter;
        this.jitterNanos = b.readmissionJitter.toNanos();
    }

    /** The defaults: a 10 s ramp from 0.1, started within 1 s. */
    public static SlowStart ofDefaults() {
        return DEFAULTS;
    }

    /** No ramp, no delay: a peer that comes back takes its full share at once. */
    public static SlowStart disabled() {
        return DISABLED;
    }

    public static Builder custom() {
        return new Builder();
    }

    /** A builder starting from {@code base}'s values. */
    public static Builder from(SlowStart base) {
        Builder b = new Builder();
        b.window = base.window;
        b.minShare = base.minShare;
        b.readmissionJitter = base.readmissionJitter;
        return b;
    }

    public Duration window() {
        return window;
    }

    public double minShare() {
        return minShare;
    }

    public Duration readmissionJitter() {
        return readmissionJitter;
    }

    /** True when a returning peer gets neither a delay nor a ramp. */
    public boolean isDisabled() {
        return windowNanos == 0 && jitterNanos == 0;
    }

    /**
     * The share of a peer whose ramp started {@code sinceStartNanos} ago (negative: not yet), 0..1.
     * A pure function of its argument.
     */
    public double share(long sinceStartNanos) {
        if (sinceStartNanos < 0) {
            return 0;
        }
        if (sinceStartNanos >= windowNanos) {
            return 1;
        }
        return minShare + (1 - minShare) * ((double) sinceStartNanos / windowNanos);
    }

    /** A re-admission delay, uniform in [0, readmissionJitter], drawn from {@code random}. */
    public long jitterNanos(Random random) {
        if (jitterNanos == 0) {
            return 0;
        }
        return (long) (random.nextDouble() * (jitterNanos + 1));
    }

    @Override
    public String toString() {
        return "SlowStart{window=" + window + ", minShare=" + minShare + ", readmissionJitter=" + readmissionJitter + "}";
    }

    /** Validating builder; each setter checks its value. */
    public static final class Builder {
        private Duration window = DEFAULT_WINDOW;
        private double minShare = DEFAULT_MIN_SHARE;
        private Duration readmissionJitter = DEFAULT_READMISSION_JITTER;

        private Builder() {
        }

        /** Length of the ramp, 0..1 h (0: full share as soon as the delay is over). */
        public Builder window(Duration window) {
            this.window = Checks.range("slowStart.window", window, Duration.ZERO, MAX);
            return this;
        }

        /** Share at the start of the ramp, 0.01..1.0. */
        public Builder minShare(double minShare) {
            if (!(minShare >= 0.01 && minShare <= 1.0)) {
                throw Checks.bad("slowStart.minShare", minShare, "0.01..1.0");
            }
            this.minShare = minShare;
            return this;
        }

        /** Upper bound of the random delay before the ramp starts, 0..1 h. */
        public Builder readmissionJitter(Duration jitter) {
            this.readmissionJitter = Checks.range("slowStart.readmissionJitter", jitter, Duration.ZERO, MAX);
            return this;
        }

        public SlowStart build() {
            Objects.requireNonNull(window, "window");
            return new SlowStart(this);
        }
    }
}
