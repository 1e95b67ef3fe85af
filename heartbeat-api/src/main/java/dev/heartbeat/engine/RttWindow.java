package dev.heartbeat.engine;

/**
 * A peer's RTT baseline (and the slowest recent RTT, for how long a probe may take): the minimum of its last {@value #SIZE} fresh RTT samples. A minimum,
 * not an average, so that one cold first sample (a JVM warming up, tens of milliseconds on
 * loopback) is forgotten as soon as faster answers come, and a lasting shift of the path (a
 * failover to a farther zone) becomes the new normal after {@value #SIZE} samples instead of
 * leaving the peer DEGRADED for ever. Confined to the peer's thread (but {@link #rttBaseline()}, read from
 * any); O(1) per sample except when
 * the minimum leaves the window (O(SIZE)).
 *
 * <p>Samples are kept as 32-bit nanoseconds (a monitor keeps one window per peer: 80 bytes instead
 * of 144), exactly; the first sample that does not fit (an RTT over 2.1 s) moves the window to
 * 64-bit samples for good — the only allocation after construction.
 *
 * <p>Not final: a peer's {@link EchoTracker} extends it, to keep both in one object; its methods
 * are named for RTTs ({@link #addRtt}, {@link #rttBaseline}) so that they read plainly where they
 * are inherited.
 */
class RttWindow {

    static final int SIZE = 16;

    /** The samples while all fit in an int; null once {@link #wide} took over. */
    private int[] narrow = new int[SIZE];
    private long[] wide;
    /** Samples held, and the slot of the next one: 0..{@value #SIZE}, bytes (a window per peer). */
    private byte count;
    private byte next;
    /**
     * The baseline. Volatile, unlike the rest of the window, so that other threads may read it
     * ({@link #rttBaseline()}): a peer's published RTT baseline is this field, not a copy of it.
     */
    private volatile long min = -1;

    void addRtt(long rttNanos) {
        long evicted = count == SIZE ? sample(next) : -1;
        store(next, rttNanos);
        next = (byte) ((next + 1) % SIZE);
        if (count < SIZE) {
            count++;
        }
        long b = min;
        if (b < 0 || rttNanos <= b) {
            if (rttNanos != b) {
                min = rttNanos; // (an equal sample leaves the published field alone)
            }
        } else if (evicted == b) {
            long m = Long.MAX_VALUE;
            for (int i = 0; i < count; i++) {
                m = Math.min(m, sample(i));
            }
            min = m;
        }
    }

    /** The largest of the last {@value #SIZE} samples (O(SIZE)), or -1 before the first sample. */
    long maxRtt() {
        long m = -1;
        for (int i = 0; i < count; i++) {
            m = Math.max(m, sample(i));
        }
        return m;
    }

    private long sample(int i) {
        return wide != null ? wide[i] : narrow[i];
    }

    private void store(int i, long rttNanos) {
        if (wide == null && rttNanos != (int) rttNanos) {
            wide = new long[SIZE];
            for (int k = 0; k < SIZE; k++) {
                wide[k] = narrow[k];
            }
            narrow = null;
        }
        if (wide != null) {
            wide[i] = rttNanos;
        } else {
            narrow[i] = (int) rttNanos;
        }
    }

    /** The baseline, or -1 before the first sample; from any thread. */
    long rttBaseline() {
        return min;
    }

    void resetRtts() {
        count = 0;
        next = 0;
        min = -1;
    }
}
