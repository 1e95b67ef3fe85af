package dev.heartbeat.engine;

import dev.heartbeat.internal.Checks;
import dev.heartbeat.detect.LivenessDetector;
import dev.heartbeat.detect.AdaptiveDetector;
import dev.heartbeat.detect.ThresholdUsabilityPolicy;
import dev.heartbeat.detect.UsabilityHysteresis;
import dev.heartbeat.detect.UsabilityPolicy;
import java.time.Duration;
import java.util.Objects;

/**
 * Immutable configuration of a {@link HeartbeatMonitor}. Build with {@link #custom()}; every
 * setter checks its value and names it in the error; cross-field rules are checked in
 * {@link Builder#build()}. Defaults are in the {@code DEFAULT_*} constants and in
 * {@code docs/configuration.md}.
 */
public final class MonitorConfig {

    /** Time between PINGs to a healthy peer. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(200);
    /** Time between PINGs to a SUSPECT peer (extra probes before declaring it dead). */
    public static final Duration DEFAULT_PROBE_INTERVAL = Duration.ofMillis(50);
    /** A peer that has not answered this long after being added is DEAD. */
    public static final Duration DEFAULT_INITIAL_TIMEOUT = Duration.ofSeconds(2);
    /** Consecutive heartbeats an inferred (load, RTT) verdict needs to make usability worse. */
    public static final int DEFAULT_DEGRADE_AFTER = 3;
    /** Consecutive heartbeats a better verdict needs to make usability better. */
    public static final int DEFAULT_RECOVER_AFTER = 3;
    /** Random spread of each interval, as a fraction of it, so peers are not pinged in lockstep. */
    public static final double DEFAULT_JITTER = 0.1;
    /** Longest default time after a detected local pause during which no peer is condemned (the default is min(this, interval)). */
    public static final Duration DEFAULT_PAUSE_GRACE = Duration.ofMillis(250);
    /** Longest default timer lateness that counts as an own pause (the default is interval / 4, 1 ms..this). */
    public static final Duration DEFAULT_PAUSE_THRESHOLD = Duration.ofMillis(100);
    /** Quick probes that must go unanswered after SUSPECT before a detector's DEAD verdict stands. */
    public static final int DEFAULT_DEAD_AFTER_PROBES = 2;

    /** Recent fraction of unanswered PINGs at which a peer answering otherwise well is DEGRADED. */
    public static final double DEFAULT_DEGRADED_LOSS = 0.25;
    /** Default cap of a peer's advised minimum interval, as a multiple of {@link #interval()}. */
    public static final int DEFAULT_MAX_ADVISED_INTERVAL_FACTOR = 10;
    /** Default detection bound, as a multiple of {@link #maxAdvisedInterval()}. */
    public static final int DEFAULT_MAX_SILENCE_FACTOR = 3;
    /** Default forgiveness budget per silence, as a multiple of {@link #interval()}. */
    public static final int DEFAULT_MAX_FORGIVENESS_FACTOR = 10;

    private static final MonitorConfig DEFAULTS = custom().build();

    private final Duration interval;
    private final Duration probeInterval;
    private final Duration initialTimeout;
    private final LivenessDetector.Factory detector;
    private final UsabilityPolicy usabilityPolicy;
    private final int degradeAfter;
    private final int recoverAfter;
    private final double jitter;
    private final Duration pauseThreshold;
    private final Duration pauseGrace;
    private final Duration explicitPauseThreshold;
    private final Duration explicitPauseGrace;
    private final int deadAfterProbes;
    private final boolean honorPeerMinInterval;
    private final double degradedLoss;
    private final Duration maxAdvisedInterval;
    private final Duration maxSilence;
    private final Duration maxForgiveness;
    private final Duration explicitMaxAdvisedInterval;
    private final Duration explicitMaxSilence;
    private final Duration explicitMaxForgiveness;

