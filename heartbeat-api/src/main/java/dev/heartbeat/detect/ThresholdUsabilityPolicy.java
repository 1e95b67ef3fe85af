package dev.heartbeat.detect;

import dev.heartbeat.internal.Checks;
import dev.heartbeat.detect.UsabilityVerdict.Cause;
import dev.heartbeat.peer.Usability;
import dev.heartbeat.protocol.LoadView;
import dev.heartbeat.protocol.ServingStatus;
import java.time.Duration;
import java.util.Locale;

/**
 * The default {@link UsabilityPolicy}: the peer's own status first, then load thresholds, then RTT
 * against the peer's own baseline. The worst finding wins.
 *
 * <ul>
 *   <li>Status DRAINING or NOT_SERVING: UNUSABLE, immediately. DEGRADED: DEGRADED, immediately.</li>
 *   <li>A figure above its {@code unusable} limit: UNUSABLE; above its {@code degraded} limit:
 *       DEGRADED (subject to hysteresis: the peer did not say so, we inferred it).</li>
 *   <li>RTT above {@code rttFactor × baseline} and at least {@code rttMinExcess} above the
 *       baseline: DEGRADED. The baseline is the peer's own, so a far-away peer is not penalised
 *       for distance, only for getting slower.</li>
 * </ul>
 * Unknown figures are never held against a peer. Immutable and thread-safe.
 */
public final class ThresholdUsabilityPolicy implements UsabilityPolicy {

    private static final ThresholdUsabilityPolicy DEFAULTS = custom().build();

    private final double degradedCpu;
    private final double unusableCpu;
    private final double degradedMemory;
    private final double unusableMemory;
    private final double degradedErrorRate;
    private final double unusableErrorRate;
    private final long unusableQueueDepth;
    private final long unusableInFlight;
    private final long degradedLatencyMicros;
    private final double rttFactor;
    private final long rttMinExcessNanos;
    private final String rttDetail;

    private ThresholdUsabilityPolicy(Builder b) {
        degradedCpu = b.degradedCpu;
        unusableCpu = b.unusableCpu;
        degradedMemory = b.degradedMemory;
        unusableMemory = b.unusableMemory;
        degradedErrorRate = b.degradedErrorRate;
        unusableErrorRate = b.unusableErrorRate;
        unusableQueueDepth = b.unusableQueueDepth;
        unusableInFlight = b.unusableInFlight;
        degradedLatencyMicros = b.degradedLatencyMicros;
        rttFactor = b.rttFactor;
        rttMinExcessNanos = b.rttMinExcess.toNanos();
        rttDetail = String.format(Locale.ROOT, "%.1f × baseline", rttFactor);
    }

    /** The default thresholds. */
    public static ThresholdUsabilityPolicy ofDefaults() {
        return DEFAULTS;
    }

    /** A builder starting from the defaults. */
    public static Builder custom() {
        return new Builder();
    }

    @Override
    public void evaluate(ServingStatus status, LoadView load, long rttNanos, long rttBaselineNanos, UsabilityVerdict out) {
        switch (status) {
            case DRAINING:
                out.set(Usability.UNUSABLE, Cause.STATUS, "status DRAINING", 0, 0, true);
                return;
            case NOT_SERVING:
                out.set(Usability.UNUSABLE, Cause.STATUS, "status NOT_SERVING", 0, 0, true);
                return;
            default:
                break;
        }
        // Inferred UNUSABLE beats a self-reported DEGRADED.
        if (above(load.cpu(), unusableCpu)) {
            out.set(Usability.UNUSABLE, Cause.CPU, "cpu", load.cpu(), unusableCpu, false);
        } else if (above(load.memory(), unusableMemory)) {
            out.set(Usability.UNUSABLE, Cause.MEMORY, "memory", load.memory(), unusableMemory, false);
        } else if (above(load.errorRate(), unusableErrorRate)) {
            out.set(Usability.UNUSABLE, Cause.ERROR_RATE, "error rate", load.errorRate(), unusableErrorRate, false);
        } else if (load.queueDepth() > unusableQueueDepth) {
            out.set(Usability.UNUSABLE, Cause.QUEUE_DEPTH, "queue depth", load.queueDepth(), unusableQueueDepth, false);
        } else if (load.inFlight() > unusableInFlight) {
            out.set(Usability.UNUSABLE, Cause.IN_FLIGHT, "in-flight", load.inFlight(), unusableInFlight, false);
        } else if (status == ServingStatus.DEGRADED) {
            out.set(Usability.DEGRADED, Cause.STATUS, "status DEGRADED", 0, 0, true);
        } else if (above(load.cpu(), degradedCpu)) {
            out.set(Usability.DEGRADED, Cause.CPU, "cpu", load.cpu(), degradedCpu, false);
        } else if (above(load.memory(), degradedMemory)) {
            out.set(Usability.DEGRADED, Cause.MEMORY, "memory", load.memory(), degradedMemory, false);
        } else if (above(load.errorRate(), degradedErrorRate)) {
            out.set(Usability.DEGRADED, Cause.ERROR_RATE, "error rate", load.errorRate(), degradedErrorRate, false);
        } else if (load.latencyMicros() > degradedLatencyMicros) {
            out.set(Usability.DEGRADED, Cause.LATENCY, "latency µs", load.latencyMicros(), degradedLatencyMicros, false);
        } else if (rttBaselineNanos > 0 && rttNanos >= 0 && rttNanos > rttBaselineNanos * rttFactor
                && rttNanos - rttBaselineNanos >= rttMinExcessNanos) {
            out.set(Usability.DEGRADED, Cause.RTT, rttDetail, rttNanos, rttBaselineNanos * rttFactor, false);
        } else {
            out.set(Usability.USABLE, Cause.OK, "status SERVING", 0, 0, false);
        }
    }

