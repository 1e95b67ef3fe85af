package dev.heartbeat.udp.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A fixed set of counters that one thread (a socket's event loop) writes and any thread reads.
 * The writer adds with a plain read and an opaque write, the reader reads opaquely: no atomic
 * instruction and no fence per increment (a {@code LongAdder} costs a compare-and-set on each), and
 * a reader never sees a torn value. Totals over several loops are the sum of their counters.
 *
 * <p>{@link #add} must only be called by the owning thread; {@link #get} by any.
 */
public final class LoopCounters {

    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] slots;

    /** {@code size} counters, all zero. */
    public LoopCounters(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("size : " + size + " (expected: >= 1)");
        }
        this.slots = new long[size];
    }

    /** Adds {@code n} to counter {@code i}. Owning thread only. */
    public void add(int i, long n) {
        SLOT.setOpaque(slots, i, slots[i] + n);
    }

    /** Counter {@code i} as last written (any thread). */
    public long get(int i) {
        return (long) SLOT.getOpaque(slots, i);
    }

    /** How many counters there are. */
    public int size() {
        return slots.length;
    }
}