    // The durations a peer's engine reads on its thread, in nanoseconds: computed once here and read
    // by every peer of this configuration, instead of a copy in each peer.
    final long intervalNanos;
    final long probeNanos;
    final long initialTimeoutNanos;
    final long pauseGraceNanos;
    final long maxAdvisedNanos;
    final long maxSilenceNanos;
    final long maxForgivenessNanos;
    /** The usability hysteresis of {@link #degradeAfter()} and {@link #recoverAfter()}: a stateless rule, shared likewise. */
    final UsabilityHysteresis hysteresis;

    private MonitorConfig(Builder b, Duration maxAdvisedInterval, Duration maxSilence, Duration maxForgiveness) {
        interval = b.interval;
        probeInterval = b.probeInterval;
        initialTimeout = b.initialTimeout;
        detector = b.detector;
        usabilityPolicy = b.usabilityPolicy;
        degradeAfter = b.degradeAfter;
        recoverAfter = b.recoverAfter;
        jitter = b.jitter;
        explicitPauseThreshold = b.pauseThreshold;
        explicitPauseGrace = b.pauseGrace;
        pauseThreshold = b.pauseThreshold != null ? b.pauseThreshold : Builder.clampD(b.interval.dividedBy(4),
                Duration.ofMillis(1), DEFAULT_PAUSE_THRESHOLD);
        pauseGrace = b.pauseGrace != null ? b.pauseGrace : Builder.clampD(b.interval, Duration.ZERO, DEFAULT_PAUSE_GRACE);
        deadAfterProbes = b.deadAfterProbes;
        honorPeerMinInterval = b.honorPeerMinInterval;
        degradedLoss = b.degradedLoss;
        this.maxAdvisedInterval = maxAdvisedInterval;
        this.maxSilence = maxSilence;
        this.maxForgiveness = maxForgiveness;
        explicitMaxAdvisedInterval = b.maxAdvisedInterval;
        explicitMaxSilence = b.maxSilence;
        explicitMaxForgiveness = b.maxForgiveness;
        intervalNanos = interval.toNanos();
        probeNanos = probeInterval.toNanos();
        initialTimeoutNanos = initialTimeout.toNanos();
        pauseGraceNanos = pauseGrace.toNanos();
        maxAdvisedNanos = maxAdvisedInterval.toNanos();
        maxSilenceNanos = maxSilence.toNanos();
        maxForgivenessNanos = maxForgiveness.toNanos();
        hysteresis = new UsabilityHysteresis(degradeAfter, recoverAfter);
    }

    /** The defaults. */
    public static MonitorConfig ofDefaults() {
        return DEFAULTS;
    }

    /** A builder starting from the defaults. */
    public static Builder custom() {
        return new Builder();
    }

    /** A builder starting from {@code base}. */
    public static Builder from(MonitorConfig base) {
        Builder b = new Builder();
        b.interval = base.interval;
        b.probeInterval = base.probeInterval;
        b.initialTimeout = base.initialTimeout;
        b.detector = base.detector;
        b.usabilityPolicy = base.usabilityPolicy;
        b.degradeAfter = base.degradeAfter;
        b.recoverAfter = base.recoverAfter;
        b.jitter = base.jitter;
        b.pauseThreshold = base.explicitPauseThreshold;
        b.pauseGrace = base.explicitPauseGrace;
        b.deadAfterProbes = base.deadAfterProbes;
        b.honorPeerMinInterval = base.honorPeerMinInterval;
        b.degradedLoss = base.degradedLoss;
        b.maxAdvisedInterval = base.explicitMaxAdvisedInterval;
        b.maxSilence = base.explicitMaxSilence;
        b.maxForgiveness = base.explicitMaxForgiveness;
        return b;
    }

    public Duration interval() {
        return interval;
    }

    public Duration probeInterval() {
        return probeInterval;
    }

    public Duration initialTimeout() {
        return initialTimeout;
    }

    public LivenessDetector.Factory detector() {
        return detector;
    }

