package dev.heartbeat.udp.internal;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The responder's replay window: which (epoch, sequence) pairs each sender has already used.
 *
 * <h2>Senders and streams</h2>
 * A sender is a monitor process, named by the epoch in its PINGs (random, 64 bits, fixed for the
 * monitor's life). It is <em>not</em> its source address: a recorded PING replayed from another
 * (spoofed) address is still the same sender's, and is refused. A monitor numbers the PINGs of
 * each peer on its own, so one sender may run several streams to this responder (two peers of one
 * monitor on the same address); each stream is a <em>lane</em> of at most
 * {@value #MAX_LANES} per sender. A lane holds the newest sequence {@code high}, a bitmap of the
 * {@value #WINDOW} sequences below it, and the oldest sequence it ever took, {@code low}.
 *
 * <h2>The rule for a sequence s (serial arithmetic, RFC 1982)</h2>
 * <pre>
 *           low                      high-WINDOW        high          high+MAX_JUMP
 *  ──────────┼────────────────────────────┼───────────────┼─────────────────┼──────────
 *   no lane  │          TOO_OLD           │ bitmap: new or│   ACCEPTED      │  no lane
 *            │   (covered, out of window) │   DUPLICATE   │  (window moves) │
 * </pre>
 * A sequence that no lane covers starts a new lane (a new stream, or a stream that jumped more
 * than {@value #MAX_JUMP}); with {@value #MAX_LANES} lanes already, the least recently used one is
 * replaced. Sequences start at random points of a 2³² space, so a second stream falls inside a
 * first stream's covered range only with probability (high − low) / 2³².
 *
 * <h2>Stale epochs</h2>
 * An epoch is <em>stale</em> when its monitor was replaced: the same node id has shown another
 * epoch first seen after this one's last accepted PING, and this one has been silent for
 * {@code staleAfter} since. (Two live monitors sharing a node id keep both epochs: each keeps
 * sending.) A stale epoch's window is dropped and its epoch kept as a tombstone (at most
 * {@value #MAX_TOMBSTONES}); every later PING with it is refused. Stale epochs are found lazily,
 * when one of their PINGs arrives, and by {@link #sweep}.
 *
 * <h2>Memory</h2>
 * At most {@code maxSenders} senders; a sender silent for {@code idleNanos} is forgotten by
 * {@link #sweep}, and after that a replay of its PINGs would start a new sender: the window
 * protects for that long. A full table refuses new senders ({@link Verdict#FULL}) after trying a
 * sweep. State is touched only by PINGs that passed authentication (the caller checks first),
 * so without a key an attacker can fill nothing that a key holder could not.
 *
 * <h2>Cost per PING</h2>
 * A caller that keeps a {@link Cache} (one per receiving thread) finds a known sender without
 * the table: no boxed epoch, no hash-map probe; then one lock of that sender, under which a live,
 * recently seen sender has its sequence judged and recorded. A sender removed from the table
 * (forgotten, retired or displaced) is marked so, and a cache that still holds it goes to the
 * table, so a cache changes no verdict.
 *
 * <p>Thread-safe: maps are concurrent, a sender is updated under its own lock. A {@link Cache}
 * is confined to one thread.
 */
public final class ReplayWindow {

    /** Sequences remembered one by one below the newest of a lane. */
    public static final int WINDOW = 256;
    /** The furthest a stream may jump ahead and stay the same lane. */
    public static final int MAX_JUMP = 1 << 16;
    /** Streams per sender. */
    public static final int MAX_LANES = 4;
    /** Epochs remembered per node id. */
    public static final int MAX_EPOCHS_PER_NODE = 8;
    /** Stale epochs remembered. */
    public static final int MAX_TOMBSTONES = 65_536;
    /** A lane covers at most this many sequences (keeps serial comparisons meaningful). */
    static final int MAX_COVERAGE = 1 << 30;

    /** What the window says of one PING. */
    public enum Verdict {
        /** New: answer it. */
        ACCEPTED,
        /** Seen already (inside the window). */
        DUPLICATE,
        /** Older than the window, inside what the stream already used. */
        TOO_OLD,
        /** From a monitor process that was replaced. */
        STALE_EPOCH,
        /** The table is full of live senders. */
        FULL
    }

    private final ConcurrentHashMap<Long, Sender> byEpoch = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Node> byNode = new ConcurrentHashMap<>();
    private final LinkedHashSet<Long> tombstones = new LinkedHashSet<>();
    private final int maxSenders;
    private final long staleAfterNanos;
    private final long idleNanos;

    public ReplayWindow(int maxSenders, long staleAfterNanos, long idleNanos) {
        if (maxSenders < 1 || staleAfterNanos <= 0 || idleNanos < staleAfterNanos) {
            throw new IllegalArgumentException("maxSenders : " + maxSenders + ", staleAfterNanos : " + staleAfterNanos
                    + ", idleNanos : " + idleNanos + " (expected: >= 1, > 0, >= staleAfterNanos)");
        }
        this.maxSenders = maxSenders;
        this.staleAfterNanos = staleAfterNanos;
        this.idleNanos = idleNanos;
    }

    /**
     * Judges one authenticated PING and, when it is new, records it; as
     * {@link #accept(Cache, long, int, ByteBuffer, int, InetSocketAddress, int, long)} without a cache.
     */
    public Verdict accept(long epoch, int seq, ByteBuffer ping, int start, InetSocketAddress from, int length,
            long now) {
        return accept(null, epoch, seq, ping, start, from, length, now);
    }

    /**
     * Judges one authenticated PING and, when it is new, records it.
     *
     * @param cache  the calling thread's cache of recent senders, or null
     * @param epoch  the PING's epoch
     * @param seq    its sequence
     * @param ping   the buffer holding it (read only for the node id, and only for a new sender)
     * @param start  where the frame starts in {@code ping}
     * @param from   where it came from (kept for GOODBYEs; not part of the sender's identity)
     * @param length its length in bytes
     */
    public Verdict accept(Cache cache, long epoch, int seq, ByteBuffer ping, int start, InetSocketAddress from,
            int length, long now) {
        Sender s = cache == null ? null : cache.get(epoch);
        if (s != null) {
            synchronized (s) {
                // Quiet for less than staleAfter: it cannot be stale, so judge it under this one lock.
                if (!s.gone && now - s.lastSeen < staleAfterNanos) {
                    return s.record(seq, now, from, length);
                }
            }
        }
        s = byEpoch.get(epoch);
        if (s == null) {
            if (isTombstone(epoch)) {
                return Verdict.STALE_EPOCH;
            }
            if (byEpoch.size() >= maxSenders) {
                sweep(now);
                if (byEpoch.size() >= maxSenders) {
                    return Verdict.FULL;
                }
            }
            Sender fresh = new Sender(epoch, nodeIdOf(ping, start), now);
            s = byEpoch.putIfAbsent(epoch, fresh);
            if (s == null) {
                s = fresh;
                Node n = byNode.computeIfAbsent(fresh.nodeId, k -> new Node());
                Sender dropped = n.add(fresh);
                if (dropped != null) {
                    forget(dropped);
                }
            }
        }
        if (stale(s, now)) {
            return Verdict.STALE_EPOCH;
        }
        synchronized (s) {
            if (s.retired) {
                return Verdict.STALE_EPOCH;
            }
            if (cache != null && !s.gone) {
                cache.put(s);
            }
            return s.record(seq, now, from, length);
        }
    }

    /** Removes {@code s} from the table and marks it so for the caches that hold it. */
    private void forget(Sender s) {
        synchronized (s) {
            s.gone = true;
        }
        byEpoch.remove(s.epoch, s);
    }

    /** True (and the epoch retired) when {@code s}'s monitor was replaced; see the class comment. */
    private boolean stale(Sender s, long now) {
        long lastSeen;
        synchronized (s) {
            if (s.retired) {
                return true;
            }
            lastSeen = s.lastSeen;
        }
        if (now - lastSeen < staleAfterNanos) {
            return false;
        }
        Node n = byNode.get(s.nodeId);
        if (n == null || !n.hasSuccessor(s, lastSeen)) {
            return false;
        }
        retire(s, n);
        return true;
    }

    private void retire(Sender s, Node n) {
        synchronized (s) {
            s.retired = true;
            s.gone = true;
            s.lanes.clear();
        }
        synchronized (tombstones) {
            tombstones.add(s.epoch);
            if (tombstones.size() > MAX_TOMBSTONES) {
                Iterator<Long> it = tombstones.iterator();
                it.next();
                it.remove();
            }
        }
        byEpoch.remove(s.epoch, s);
        if (n != null) {
            n.remove(s);
        }
    }

    private boolean isTombstone(long epoch) {
        synchronized (tombstones) {
            return tombstones.contains(epoch);
        }
    }

    /** Retires stale epochs and forgets senders silent for {@code idleNanos}. */
    public void sweep(long now) {
        for (Sender s : byEpoch.values()) {
            long lastSeen;
            synchronized (s) {
                lastSeen = s.lastSeen;
            }
            Node n = byNode.get(s.nodeId);
            if (now - lastSeen >= idleNanos) {
                forget(s);
                if (n != null) {
                    n.remove(s);
                }
            } else if (now - lastSeen >= staleAfterNanos && n != null && n.hasSuccessor(s, lastSeen)) {
                retire(s, n);
            }
        }
        for (Iterator<Map.Entry<String, Node>> it = byNode.entrySet().iterator(); it.hasNext(); ) {
            Node n = it.next().getValue();
            if (n.isEmpty()) {
                it.remove();
            }
        }
    }

    /** Senders remembered now. */
    public int size() {
        return byEpoch.size();
    }

    /** Calls {@code c} with the last address and PING length of every sender seen since {@code since}. */
    public void recentSources(long since, long now, Consumer<Recent> c) {
        for (Sender s : byEpoch.values()) {
            InetSocketAddress from;
            int length;
            synchronized (s) {
                if (s.retired || s.lastFrom == null || s.lastSeen - since < 0) {
                    continue;
                }
                from = s.lastFrom;
                length = s.lastLength;
            }
            c.accept(new Recent(from, length));
        }
    }

    /** A sender's last source address and the length of its last accepted PING. */
    public record Recent(InetSocketAddress from, int length) {
    }

    private static String nodeIdOf(ByteBuffer ping, int start) {
        int n = ping.get(start + 28) & 0xFF;
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = ping.get(start + 29 + i);
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    /**
     * The senders one receiving thread saw last, by epoch: a direct-mapped table of
     * {@value #SIZE} entries (a colliding epoch replaces the entry). It only finds senders; the
     * sender's own state, under its lock, decides whether the entry is still good. Confined to
     * one thread.
     */
    public static final class Cache {
        /** Entries, a power of two. */
        static final int SIZE = 4096;
        private final long[] epochs = new long[SIZE];
        private final Sender[] senders = new Sender[SIZE];

        /** The entry of {@code epoch}, 0..{@link #SIZE}-1. */
        private static int slot(long epoch) {
            long h = epoch * 0x9E37_79B9_7F4A_7C15L; // epochs are random, but a peer chooses its own: mix
            return (int) (h >>> 52); // top 12 bits
        }

        Sender get(long epoch) {
            int i = slot(epoch);
            Sender s = senders[i];
            return s != null && epochs[i] == epoch ? s : null;
        }

        void put(Sender s) {
            int i = slot(s.epoch);
            epochs[i] = s.epoch;
            senders[i] = s;
        }
    }

    /** One monitor process. Guarded by its own lock. */
    static final class Sender {
        final long epoch;
        final String nodeId;
        final long firstSeen;
        long lastSeen;
        boolean retired;
        /** Removed from the table (forgotten, retired or displaced): caches must not use it. */
        boolean gone;
        InetSocketAddress lastFrom;
        int lastLength;
        final List<Lane> lanes = new ArrayList<>(1);

        synchronized long lastSeenVolatile() {
            return lastSeen;
        }

        Sender(long epoch, String nodeId, long now) {
            this.epoch = epoch;
            this.nodeId = nodeId;
            this.firstSeen = now;
            this.lastSeen = now;
        }

        /** Judges {@code seq} and, when new, records it and where it came from. Under this sender's lock. */
        Verdict record(int seq, long now, InetSocketAddress from, int length) {
            Verdict v = offer(seq, now);
            if (v == Verdict.ACCEPTED) {
                lastSeen = now;
                lastFrom = from;
                lastLength = length;
            }
            return v;
        }

        Verdict offer(int seq, long now) {
            for (int i = 0, n = lanes.size(); i < n; i++) {
                Lane l = lanes.get(i);
                Verdict v = l.offer(seq);
                if (v != null) {
                    l.lastUsed = now;
                    return v;
                }
            }
            if (lanes.size() >= MAX_LANES) {
                Lane lru = lanes.get(0);
                for (int i = 1; i < lanes.size(); i++) {
                    Lane l = lanes.get(i);
                    if (l.lastUsed - lru.lastUsed < 0) {
                        lru = l;
                    }
                }
                lanes.remove(lru);
            }
            Lane l = new Lane(seq);
            l.lastUsed = now;
            lanes.add(l);
            return Verdict.ACCEPTED;
        }
    }

    /** One stream of sequences. */
    static final class Lane {
        private final long[] bits = new long[WINDOW / 64]; // bit i: high - i was seen
        int high;
        int low;
        long lastUsed;

        Lane(int seq) {
            high = seq;
            low = seq;
            bits[0] = 1L;
        }

        /** The verdict, or null when this lane does not cover {@code seq}. */
        Verdict offer(int seq) {
            int d = seq - high;
            if (d > 0) {
                if (d > MAX_JUMP) {
                    return null;
                }
                shift(d);
                bits[0] |= 1L;
                high = seq;
                if (high - low > MAX_COVERAGE) {
                    low = high - MAX_COVERAGE;
                }
                return Verdict.ACCEPTED;
            }
            if (d > -WINDOW) {
                int back = -d;
                long mask = 1L << (back & 63);
                if ((bits[back >>> 6] & mask) != 0) {
                    return Verdict.DUPLICATE;
                }
                bits[back >>> 6] |= mask;
                return Verdict.ACCEPTED;
            }
            if (seq - low >= 0) {
                return Verdict.TOO_OLD;
            }
            return null;
        }

        private void shift(int d) {
            if (d >= WINDOW) {
                java.util.Arrays.fill(bits, 0L);
                return;
            }
            if (d < 64) { // the usual case (d = 1): each word takes the top bits of the one below
                for (int i = bits.length - 1; i > 0; i--) {
                    bits[i] = bits[i] << d | bits[i - 1] >>> (64 - d);
                }
                bits[0] <<= d;
                return;
            }
            int words = d >>> 6;
            int r = d & 63;
            for (int i = bits.length - 1; i >= 0; i--) {
                long v = i - words >= 0 ? bits[i - words] << r : 0L;
                if (r != 0 && i - words - 1 >= 0) {
                    v |= bits[i - words - 1] >>> (64 - r);
                }
                bits[i] = v;
            }
        }
    }

    /** The epochs of one node id (bounded). */
    static final class Node {
        private final List<Sender> epochs = new ArrayList<>(1);

        /** Adds {@code s}; returns the sender dropped to make room, if any. */
        synchronized Sender add(Sender s) {
            Sender dropped = null;
            if (epochs.size() >= MAX_EPOCHS_PER_NODE) {
                dropped = epochs.get(0);
                for (Sender e : epochs) {
                    if (e.lastSeenVolatile() - dropped.lastSeenVolatile() < 0) {
                        dropped = e;
                    }
                }
                epochs.remove(dropped);
            }
            epochs.add(s);
            return dropped;
        }

        synchronized void remove(Sender s) {
            epochs.remove(s);
        }

        synchronized boolean isEmpty() {
            return epochs.isEmpty();
        }

        /** True when another epoch of this node was first seen after {@code lastSeen}. */
        synchronized boolean hasSuccessor(Sender s, long lastSeen) {
            for (Sender e : epochs) {
                if (e != s && e.firstSeen - lastSeen > 0) {
                    return true;
                }
            }
            return false;
        }
    }
}
