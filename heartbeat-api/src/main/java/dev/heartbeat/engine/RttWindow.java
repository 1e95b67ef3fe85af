package dev.heartbeat.engine;

/**
 * A peer's RTT baseline (and the slowest recent RTT, for how long a probe may take): the minimum of its last {@value #SIZE} fresh RTT samples. A minimum,
 * not an average, so that one cold first sample (a JVM warming up, tens of milliseconds on
 * loopback) is forgotten as soon as faster answers come, and a lasting shift of the path (a
 * failover to a farther zone) becomes the new normal after {@value #SIZE} samples instead of
 * leaving the peer DEGRADED for ever. Confined to the peer's thread; allocates nothing after
 * construction; O(1) per sample except when the minimum leaves the window (O(SIZE)).
 */
final class RttWindow {

    static final int SIZE = 16;

    private final long[] samples = new long[SIZE];
    private int count;
    private int next;
    private long min = -1;

    void add(long rttNanos) {
        long evicted = count == SIZE ? samples[next] : -1;
        samples[next] = rttNanos;
        next = (next + 1) % SIZE;
        if (count < SIZE) {
            count++;
        }
        if (min < 0 || rttNanos <= min) {
            min = rttNanos;
        } else if (evicted == min) {
            long m = Long.MAX_VALUE;
            for (int i = 0; i < count; i++) {
                m = Math.min(m, samples[i]);
            }
            min = m;
        }
    }

    /** The largest of the last {@value #SIZE} samples (O(SIZE)), or -1 before the first sample. */
    long max() {
        long m = -1;
        for (int i = 0; i < count; i++) {
            m = Math.max(m, samples[i]);
        }
        return m;
    }

    /** The baseline, or -1 before the first sample. */
    long baseline() {
        return min;
    }

    void reset() {
        count = 0;
        next = 0;
        min = -1;
    }
}
