package dev.heartbeat.engine;

import dev.heartbeat.engine.spi.TimerEntry;

/**
 * A peer's RTT baseline (and the slowest recent RTT, for how long a probe may take): the minimum of its last {@value #SIZE} fresh RTT samples. A minimum,
 * not an average, so that one cold first sample (a JVM warming up, tens of milliseconds on
 * loopback) is forgotten as soon as faster answers come, and a lasting shift of the path (a
 * failover to a farther zone) becomes the new normal after {@value #SIZE} samples instead of
 * leaving the peer DEGRADED for ever. Confined to the peer's thread (but {@link #rttBaseline()}, read from
 * any); O(1) per sample except when
 * the minimum leaves the window (O(SIZE)).
 *
 * <p>Samples are kept in 16 bits each, four to a {@code long} field (32 bytes per peer, no array
 * and no allocation; the baseline is published as its 16-bit code), as a small float: exact below
 * 2,048 ns, above that an 11-bit significand and an exponent, rounded <em>up</em> ({@link #kept(long)}). A kept sample is never below the
 * RTT measured and above it by less than 1/1,024 (0.098%): 1 ms is kept as 1,000,448 ns, 40 ms
 * as 40,009,728 ns. The baseline and the maximum are the kept samples, so the maximum still bounds
 * every recent RTT (a probe waits at least that long) and the baseline is at most 0.1% above the
 * fastest one. Any RTT fits (up to 2⁶² ns; longer ones, which no path has, are kept as 2⁶²).
 *
 * <p>Not final: a peer's {@link EchoTracker} extends it, to keep both in one object; its methods
 * are named for RTTs ({@link #addRtt}, {@link #rttBaseline}) so that they read plainly where they
 * are inherited.
 *
 * <p>The root of the peer's class chain ({@link PeerMonitor} extends {@link EchoTracker} extends
 * this), and itself a {@link TimerEntry}: fields only, to save object headers — the peer is its
 * own entry in its scheduler's timer queue (a deadline and a heap index, 12 bytes), with no timer
 * object and no reference to one. Abstract: {@link #run()}, the timer's task, is the peer's.
 */
abstract class RttWindow extends TimerEntry {

    static final int SIZE = 16;

    /** Bits of a kept sample's significand after its leading one (exact below 2^(SIGNIFICAND + 1)). */
    private static final int SIGNIFICAND = 10;
    /** The longest RTT kept; longer ones are kept as this (146 years). */
    private static final long LONGEST = 1L << 62;
    /** {@link #minCode} before the first sample: above every code (the largest is 53 · 2^10 + 1,023). */
    private static final char NONE = 0xFFFF;

    /** The samples, 16 bits each: slots 0–3 in {@code s0} (slot 0 in the low bits), 4–7 in {@code s1}, … */
    private long s0;
    private long s1;
    private long s2;
    private long s3;
    /** Samples held, and the slot of the next one: 0..{@value #SIZE}, bytes (a window per peer). */
    private byte count;
    private byte next;
    /**
     * The baseline's code, {@link #NONE} before the first sample. Volatile, unlike the rest of the window, so that other
     * threads may read it ({@link #rttBaseline()}): a peer's published RTT baseline is this field, not a copy of it.
     */
    private volatile char minCode = NONE;

    void addRtt(long rttNanos) {
        int code = encode(rttNanos);
        int evicted = count == SIZE ? code(next) : -1;
        store(next, code);
        next = (byte) ((next + 1) % SIZE);
        if (count < SIZE) {
            count++;
        }
        int b = minCode; // NONE is above every code
        if (code <= b) {
            if (code != b) {
                minCode = (char) code; // (an equal sample leaves the published field alone)
            }
        } else if (evicted == b) {
            int m = NONE;
            for (int i = 0; i < count; i++) {
                m = Math.min(m, code(i));
            }
            minCode = (char) m;
        }
    }

    /** The largest of the last {@value #SIZE} samples as kept (O(SIZE)), or -1 before the first sample. */
    long maxRtt() {
        int m = -1;
        for (int i = 0; i < count; i++) {
            m = Math.max(m, code(i));
        }
        return m < 0 ? -1 : decode(m);
    }

    /** The baseline, or -1 before the first sample; from any thread. */
    long rttBaseline() {
        int m = minCode;
        return m == NONE ? -1 : decode(m);
    }

    void resetRtts() {
        count = 0;
        next = 0;
        minCode = NONE;
    }

    /**
     * An RTT as the window keeps it: the smallest value of the form m · 2^e (m below 2,048) at or
     * above it, so exact below 2,048 ns and at most 1/1,024 above it beyond; negative RTTs as 0.
     */
    static long kept(long rttNanos) {
        return decode(encode(rttNanos));
    }

    /**
     * The 16-bit code of an RTT, in the order of the values (so that minimum and maximum are taken on
     * codes): below 2^11 the value itself; above, (shift + 1) · 2^10 + the significand's bits after
     * its leading one, with value = significand · 2^shift rounded up.
     */
    static int encode(long rttNanos) {
        long x = Math.max(0, Math.min(rttNanos, LONGEST));
        if (x < 2L << SIGNIFICAND) {
            return (int) x;
        }
        int shift = 63 - Long.numberOfLeadingZeros(x) - SIGNIFICAND;
        long m = x >>> shift;
        if ((x & ((1L << shift) - 1)) != 0 && ++m == 2L << SIGNIFICAND) {
            m >>>= 1; // rounding up carried into the next power of two
            shift++;
        }
        return (shift + 1) << SIGNIFICAND | (int) (m - (1L << SIGNIFICAND));
    }

    static long decode(int code) {
        int e = code >>> SIGNIFICAND;
        if (e <= 1) {
            return code;
        }
        return ((1L << SIGNIFICAND) | (code & ((1 << SIGNIFICAND) - 1))) << (e - 1);
    }

    private int code(int slot) {
        long word = slot < 8 ? (slot < 4 ? s0 : s1) : (slot < 12 ? s2 : s3);
        return (int) (word >>> ((slot & 3) << 4)) & 0xFFFF;
    }

    private void store(int slot, int code) {
        int at = (slot & 3) << 4;
        long mask = ~(0xFFFFL << at);
        long bits = (long) code << at;
        switch (slot >> 2) {
            case 0 -> s0 = s0 & mask | bits;
            case 1 -> s1 = s1 & mask | bits;
            case 2 -> s2 = s2 & mask | bits;
            default -> s3 = s3 & mask | bits;
        }
    }
}