    public UsabilityPolicy usabilityPolicy() {
        return usabilityPolicy;
    }

    public int degradeAfter() {
        return degradeAfter;
    }

    public int recoverAfter() {
        return recoverAfter;
    }

    public double jitter() {
        return jitter;
    }

    /**
     * Timer lateness that counts as a pause of this monitor. Default: interval / 4, between 1 ms
     * and 100 ms — relative to the interval, because on a fast rhythm a short stall already
     * distorts a silence.
     */
    public Duration pauseThreshold() {
        return pauseThreshold;
    }

    /** After an own pause, no verdicts for this long. Default: min(interval, 250 ms). */
    public Duration pauseGrace() {
        return pauseGrace;
    }

    /**
     * PINGs that must go unanswered before a detector's DEAD verdict stands, k: counted from the
     * PING whose answer the detector found missing, regular beats and probes alike, each given one
     * probe wait (the slowest of the last 16 RTTs, plus their spread over the fastest — at least
     * an eighth of the slowest — plus 1 ms). When a peer becomes SUSPECT the monitor probes it at
     * once, back to back until k PINGs are out (never more often than the peer's advised minimum
     * interval), then every {@link #probeInterval()}; DEAD needs the detector's verdict and the
     * k-th PING unanswered for its wait. On a path that loses so many PINGs that k in a row would
     * go missing by chance more than once an hour (loss<sup>k</sup> &gt; interval / 1 h, with the
     * loss averaged over the last 4,096 PINGs), up to three more are required. A lost PONG is
     * answered by the next PING, a dead peer is not. 0 = DEAD from the detector alone. Default 2.
     * {@link #maxSilence()} applies regardless.
     */
    public int deadAfterProbes() {
        return deadAfterProbes;
    }

    public boolean honorPeerMinInterval() {
        return honorPeerMinInterval;
    }

    /**
     * The recent fraction of PINGs without an answer (an average over about the last 32, see
     * {@code Peer.lossRate()}) at which a peer whose answers are otherwise fine becomes DEGRADED
     * (through hysteresis), so that sustained loss shows before it costs the peer its liveness.
     * Default 0.25: 10% random loss stays USABLE.
     */
    public double degradedLoss() {
        return degradedLoss;
    }

    /**
     * The longest interval between PINGs a peer can make us adopt by advising a minimum interval
     * (its advice is clipped to this, and the clipping reported). Default: 10 × {@link #interval()}.
     */
    public Duration maxAdvisedInterval() {
        return maxAdvisedInterval;
    }

    /**
     * The detection bound: a peer that has sent no valid PONG for this long is DEAD, whatever its
     * detector's history and whatever the peer advised — no PONG content can stretch detection past
     * it. Own pauses are forgiven on top of it only up to {@link #maxForgiveness()}. Default:
     * 3 × {@link #maxAdvisedInterval()} (6 s at the default 200 ms interval).
     */
    public Duration maxSilence() {
        return maxSilence;
    }

    /**
     * The most of one silence that this monitor's own pauses (late timers, GC) may excuse. Past it,
     * verdicts go ahead even while the monitor is lagging: overload must not switch detection off.
     * Worst-case detection time of a silent peer on a starved monitor: {@link #maxSilence()} +
     * {@code maxForgiveness} + the lateness of one timer. Default: 10 × {@link #interval()}.
     */
    public Duration maxForgiveness() {
        return maxForgiveness;
    }

    @Override
    public String toString() {
        return "MonitorConfig{interval=" + interval + ", probeInterval=" + probeInterval + ", initialTimeout="
                + initialTimeout + ", detector=" + detector + ", degradeAfter=" + degradeAfter + ", recoverAfter="
                + recoverAfter + ", jitter=" + jitter + ", pauseThreshold=" + pauseThreshold + ", pauseGrace="
                + pauseGrace + ", deadAfterProbes=" + deadAfterProbes + ", honorPeerMinInterval=" + honorPeerMinInterval + ", degradedLoss=" + degradedLoss
                + ", maxAdvisedInterval=" + maxAdvisedInterval + ", maxSilence=" + maxSilence + ", maxForgiveness=" + maxForgiveness + "}";
    }

