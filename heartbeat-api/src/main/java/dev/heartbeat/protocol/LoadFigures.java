package dev.heartbeat.protocol;

import java.util.Arrays;

/**
 * A <b>mutable</b> {@link LoadView}: the figures of one load report kept as plain fields at the
 * wire's resolution (fractions in 1/10,000, counts as 32-bit integers, the request rate as a
 * float), so that decoding a PONG, and keeping the last one per peer, allocates nothing. A
 * {@link Frame} decodes a PONG's load into one; a monitor copies the figures of each PONG it
 * accepts into another ({@link #copyFrom}) and builds the immutable {@link LoadReport} only when
 * someone asks ({@link #toReport()}).
 *
 * <p>Not thread-safe: whoever shares one across threads guards it.
 */
public final class LoadFigures implements LoadView {

    private static final char UNKNOWN_FRACTION = (char) FrameCodec.U16_UNKNOWN;

    private char cpu = UNKNOWN_FRACTION;
    private char memory = UNKNOWN_FRACTION;
    private char errorRate = UNKNOWN_FRACTION;
    private int inFlight = -1;
    private int queueDepth = -1;
    private int latencyMicros = -1;
    private float requestsPerSecond = Float.NaN;
    /** Custom metrics held: at most {@link LoadReport#MAX_CUSTOM_METRICS}, a byte (a monitor keeps figures per peer). */
    private byte customCount;
    /** Made at the first custom metric (most responders send none), sized for the most a report can carry. */
    private Custom custom;

    /** The custom metrics' names and values, in one object made when first needed. */
    private static final class Custom {
        final String[] names = new String[LoadReport.MAX_CUSTOM_METRICS];
        final double[] values = new double[LoadReport.MAX_CUSTOM_METRICS];
    }

    /** Every figure unknown, as in {@link LoadReport#UNKNOWN}. */
    public LoadFigures() {
    }

    @Override
    public double cpu() {
        return fraction(cpu);
    }

    @Override
    public double memory() {
        return fraction(memory);
    }

    @Override
    public long inFlight() {
        return inFlight;
    }

    @Override
    public long queueDepth() {
        return queueDepth;
    }

    @Override
    public double requestsPerSecond() {
        return Float.isNaN(requestsPerSecond) ? Double.NaN : requestsPerSecond;
    }

    @Override
    public double errorRate() {
        return fraction(errorRate);
    }

    @Override
    public long latencyMicros() {
        return latencyMicros;
    }

    @Override
    public int customCount() {
        return customCount;
    }

    @Override
    public String customName(int i) {
        return custom.names[checkIndex(i)];
    }

    @Override
    public double customValue(int i) {
        return custom.values[checkIndex(i)];
    }

    /** A new immutable report with these figures (equal to the one the sender encoded, at the wire's resolution). */
    @Override
    public LoadReport toReport() {
        int n = customCount;
        return new LoadReport(cpu(), memory(), inFlight, queueDepth, requestsPerSecond(), errorRate(), latencyMicros,
                n == 0 ? FrameCodec.NO_NAMES : Arrays.copyOf(custom.names, n),
                n == 0 ? FrameCodec.NO_VALUES : Arrays.copyOf(custom.values, n));
    }

    /**
     * True when {@code other} holds the same figures (at the wire's resolution; custom metrics in
     * the same order with the same names and values).
     */
    public boolean sameAs(LoadView other) {
        if (other instanceof LoadFigures) {
            LoadFigures o = (LoadFigures) other;
            if (cpu != o.cpu || memory != o.memory || errorRate != o.errorRate || inFlight != o.inFlight
                    || queueDepth != o.queueDepth || latencyMicros != o.latencyMicros
                    || Float.floatToIntBits(requestsPerSecond) != Float.floatToIntBits(o.requestsPerSecond)
                    || customCount != o.customCount) {
                return false;
            }
        } else if (cpu != fractionRaw(other.cpu()) || memory != fractionRaw(other.memory())
                || errorRate != fractionRaw(other.errorRate()) || inFlight != countRaw(other.inFlight())
                || queueDepth != countRaw(other.queueDepth()) || latencyMicros != countRaw(other.latencyMicros())
                || Float.floatToIntBits(requestsPerSecond) != Float.floatToIntBits((float) other.requestsPerSecond())
                || customCount != other.customCount()) {
            return false;
        }
        for (int i = 0; i < customCount; i++) {
            if (!custom.names[i].equals(other.customName(i))
                    || Double.doubleToLongBits(custom.values[i]) != Double.doubleToLongBits(other.customValue(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Makes these figures {@code other}'s (a {@link LoadReport}'s fractions rounded to the wire's
     * 1/10,000, its request rate to a float, as encoding it would). Allocates only the first time
     * custom metrics arrive.
     */
    public void copyFrom(LoadView other) {
        if (other instanceof LoadFigures) {
            LoadFigures o = (LoadFigures) other;
            cpu = o.cpu;
            memory = o.memory;
            errorRate = o.errorRate;
            inFlight = o.inFlight;
            queueDepth = o.queueDepth;
            latencyMicros = o.latencyMicros;
            requestsPerSecond = o.requestsPerSecond;
        } else {
            cpu = fractionRaw(other.cpu());
            memory = fractionRaw(other.memory());
            errorRate = fractionRaw(other.errorRate());
            inFlight = countRaw(other.inFlight());
            queueDepth = countRaw(other.queueDepth());
            latencyMicros = countRaw(other.latencyMicros());
            requestsPerSecond = (float) other.requestsPerSecond();
        }
        int n = other.customCount();
        for (int i = 0; i < n; i++) {
            custom(i, other.customName(i), other.customValue(i));
        }
        customCount = (byte) n; // a view holds at most MAX_CUSTOM_METRICS
    }

    // --- decoder access -----------------------------------------------------------------------

    /** The fixed figures of a decoded report, already checked; fractions in 1/10,000 (0xFFFF unknown). */
    void decoded(int cpuRaw, int memoryRaw, long inFlight, long queueDepth, float rps, int errorRateRaw,
                 long latencyMicros, int customCount) {
        this.cpu = (char) cpuRaw;
        this.memory = (char) memoryRaw;
        this.errorRate = (char) errorRateRaw;
        this.inFlight = (int) inFlight;
        this.queueDepth = (int) queueDepth;
        this.latencyMicros = (int) latencyMicros;
        this.requestsPerSecond = rps;
        this.customCount = (byte) customCount; // checked by the decoder: at most MAX_CUSTOM_METRICS
    }

    /** Sets custom metric {@code i} (the decoder fills them in order, then calls {@link #decoded}). */
    void custom(int i, String name, double value) {
        Custom c = custom;
        if (c == null) {
            c = custom = new Custom();
        }
        c.names[i] = name;
        c.values[i] = value;
    }

    private int checkIndex(int i) {
        if (i < 0 || i >= customCount) {
            throw new IndexOutOfBoundsException("custom metric index : " + i + " (expected: 0.." + (customCount - 1) + ")");
        }
        return i;
    }

    private static double fraction(char raw) {
        return raw == UNKNOWN_FRACTION ? Double.NaN : raw / (double) FrameCodec.FRACTION_SCALE;
    }

    private static char fractionRaw(double v) {
        return (char) FrameCodec.fraction(v);
    }

    private static int countRaw(long v) {
        return v < 0 ? -1 : (int) Math.min(v, LoadReport.MAX_COUNT);
    }

    @Override
    public String toString() {
        return toReport().toString();
    }
}
