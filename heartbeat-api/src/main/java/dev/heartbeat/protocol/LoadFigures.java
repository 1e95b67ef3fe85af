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
 * <p>The fixed figures are kept as five values: the three fractions and the custom metric count
 * packed in one {@code long} ({@link #fractionsOf}), the two counts and the latency as ints
 * ({@link #countOf}), the request rate as a float. A holder that keeps them in fields of its own
 * instead of in an object of this class — a monitor's peer, which saves the object and the
 * reference — compares and reports them with the same static methods this class uses on its
 * own fields ({@link #sameFixed}, {@link #report}).
 *
 * <p>Not thread-safe: whoever shares one across threads guards it.
 */
public final class LoadFigures implements LoadView {

    private static final int UNKNOWN_FRACTION = FrameCodec.U16_UNKNOWN;

    /** {@link #fractionsOf} figures whose fractions are all unknown, with no custom metric. */
    public static final long UNKNOWN_FRACTIONS = pack(UNKNOWN_FRACTION, UNKNOWN_FRACTION, UNKNOWN_FRACTION, 0);

    /** cpu, memory and error rate in 1/10,000 (0xFFFF unknown), 16 bits each from bit 0, then the custom count. */
    private long fractions = UNKNOWN_FRACTIONS;
    private int inFlight = -1;
    private int queueDepth = -1;
    private int latencyMicros = -1;
    private float requestsPerSecond = Float.NaN;
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
        return fraction(fractions, CPU);
    }

    @Override
    public double memory() {
        return fraction(fractions, MEMORY);
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
        return rate(requestsPerSecond);
    }

    @Override
    public double errorRate() {
        return fraction(fractions, ERROR_RATE);
    }

    @Override
    public long latencyMicros() {
        return latencyMicros;
    }

    @Override
    public int customCount() {
        return customCount(fractions);
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
        Custom c = custom;
        long f = fractions;
        int n = c == null ? 0 : customCount(f); // (read once each: a holder's reader may race its writer and retry)
        if (n == 0) {
            return report(f & ~COUNT_MASK, inFlight, queueDepth, requestsPerSecond, latencyMicros);
        }
        return new LoadReport(fraction(f, CPU), fraction(f, MEMORY), inFlight, queueDepth, rate(requestsPerSecond),
                fraction(f, ERROR_RATE), latencyMicros, Arrays.copyOf(c.names, n), Arrays.copyOf(c.values, n));
    }

    /**
     * True when {@code other} holds the same figures (at the wire's resolution; custom metrics in
     * the same order with the same names and values).
     */
    public boolean sameAs(LoadView other) {
        if (!sameFixed(other, fractions, inFlight, queueDepth, requestsPerSecond, latencyMicros)) {
            return false;
        }
        int n = customCount(fractions);
        for (int i = 0; i < n; i++) {
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
        inFlight = countOf(other.inFlight());
        queueDepth = countOf(other.queueDepth());
        latencyMicros = countOf(other.latencyMicros());
        requestsPerSecond = (float) other.requestsPerSecond();
        int n = other.customCount();
        for (int i = 0; i < n; i++) {
            custom(i, other.customName(i), other.customValue(i));
        }
        fractions = fractionsOf(other); // with the custom count: a view holds at most MAX_CUSTOM_METRICS
    }

    // --- the fixed figures as values, for holders of their own ---------------------------------

    /**
     * The three fractions of {@code v} at the wire's resolution (1/10,000; 0xFFFF unknown) and its
     * custom metric count, packed in one long: how this class keeps them, and how a holder of its
     * own keeps them to compare and report them with {@link #sameFixed} and {@link #report}.
     */
    public static long fractionsOf(LoadView v) {
        if (v instanceof LoadFigures) {
            return ((LoadFigures) v).fractions;
        }
        return pack(FrameCodec.fraction(v.cpu()), FrameCodec.fraction(v.memory()), FrameCodec.fraction(v.errorRate()),
                v.customCount());
    }

    /** A count ({@link LoadView#inFlight()}, {@link LoadView#queueDepth()}, {@link LoadView#latencyMicros()}) as kept: -1 unknown, at most {@link LoadReport#MAX_COUNT}. */
    public static int countOf(long v) {
        return v < 0 ? -1 : (int) Math.min(v, LoadReport.MAX_COUNT);
    }

    /**
     * True when {@code v}'s fixed figures (and custom metric count) are the ones given, as
     * {@link #fractionsOf}, {@link #countOf} and a float keep them. Custom metrics are not compared.
     */
    public static boolean sameFixed(LoadView v, long fractions, int inFlight, int queueDepth, float requestsPerSecond,
                                    int latencyMicros) {
        return fractionsOf(v) == fractions && countOf(v.inFlight()) == inFlight && countOf(v.queueDepth()) == queueDepth
                && countOf(v.latencyMicros()) == latencyMicros
                && Float.floatToIntBits((float) v.requestsPerSecond()) == Float.floatToIntBits(requestsPerSecond);
    }

    /** A new immutable report of fixed figures kept as {@link #sameFixed} takes them, with no custom metric (whatever the count in {@code fractions}). */
    public static LoadReport report(long fractions, int inFlight, int queueDepth, float requestsPerSecond, int latencyMicros) {
        return new LoadReport(fraction(fractions, CPU), fraction(fractions, MEMORY), inFlight, queueDepth,
                rate(requestsPerSecond), fraction(fractions, ERROR_RATE), latencyMicros, FrameCodec.NO_NAMES,
                FrameCodec.NO_VALUES);
    }

    // --- decoder access -----------------------------------------------------------------------

    /** The fixed figures of a decoded report, already checked; fractions in 1/10,000 (0xFFFF unknown). */
    void decoded(int cpuRaw, int memoryRaw, long inFlight, long queueDepth, float rps, int errorRateRaw,
                 long latencyMicros, int customCount) {
        this.fractions = pack(cpuRaw, memoryRaw, errorRateRaw, customCount); // count checked by the decoder
        this.inFlight = (int) inFlight;
        this.queueDepth = (int) queueDepth;
        this.latencyMicros = (int) latencyMicros;
        this.requestsPerSecond = rps;
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
        int n = customCount();
        if (i < 0 || i >= n) {
            throw new IndexOutOfBoundsException("custom metric index : " + i + " (expected: 0.." + (n - 1) + ")");
        }
        return i;
    }

    /** Shifts of the fractions in {@link #fractions}, and the mask of the custom count above them. */
    private static final int CPU = 0;
    private static final int MEMORY = 16;
    private static final int ERROR_RATE = 32;
    private static final int COUNT = 48;
    private static final long COUNT_MASK = 0xFFL << COUNT;

    private static long pack(int cpu, int memory, int errorRate, int customCount) {
        return (cpu & 0xFFFFL) | (memory & 0xFFFFL) << MEMORY | (errorRate & 0xFFFFL) << ERROR_RATE
                | (customCount & 0xFFL) << COUNT;
    }

    /** The custom count of packed fractions: at most {@link LoadReport#MAX_CUSTOM_METRICS}, however they were read. */
    private static int customCount(long fractions) {
        return (int) Math.min((fractions & COUNT_MASK) >>> COUNT, LoadReport.MAX_CUSTOM_METRICS);
    }

    private static double fraction(long fractions, int shift) {
        int raw = (int) (fractions >>> shift) & 0xFFFF;
        return raw == UNKNOWN_FRACTION ? Double.NaN : raw / (double) FrameCodec.FRACTION_SCALE;
    }

    private static double rate(float rps) {
        return Float.isNaN(rps) ? Double.NaN : rps;
    }

    @Override
    public String toString() {
        return toReport().toString();
    }
}