    /** Validating builder. */
    public static final class Builder {
        private Duration interval = DEFAULT_INTERVAL;
        private Duration probeInterval = DEFAULT_PROBE_INTERVAL;
        private Duration initialTimeout = DEFAULT_INITIAL_TIMEOUT;
        private LivenessDetector.Factory detector = AdaptiveDetector.Config.ofDefaults();
        private UsabilityPolicy usabilityPolicy = ThresholdUsabilityPolicy.ofDefaults();
        private int degradeAfter = DEFAULT_DEGRADE_AFTER;
        private int recoverAfter = DEFAULT_RECOVER_AFTER;
        private double jitter = DEFAULT_JITTER;
        private Duration pauseThreshold;
        private Duration pauseGrace;
        private int deadAfterProbes = DEFAULT_DEAD_AFTER_PROBES;
        private boolean honorPeerMinInterval = true;
        private Duration maxAdvisedInterval;
        private Duration maxSilence;
        private Duration maxForgiveness;
        private double degradedLoss = DEFAULT_DEGRADED_LOSS;

        private Builder() {
        }

        /** Loss fraction that makes a peer DEGRADED: 0.01..1.0, where 1.0 turns the rule off (default 0.25). */
        public Builder degradedLoss(double degradedLoss) {
            if (!(degradedLoss >= 0.01 && degradedLoss <= 1.0)) {
                throw Checks.bad("degradedLoss", degradedLoss, "0.01..1.0");
            }
            this.degradedLoss = degradedLoss;
            return this;
        }

        /** Cap of a peer's advised minimum interval: 1 ms..24 h, >= interval (default 10 × interval). */
        public Builder maxAdvisedInterval(Duration maxAdvisedInterval) {
            this.maxAdvisedInterval = range("maxAdvisedInterval", maxAdvisedInterval, Duration.ofMillis(1),
                    Duration.ofHours(24));
            return this;
        }

        /** Detection bound: 1 ms..72 h, >= 2 × maxAdvisedInterval (default 3 × maxAdvisedInterval). */
        public Builder maxSilence(Duration maxSilence) {
            this.maxSilence = range("maxSilence", maxSilence, Duration.ofMillis(1), Duration.ofHours(72));
            return this;
        }

        /** Own-pause forgiveness per silence: 0..24 h, <= maxSilence (default 10 × interval). */
        public Builder maxForgiveness(Duration maxForgiveness) {
            this.maxForgiveness = range("maxForgiveness", maxForgiveness, Duration.ZERO, Duration.ofHours(24));
            return this;
        }

        /** Time between PINGs to a healthy peer: 1 ms..1 h (default 200 ms). */
        public Builder interval(Duration interval) {
            this.interval = range("interval", interval, Duration.ofMillis(1), Duration.ofHours(1));
            return this;
        }

        /** Time between PINGs to a SUSPECT peer: 1 ms..interval (default 50 ms). */
        public Builder probeInterval(Duration probeInterval) {
            this.probeInterval = range("probeInterval", probeInterval, Duration.ofMillis(1), Duration.ofHours(1));
            return this;
        }

        /** How long a newly added peer may stay silent before it is DEAD: 1 ms..1 h (default 2 s). */
        public Builder initialTimeout(Duration initialTimeout) {
            this.initialTimeout = range("initialTimeout", initialTimeout, Duration.ofMillis(1), Duration.ofHours(1));
            return this;
        }

        /** The liveness detector (default: {@link AdaptiveDetector.Config#ofDefaults()}). */
        public Builder detector(LivenessDetector.Factory detector) {
            this.detector = Objects.requireNonNull(detector, "detector");
            return this;
        }

