package dev.heartbeat.peer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Consumer;

/**
 * The registry's slots by name: an open-addressing hash table (linear probing) that holds the
 * slots themselves, so a name costs one array cell instead of a map node (the slot carries its
 * name). Internal to {@link PeerRegistry}.
 *
 * <p><b>Threads.</b> Lookups and iteration take no lock: they read the current array and its
 * cells with acquire semantics. Changes (adding a slot, removing one, resizing) happen under one
 * lock; they are rare (a registration, a name's first event, a removal). A removed slot's cell
 * becomes a tombstone, never empty, so a lookup that runs meanwhile still finds every slot behind
 * it; resizing copies the live slots into a new array and publishes it. A lookup that read the
 * array before a change may miss a slot added since or find one removed since: the registry marks
 * a slot {@linkplain PeerRegistry.Slot#retired() retired} before removing it and looks again when
 * it finds one, and takes the lock ({@link #getOrAdd}) before it concludes that a name has none.
 */
final class SlotTable {

    private static final VarHandle CELLS = MethodHandles.arrayElementVarHandle(PeerRegistry.Slot[].class);
    /** Marks the cell of a removed slot; matches no name. */
    private static final PeerRegistry.Slot TOMBSTONE = new PeerRegistry.Slot("(removed)");
    static final int MIN_CAPACITY = 16;

    private final Object lock = new Object();
    /** A power of two, at most three quarters used (slots and tombstones). */
    private volatile PeerRegistry.Slot[] cells = new PeerRegistry.Slot[MIN_CAPACITY];
    /** Slots in {@link #cells}; guarded by {@link #lock}. */
    private int live;
    /** Slots and tombstones in {@link #cells}; guarded by {@link #lock}. */
    private int used;

    /** The slot of {@code name}, or null. Takes no lock. */
    PeerRegistry.Slot get(String name) {
        PeerRegistry.Slot[] t = cells;
        int mask = t.length - 1;
        for (int i = index(name, mask), n = 0; n <= mask; i = (i + 1) & mask, n++) {
            PeerRegistry.Slot s = (PeerRegistry.Slot) CELLS.getAcquire(t, i);
            if (s == null) {
                return null;
            }
            if (s != TOMBSTONE && s.name.equals(name)) {
                return s;
            }
        }
        return null;
    }

    /** The slot of {@code name}, added (empty) when there is none. */
    PeerRegistry.Slot getOrAdd(String name) {
        PeerRegistry.Slot s = get(name);
        if (s != null) {
            return s;
        }
        synchronized (lock) {
            PeerRegistry.Slot[] t = cells;
            int mask = t.length - 1;
            int free = -1;
            for (int i = index(name, mask), n = 0; n <= mask; i = (i + 1) & mask, n++) {
                PeerRegistry.Slot c = t[i];
                if (c == null) {
                    break;
                }
                if (c == TOMBSTONE) {
                    if (free < 0) {
                        free = i;
                    }
                } else if (c.name.equals(name)) {
                    return c;
                }
            }
            s = new PeerRegistry.Slot(name);
            if (free < 0 && (used + 1) * 4L > t.length * 3L) {
                t = resize(capacityFor(live + 1));
                mask = t.length - 1;
            }
            if (free < 0) {
                free = index(name, mask);
                while (t[free] != null) {
                    free = (free + 1) & mask;
                }
                used++;
            }
            CELLS.setRelease(t, free, s);
            live++;
            return s;
        }
    }

    /** Removes {@code slot} (this very instance) if it is in the table. */
    void remove(PeerRegistry.Slot slot) {
        synchronized (lock) {
            PeerRegistry.Slot[] t = cells;
            int mask = t.length - 1;
            for (int i = index(slot.name, mask), n = 0; n <= mask; i = (i + 1) & mask, n++) {
                PeerRegistry.Slot c = t[i];
                if (c == null) {
                    return;
                }
                if (c == slot) {
                    CELLS.setRelease(t, i, TOMBSTONE);
                    live--;
                    if (t.length > MIN_CAPACITY && live * 8L < t.length) {
                        resize(capacityFor(live));
                    }
                    return;
                }
            }
        }
    }

    /** Calls {@code action} for each slot in the table now (weakly consistent, like a concurrent map's iteration). */
    void forEach(Consumer<PeerRegistry.Slot> action) {
        PeerRegistry.Slot[] t = cells;
        for (int i = 0; i < t.length; i++) {
            PeerRegistry.Slot s = (PeerRegistry.Slot) CELLS.getAcquire(t, i);
            if (s != null && s != TOMBSTONE) {
                action.accept(s);
            }
        }
    }

    /** The array's length now (for tests). */
    int capacity() {
        return cells.length;
    }

    /** Copies the live slots into a new array of {@code capacity} cells and publishes it; under the lock. */
    private PeerRegistry.Slot[] resize(int capacity) {
        PeerRegistry.Slot[] old = cells;
        PeerRegistry.Slot[] t = new PeerRegistry.Slot[capacity];
        int mask = capacity - 1;
        int n = 0;
        for (PeerRegistry.Slot s : old) {
            if (s != null && s != TOMBSTONE) {
                int i = index(s.name, mask);
                while (t[i] != null) {
                    i = (i + 1) & mask;
                }
                t[i] = s;
                n++;
            }
        }
        used = n;
        cells = t; // the volatile write publishes the filled array
        return t;
    }

    /** The smallest power of two (at least {@link #MIN_CAPACITY}) that holds {@code n} slots at most 2/3 full. */
    static int capacityFor(int n) {
        long want = Math.max(MIN_CAPACITY, n * 3L / 2 + 1);
        if (want > 1 << 30) {
            throw new IllegalStateException("peer registry : " + n + " names (expected: at most " + (1 << 29) + ")");
        }
        return Integer.highestOneBit((int) want - 1) << 1;
    }

    /**
     * The home cell of {@code name} in a table of {@code mask + 1} cells: the top bits of its hash
     * times 2^32/φ (Fibonacci hashing), so that names with neighbouring hashes ("p1", "p2") scatter.
     */
    static int index(String name, int mask) {
        return (name.hashCode() * 0x9E3779B9) >>> Integer.numberOfLeadingZeros(mask);
    }
}
