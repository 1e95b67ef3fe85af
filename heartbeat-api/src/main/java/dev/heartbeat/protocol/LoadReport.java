package dev.heartbeat.protocol;


import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The load a responder reports in every PONG, in the spirit of gRPC's ORCA load reports.
 * Immutable and thread-safe.
 *
 * <p>Every figure may be <em>unknown</em>: {@code NaN} for the fractional ones, {@code -1} for
 * the counts. Fractions ({@link #cpu()}, {@link #memory()}, {@link #errorRate()}) travel with a
 * resolution of 1/10,000, so a decoded value is the sent one rounded to four decimals.
 *
 * <p>Up to {@value #MAX_CUSTOM_METRICS} named custom metrics may ride along (names of 1 to
 * {@value #MAX_CUSTOM_NAME_BYTES} UTF-8 bytes, finite values).
 */
public final class LoadReport implements LoadView {

    /** Most custom metrics one report can carry. */
    public static final int MAX_CUSTOM_METRICS = 16;
    /** Longest custom metric name, in UTF-8 bytes. */
    public static final int MAX_CUSTOM_NAME_BYTES = 32;
    /** Largest count the wire can carry (u32 less the "unknown" marker, kept to int range). */
    public static final long MAX_COUNT = Integer.MAX_VALUE;

    private static final String[] NO_NAMES = new String[0];
    private static final double[] NO_VALUES = new double[0];

    /** A report in which every figure is unknown. */
    public static final LoadReport UNKNOWN = builder().build();

    private final double cpu;
    private final double memory;
    private final long inFlight;
    private final long queueDepth;
    private final double requestsPerSecond;
    private final double errorRate;
    private final long latencyMicros;
    private final String[] customNames;
    private final double[] customValues;

    private LoadReport(Builder b) {
        this.cpu = b.cpu;
        this.memory = b.memory;
        this.inFlight = b.inFlight;
        this.queueDepth = b.queueDepth;
        this.requestsPerSecond = b.requestsPerSecond;
        this.errorRate = b.errorRate;
        this.latencyMicros = b.latencyMicros;
        int n = b.customCount;
        this.customNames = n == 0 ? NO_NAMES : Arrays.copyOf(b.customNames, n);
        this.customValues = n == 0 ? NO_VALUES : Arrays.copyOf(b.customValues, n);
    }

    /** Decoder path: arrays are owned by the new instance. */
    LoadReport(double cpu, double memory, long inFlight, long queueDepth, double rps,
               double errorRate, long latencyMicros, String[] names, double[] values) {
        this.cpu = cpu;
        this.memory = memory;
        this.inFlight = inFlight;
        this.queueDepth = queueDepth;
        this.requestsPerSecond = rps;
        this.errorRate = errorRate;
        this.latencyMicros = latencyMicros;
        this.customNames = names.length == 0 ? NO_NAMES : names;
        this.customValues = values.length == 0 ? NO_VALUES : values;
    }

    /** A new builder with every figure unknown. */
    public static Builder builder() {
        return new Builder();
    }

    /** This report: it is immutable already. */
    @Override
    public LoadReport toReport() {
        return this;
    }

    /** CPU utilisation, 0..1, or {@code NaN}: the responder chooses (the default {@code JvmLoadProvider} reports its own process). */
    public double cpu() {
        return cpu;
    }

    /** Memory utilisation (for a JVM: used heap / max heap), 0..1, or {@code NaN}. */
    public double memory() {
        return memory;
    }

    /** Requests being served right now, or -1. */
    public long inFlight() {
        return inFlight;
    }

    /** Work waiting for a worker (queued requests, pending tasks), or -1. */
    public long queueDepth() {
        return queueDepth;
    }

    /** Recent request rate, per second, or {@code NaN}. */
    public double requestsPerSecond() {
        return requestsPerSecond;
    }

    /** Recent fraction of requests that failed, 0..1, or {@code NaN}. */
    public double errorRate() {
        return errorRate;
    }

    /** A recent latency figure (the responder chooses, typically p99), in microseconds, or -1. */
    public long latencyMicros() {
        return latencyMicros;
    }

    /** Number of custom metrics. */
    public int customCount() {
        return customNames.length;
    }

    /** Name of custom metric {@code i}. */
    public String customName(int i) {
        return customNames[i];
    }

    /** Value of custom metric {@code i}. */
    public double customValue(int i) {
        return customValues[i];
    }

    /** The custom metrics, in wire order, as an unmodifiable map. */
    public Map<String, Double> customMetrics() {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < customNames.length; i++) {
            m.put(customNames[i], customValues[i]);
        }
        return Collections.unmodifiableMap(m);
    }

    /** A builder that starts from this report's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.cpu = cpu;
        b.memory = memory;
        b.inFlight = inFlight;
        b.queueDepth = queueDepth;
        b.requestsPerSecond = requestsPerSecond;
        b.errorRate = errorRate;
        b.latencyMicros = latencyMicros;
        for (int i = 0; i < customNames.length; i++) {
            b.custom(customNames[i], customValues[i]);
        }
        return b;
    }

    /** True when this report has exactly these values (used by the decoder to reuse instances). */
    boolean sameFigures(double cpu, double memory, long inFlight, long queueDepth, double rps,
                        double errorRate, long latencyMicros) {
        return same(this.cpu, cpu) && same(this.memory, memory) && this.inFlight == inFlight
                && this.queueDepth == queueDepth && same(this.requestsPerSecond, rps)
                && same(this.errorRate, errorRate) && this.latencyMicros == latencyMicros;
    }

    String[] names() {
        return customNames;
    }

    double[] values() {
        return customValues;
    }

    private static boolean same(double a, double b) {
        return Double.doubleToLongBits(a) == Double.doubleToLongBits(b);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof LoadReport)) {
            return false;
        }
        LoadReport r = (LoadReport) o;
        return r.sameFigures(cpu, memory, inFlight, queueDepth, requestsPerSecond, errorRate, latencyMicros)
                && Arrays.equals(customNames, r.customNames) && Arrays.equals(customValues, r.customValues);
    }

    @Override
    public int hashCode() {
        return Objects.hash(cpu, memory, inFlight, queueDepth, requestsPerSecond, errorRate, latencyMicros,
                Arrays.hashCode(customNames), Arrays.hashCode(customValues));
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("LoadReport{");
        sb.append("cpu=").append(fmt(cpu)).append(", memory=").append(fmt(memory))
                .append(", inFlight=").append(inFlight).append(", queueDepth=").append(queueDepth)
                .append(", rps=").append(fmt(requestsPerSecond)).append(", errorRate=").append(fmt(errorRate))
                .append(", latencyMicros=").append(latencyMicros);
        for (int i = 0; i < customNames.length; i++) {
            sb.append(", ").append(customNames[i]).append('=').append(customValues[i]);
        }
        return sb.append('}').toString();
    }

    private static String fmt(double d) {
        return Double.isNaN(d) ? "?" : String.valueOf(d);
    }

    /**
     * Builds a {@link LoadReport}; every setter checks its value and names it in the error.
     * Not thread-safe.
     */
    public static final class Builder {
        private double cpu = Double.NaN;
        private double memory = Double.NaN;
        private long inFlight = -1;
        private long queueDepth = -1;
        private double requestsPerSecond = Double.NaN;
        private double errorRate = Double.NaN;
        private long latencyMicros = -1;
        private String[] customNames = new String[4];
        private double[] customValues = new double[4];
        private int customCount;

        private Builder() {
        }

        /** CPU utilisation 0..1, or {@code NaN} for unknown. */
        public Builder cpu(double cpu) {
            this.cpu = fraction("cpu", cpu);
            return this;
        }

        /** Memory utilisation 0..1, or {@code NaN} for unknown. */
        public Builder memory(double memory) {
            this.memory = fraction("memory", memory);
            return this;
        }

        /** Requests in flight, 0..{@value #MAX_COUNT}, or -1 for unknown. */
        public Builder inFlight(long inFlight) {
            this.inFlight = count("inFlight", inFlight);
            return this;
        }

        /** Queue depth, 0..{@value #MAX_COUNT}, or -1 for unknown. */
        public Builder queueDepth(long queueDepth) {
            this.queueDepth = count("queueDepth", queueDepth);
            return this;
        }

        /** Requests per second, finite and &ge; 0, or {@code NaN} for unknown. */
        public Builder requestsPerSecond(double rps) {
            if (!Double.isNaN(rps) && (rps < 0 || Double.isInfinite(rps) || rps > Float.MAX_VALUE)) {
                throw new IllegalArgumentException("requestsPerSecond : " + rps + " (expected: finite >= 0, or NaN)");
            }
            this.requestsPerSecond = rps;
            return this;
        }

        /** Error rate 0..1, or {@code NaN} for unknown. */
        public Builder errorRate(double errorRate) {
            this.errorRate = fraction("errorRate", errorRate);
            return this;
        }

        /** Latency figure in microseconds, 0..{@value #MAX_COUNT}, or -1 for unknown. */
        public Builder latencyMicros(long latencyMicros) {
            this.latencyMicros = count("latencyMicros", latencyMicros);
            return this;
        }

        /**
         * Adds (or replaces) a named custom metric.
         *
         * @throws IllegalArgumentException for an empty or too long name, a non-finite value, or
         *     more than {@value LoadReport#MAX_CUSTOM_METRICS} metrics
         */
        public Builder custom(String name, double value) {
            Objects.requireNonNull(name, "name");
            FrameCodec.checkWireString("custom metric name", name, MAX_CUSTOM_NAME_BYTES);
            if (!Double.isFinite(value)) {
                throw new IllegalArgumentException("custom metric " + name + " : " + value + " (expected: finite)");
            }
            for (int i = 0; i < customCount; i++) {
                if (customNames[i].equals(name)) {
                    customValues[i] = value;
                    return this;
                }
            }
            if (customCount == MAX_CUSTOM_METRICS) {
                throw new IllegalArgumentException("custom metrics : more than " + MAX_CUSTOM_METRICS
                        + " (expected: at most " + MAX_CUSTOM_METRICS + ")");
            }
            if (customCount == customNames.length) {
                customNames = Arrays.copyOf(customNames, customCount * 2);
                customValues = Arrays.copyOf(customValues, customCount * 2);
            }
            customNames[customCount] = name;
            customValues[customCount] = value;
            customCount++;
            return this;
        }

        /** The report. */
        public LoadReport build() {
            return new LoadReport(this);
        }

        private static double fraction(String name, double v) {
            if (!Double.isNaN(v) && (v < 0 || v > 1)) {
                throw new IllegalArgumentException(name + " : " + v + " (expected: 0.0..1.0, or NaN)");
            }
            return v;
        }

        private static long count(String name, long v) {
            if (v < -1 || v > MAX_COUNT) {
                throw new IllegalArgumentException(name + " : " + v + " (expected: 0.." + MAX_COUNT + ", or -1)");
            }
            return v;
        }
    }
}