        /** The usability policy (default: {@link ThresholdUsabilityPolicy#ofDefaults()}). */
        public Builder usabilityPolicy(UsabilityPolicy usabilityPolicy) {
            this.usabilityPolicy = Objects.requireNonNull(usabilityPolicy, "usabilityPolicy");
            return this;
        }

        /** Heartbeats an inferred worse verdict must repeat: 1..100 (default 3). */
        public Builder degradeAfter(int n) {
            this.degradeAfter = count("degradeAfter", n);
            return this;
        }

        /** Heartbeats a better verdict must repeat: 1..100 (default 3). */
        public Builder recoverAfter(int n) {
            this.recoverAfter = count("recoverAfter", n);
            return this;
        }

        /** Random spread of each interval, 0.0..0.5 (default 0.1). */
        public Builder jitter(double jitter) {
            if (!(jitter >= 0 && jitter <= 0.5)) {
                throw Checks.bad("jitter", jitter, "0.0..0.5");
            }
            this.jitter = jitter;
            return this;
        }

        /** Timer lateness that counts as a local pause: 1 ms..1 min (default interval / 4, 1..100 ms). */
        public Builder pauseThreshold(Duration pauseThreshold) {
            this.pauseThreshold = range("pauseThreshold", pauseThreshold, Duration.ofMillis(1), Duration.ofMinutes(1));
            return this;
        }

        /** Time after a local pause during which no verdict is made: 0..1 min (default min(interval, 250 ms)). */
        public Builder pauseGrace(Duration pauseGrace) {
            this.pauseGrace = range("pauseGrace", pauseGrace, Duration.ZERO, Duration.ofMinutes(1));
            return this;
        }

        /** Unanswered PINGs (probes included) before DEAD: 0..10, 0 = off (default 2). */
        public Builder deadAfterProbes(int k) {
            this.deadAfterProbes = Checks.range("deadAfterProbes", k, 0, 10);
            return this;
        }

        /** Whether to slow down to a responder's advised minimum interval (default true). */
        public Builder honorPeerMinInterval(boolean honor) {
            this.honorPeerMinInterval = honor;
            return this;
        }

        /**
         * @throws IllegalArgumentException when probeInterval exceeds interval
         */
        public MonitorConfig build() {
            if (probeInterval.compareTo(interval) > 0) {
                throw Checks.bad("probeInterval", probeInterval, "<= interval " + interval);
            }
            Duration advised = maxAdvisedInterval != null ? maxAdvisedInterval
                    : interval.multipliedBy(DEFAULT_MAX_ADVISED_INTERVAL_FACTOR);
            if (advised.compareTo(interval) < 0) {
                throw Checks.bad("maxAdvisedInterval", advised, ">= interval " + interval);
            }
            Duration silence = maxSilence != null ? maxSilence : advised.multipliedBy(DEFAULT_MAX_SILENCE_FACTOR);
            if (silence.compareTo(advised.multipliedBy(2)) < 0) {
                throw Checks.bad("maxSilence", silence, ">= 2 × maxAdvisedInterval " + advised
                        + " (a peer beating at the advised interval must not be declared dead for it)");
            }
            Duration forgiveness = maxForgiveness != null ? maxForgiveness
                    : interval.multipliedBy(DEFAULT_MAX_FORGIVENESS_FACTOR);
            if (forgiveness.compareTo(silence) > 0) {
                throw Checks.bad("maxForgiveness", forgiveness, "<= maxSilence " + silence);
            }
            return new MonitorConfig(this, advised, silence, forgiveness);
        }

        private static Duration range(String name, Duration v, Duration min, Duration max) {
            return Checks.range(name, v, min, max);
        }

        private static Duration clampD(Duration d, Duration min, Duration max) {
            return d.compareTo(min) < 0 ? min : d.compareTo(max) > 0 ? max : d;
        }

        private static int count(String name, int n) {
            return Checks.range(name, n, 1, 100);
        }
    }
}