    private static boolean above(double v, double limit) {
        return !Double.isNaN(v) && v > limit;
    }

    /** Validating builder. Fractions are 0..1; a limit of 1.0 (or {@code Long.MAX_VALUE}) disables that check. */
    public static final class Builder {
        private double degradedCpu = 0.85;
        private double unusableCpu = 0.95;
        private double degradedMemory = 0.90;
        private double unusableMemory = 0.98;
        private double degradedErrorRate = 0.10;
        private double unusableErrorRate = 0.50;
        private long unusableQueueDepth = Long.MAX_VALUE;
        private long unusableInFlight = Long.MAX_VALUE;
        private long degradedLatencyMicros = Long.MAX_VALUE;
        private double rttFactor = 5.0;
        private Duration rttMinExcess = Duration.ofMillis(20);

        private Builder() {
        }

        /** CPU above which the peer is DEGRADED (default 0.85). */
        public Builder degradedCpu(double v) {
            degradedCpu = fraction("degradedCpu", v);
            return this;
        }

        /** CPU above which the peer is UNUSABLE (default 0.95). */
        public Builder unusableCpu(double v) {
            unusableCpu = fraction("unusableCpu", v);
            return this;
        }

        /** Memory above which the peer is DEGRADED (default 0.90). */
        public Builder degradedMemory(double v) {
            degradedMemory = fraction("degradedMemory", v);
            return this;
        }

        /** Memory above which the peer is UNUSABLE (default 0.98). */
        public Builder unusableMemory(double v) {
            unusableMemory = fraction("unusableMemory", v);
            return this;
        }

        /** Error rate above which the peer is DEGRADED (default 0.10). */
        public Builder degradedErrorRate(double v) {
            degradedErrorRate = fraction("degradedErrorRate", v);
            return this;
        }

        /** Error rate above which the peer is UNUSABLE (default 0.50). */
        public Builder unusableErrorRate(double v) {
            unusableErrorRate = fraction("unusableErrorRate", v);
            return this;
        }

        /** Queue depth above which the peer is UNUSABLE (default: no limit). */
        public Builder unusableQueueDepth(long v) {
            unusableQueueDepth = nonNegative("unusableQueueDepth", v);
            return this;
        }

        /** In-flight requests above which the peer is UNUSABLE (default: no limit). */
        public Builder unusableInFlight(long v) {
            unusableInFlight = nonNegative("unusableInFlight", v);
            return this;
        }

        /** Reported latency (µs) above which the peer is DEGRADED (default: no limit). */
        public Builder degradedLatencyMicros(long v) {
            degradedLatencyMicros = nonNegative("degradedLatencyMicros", v);
            return this;
        }

        /** RTT multiple of the baseline that counts as degraded (default 5.0, must be &gt; 1). */
        public Builder rttFactor(double v) {
            if (!(v > 1.0) || Double.isInfinite(v)) {
                throw Checks.bad("rttFactor", v, "finite > 1.0");
            }
            rttFactor = v;
            return this;
        }

        /** Minimum RTT excess over the baseline before RTT counts (default 20 ms, must be &ge; 0). */
        public Builder rttMinExcess(Duration v) {
            rttMinExcess = Checks.nonNegative("rttMinExcess", v);
            return this;
        }

        /**
         * @throws IllegalArgumentException when a degraded limit is above its unusable limit
         */
        public ThresholdUsabilityPolicy build() {
            order("Cpu", degradedCpu, unusableCpu);
            order("Memory", degradedMemory, unusableMemory);
            order("ErrorRate", degradedErrorRate, unusableErrorRate);
            return new ThresholdUsabilityPolicy(this);
        }

        private static void order(String name, double degraded, double unusable) {
            if (degraded > unusable) {
                throw Checks.bad("degraded" + name, degraded, "<= unusable" + name + " " + unusable);
            }
        }

        private static double fraction(String name, double v) {
            return Checks.fraction(name, v);
        }

        private static long nonNegative(String name, long v) {
            return Checks.nonNegative(name, v);
        }
    }
}
