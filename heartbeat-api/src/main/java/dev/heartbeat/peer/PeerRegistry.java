package dev.heartbeat.peer;

import dev.heartbeat.internal.LogLimit;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry of monitored peers and the publisher of their events. Thread-safe.
 *
 * <h2>Events</h2>
 * <ul>
 *   <li><b>Sequence.</b> {@link #publish} stamps each event with a {@link PeerEvent#sequence()}
 *       that strictly increases per peer name, also across a removal and a new registration
 *       under the same name. Stamping and queueing happen under the peer's own lock, so every
 *       listener receives a peer's events in sequence order, whichever threads published them.</li>
 *   <li><b>One lane per listener.</b> Each listener has its own queue, drained by one task at a
 *       time on the dispatch executor: its events arrive in order, one at a time, and a slow
 *       listener delays only itself. A listener that throws is logged (rate-limited) and stays
 *       subscribed.</li>
 *   <li><b>Coalescing, never dropping.</b> A lane holding {@link #DEFAULT_LANE_CAPACITY} (or the
 *       configured capacity) pending events merges each further event of a peer into that peer's
 *       pending event (first {@code from}, last {@code to}, latest state and sequence, and a
 *       {@link PeerEvent#count()}), so memory stays bounded and the latest state of every peer
 *       always arrives; a REMOVED is never lost. Merges are counted: {@link #coalescedEvents()}.</li>
 *   <li><b>Replay.</b> {@link #addListener} first queues, for each registered peer that has
 *       published events, an {@link PeerEvent.Kind#ADDED} ({@link PeerEvent#replayed()}) that
 *       repeats its last published event's sequence, {@code to} values, reason and timestamp,
 *       with a snapshot made then: those values and the peer's current measurements (the
 *       registry keeps what defines the last event, not the event). No live event of that peer
 *       reaches the new listener before it, and none published after it is missed.</li>
 * </ul>
 * {@code docs/events.md} gives the exact rules.
 *
 * <h2>Threads</h2>
 * {@link #create()} dispatches on daemon threads named {@code heartbeat-events-<registry>-<n>},
 * at most one per listener that has events to deliver (idle threads end after
 * {@value #IDLE_THREAD_SECONDS} s); {@link #close()} stops them. {@link #create(Executor)}
 * dispatches on the given executor instead: {@code Runnable::run} delivers synchronously on the
 * publishing thread (as tests do); a shared pool runs each listener's events serially, at most
 * {@value #BATCH} at a time before yielding. If that executor refuses a task, the events stay
 * queued and the task is submitted again at the listener's next event and at {@link #close()}
 * ({@link #dispatchRefusals()}).
 */
public final class PeerRegistry implements AutoCloseable {

    /** Default number of pending events per listener above which its events are coalesced per peer. */
    public static final int DEFAULT_LANE_CAPACITY = 4_096;

    /**
     * Former bound of the single dispatch queue.
     *
     * @deprecated events are no longer dropped at a queue bound; see {@link #DEFAULT_LANE_CAPACITY}
     */
    @Deprecated
    public static final int DEFAULT_QUEUE_CAPACITY = 65_536;

    /** Largest accepted lane capacity. */
    public static final int MAX_LANE_CAPACITY = 1 << 24;

    /** Default time {@link #close()} waits for listeners to receive what is queued. */
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(1);

    static final int IDLE_THREAD_SECONDS = 30;
    static final int BATCH = 256;

    private static final Logger log = LoggerFactory.getLogger(PeerRegistry.class);
    private static final AtomicInteger REGISTRIES = new AtomicInteger();

    /** Counters shared with the lanes. */
    static final class Counters {
        final AtomicLong coalesced = new AtomicLong();
        final AtomicLong refusals = new AtomicLong();
        final AtomicLong dropped = new AtomicLong();
    }

    private static final Liveness[] LIVENESS = Liveness.values();
    private static final Usability[] USABILITY = Usability.values();

    /**
     * A peer name's entry: the peer registered under it, if any, and the name's publishing state —
     * its lock, its last sequence and what defines its last published event (not the event itself:
     * a replay is made from these and the peer's current measurements). Written under its own
     * monitor (and, for the publishing state, the gate's read lock); {@link #addListener} reads it
     * under the gate's write lock and the monitor.
     *
     * <p>It stays in the registry's {@link SlotTable} while a peer is registered under the name or the name has a
     * published event that was not a REMOVED; it leaves only under its monitor, marked
     * {@link #retired() retired} first, so whoever finds a retired slot takes the name's next one.
     */
    static final class Slot {
        /** Bits of {@link #last} that hold the sequence: 2^56 sequences, two thousand years at a million events a second. */
        private static final int SEQUENCE_BITS = 56;
        private static final long SEQUENCE_MASK = (1L << SEQUENCE_BITS) - 1;
        /** Where {@link #last} keeps the {@code to} values: ordinal + 1, 0 for null, 3 bits each. */
        private static final int LIVENESS_AT = SEQUENCE_BITS;
        private static final int USABILITY_AT = SEQUENCE_BITS + 3;
        /** {@link #last}'s mark of a slot that left the table. */
        private static final long RETIRED = Long.MIN_VALUE;
        /** {@link #stamp} of an event without a timestamp. */
        private static final long NO_STAMP = Long.MIN_VALUE;
        /** {@link #stamp} of a timestamp that does not fit in it, kept in a {@link FarStamp} as {@link #reason}. */
        private static final long FAR = Long.MIN_VALUE + 1;

        /** The name it is the slot of. */
        final String name;
        /** The registered peer, or null: written under the monitor, read without it. */
        volatile Peer peer;
        /**
         * In one word: the name's last sequence ({@link #lastSequence()}, 0 when nothing is to be
         * continued: none yet, or REMOVED), the last published event's {@code to} values, and the
         * mark of a slot that left the table ({@link #retired()}).
         */
        private long last;
        /**
         * The last published event's reason (the same reference); or, when its timestamp does not
         * fit in {@link #stamp} (years before 1678 or after 2261), a {@link FarStamp} with both.
         */
        private Object reason;
        /** The last published event's timestamp in nanoseconds since the epoch; {@link #NO_STAMP} or {@link #FAR}. */
        private long stamp;

        /** A reason with a timestamp {@link #stamp} cannot hold. */
        private record FarStamp(String reason, Instant at) {
        }

        Slot(String name) {
            this.name = name;
        }

        /** Keeps what defines {@code e}, a published event other than REMOVED. */
        void remember(PeerEvent e) {
            long sequence = e.sequence();
            if ((sequence & ~SEQUENCE_MASK) != 0) {
                throw new IllegalStateException("sequence : " + sequence + " (expected: 1.." + SEQUENCE_MASK + ")");
            }
            last = sequence | (long) code(e.toLiveness()) << LIVENESS_AT | (long) code(e.toUsability()) << USABILITY_AT;
            Instant at = e.timestamp();
            stamp = at == null ? NO_STAMP : epochNanos(at);
            reason = stamp == FAR ? new FarStamp(e.reason(), at) : e.reason();
        }

        /** After REMOVED: nothing to replay, and the name's next event starts above every sequence. */
        void forget() {
            last = 0;
            reason = null;
        }

        /** The name's last sequence; 0 when nothing is to be continued (none yet, or REMOVED). */
        long lastSequence() {
            return last & SEQUENCE_MASK;
        }

        /** True once the slot left the table: a later registration or event of the name takes a new one. */
        boolean retired() {
            return (last & RETIRED) != 0;
        }

        /** Marks the slot as having left the table (it is idle: nothing else is kept in it). */
        void retire() {
            last |= RETIRED;
        }

        /** Removable: no peer, nothing to continue. */
        boolean idle() {
            return peer == null && lastSequence() == 0;
        }

        /**
         * The replayed ADDED of this name: the last published event's {@code to} values, reason,
         * timestamp and sequence, with {@code peer}'s current measurements; null when there is
         * nothing to replay.
         */
        PeerEvent replay(Peer peer) {
            long sequence = lastSequence();
            if (sequence == 0) {
                return null;
            }
            int lc = (int) (last >>> LIVENESS_AT) & 7;
            int uc = (int) (last >>> USABILITY_AT) & 7;
            Liveness l = lc == 0 ? null : LIVENESS[lc - 1];
            Usability u = uc == 0 ? null : USABILITY[uc - 1];
            Object r = reason;
            String why = r instanceof FarStamp ? ((FarStamp) r).reason() : (String) r;
            Instant at = stamp == NO_STAMP ? null : stamp == FAR ? ((FarStamp) r).at() : instantOf(stamp);
            PeerState now = peer.state();
            PeerState state = now == null ? null : new PeerState(now.name(), now.address(), l, u, why, now.phi(),
                    now.rttNanos(), now.rttBaselineNanos(), now.status(), now.load(), now.epoch(), now.nodeId(), at);
            return new PeerEvent(PeerEvent.Kind.ADDED, name, l, l, u, u, why, at, state, sequence, 0);
        }

        private static int code(Enum<?> value) {
            return value == null ? 0 : value.ordinal() + 1;
        }

        /** {@code at} in nanoseconds since the epoch, or {@link #FAR} when that is not a long other than the two marks. */
        static long epochNanos(Instant at) {
            try {
                long n = Math.addExact(Math.multiplyExact(at.getEpochSecond(), 1_000_000_000L), at.getNano());
                return n == NO_STAMP || n == FAR ? FAR : n;
            } catch (ArithmeticException tooFar) {
                return FAR;
            }
        }

        static Instant instantOf(long epochNanos) {
            return Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L), Math.floorMod(epochNanos, 1_000_000_000L));
        }
    }

    /** One slot per name that has a registered peer or events to continue; see {@link Slot}. */
    private final SlotTable slots = new SlotTable();
    /** Peers registered now (changed under the slots' monitors). */
    private final AtomicInteger registered = new AtomicInteger();
    /** The listeners' lanes; replaced, never changed in place, under {@link #lanesLock}. */
    private volatile ListenerLane[] lanes = new ListenerLane[0];
    private final Object lanesLock = new Object();
    /** Publishers share it; {@link #addListener} and {@link #close()} take it alone. */
    private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
    private final AtomicLong stamps = new AtomicLong();
    private final Counters counters = new Counters();
    private final Executor dispatcher;
    private final ThreadPoolExecutor ownedDispatcher;
    private final int laneCapacity;
    private final Duration closeTimeout;
    private volatile boolean closed;

    private PeerRegistry(Builder b) {
        if (b.dispatcher == null) {
            String prefix = "heartbeat-events-" + REGISTRIES.incrementAndGet() + "-";
            AtomicInteger threads = new AtomicInteger();
            this.ownedDispatcher = new ThreadPoolExecutor(0, Integer.MAX_VALUE, IDLE_THREAD_SECONDS, TimeUnit.SECONDS,
                    new SynchronousQueue<>(), r -> {
                        Thread t = new Thread(r, prefix + threads.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
            this.dispatcher = ownedDispatcher;
        } else {
            this.ownedDispatcher = null;
            this.dispatcher = b.dispatcher;
        }
        this.laneCapacity = b.laneCapacity;
        this.closeTimeout = b.closeTimeout;
    }

    /** A registry that dispatches events on its own daemon threads, with the default settings. */
    public static PeerRegistry create() {
        return builder().build();
    }

    /** A registry that dispatches events on the given executor (use {@code Runnable::run} in tests). */
    public static PeerRegistry create(Executor dispatcher) {
        return builder().dispatcher(dispatcher).build();
    }

    /** A builder; every setter validates. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Subscribes a listener with the registry's lane capacity. Before any live event, it receives
     * one {@link PeerEvent#replayed() replayed} ADDED per registered peer that has published events
     * (its {@link PeerState} is made now, from each peer's {@link Peer#state()}, called on this
     * thread while publishing waits).
     *
     * @throws IllegalStateException when the registry is closed
     */
    public void addListener(PeerListener listener) {
        addListener(listener, laneCapacity);
    }

    /**
     * Subscribes a listener with its own lane capacity: a listener that must see every transition
     * (a counter) can take a large one, a listener that needs only the latest state (a health
     * indicator) a small one.
     *
     * @param laneCapacity pending events above which this listener's events are coalesced per
     *        peer, 1..{@value #MAX_LANE_CAPACITY}
     * @throws IllegalStateException when the registry is closed
     */
    public void addListener(PeerListener listener, int laneCapacity) {
        Objects.requireNonNull(listener, "listener");
        checkLaneCapacity(laneCapacity);
        ListenerLane lane = new ListenerLane(listener, laneCapacity, dispatcher,
                ownedDispatcher != null ? Integer.MAX_VALUE : BATCH, counters);
        boolean[] schedule = {false};
        gate.writeLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("registry is closed");
            }
            slots.forEach(slot -> {
                if (slot.peer == null) {
                    return; // (most unregistered names: no need to lock)
                }
                PeerEvent replay;
                synchronized (slot) {
                    Peer peer = slot.peer;
                    replay = slot.retired() || peer == null ? null : slot.replay(peer);
                }
                if (replay != null) {
                    schedule[0] |= lane.offer(replay);
                }
            });
            synchronized (lanesLock) {
                ListenerLane[] now = Arrays.copyOf(lanes, lanes.length + 1);
                now[now.length - 1] = lane;
                lanes = now;
            }
        } finally {
            gate.writeLock().unlock();
        }
        if (schedule[0]) {
            lane.schedule();
        }
    }

    /** Unsubscribes a listener (the first subscription of it, if it was added twice); its pending events are discarded. */
    public void removeListener(PeerListener listener) {
        ListenerLane removed = null;
        synchronized (lanesLock) {
            ListenerLane[] now = lanes;
            for (int i = 0; i < now.length; i++) {
                if (now[i].listener.equals(listener)) {
                    removed = now[i];
                    ListenerLane[] less = new ListenerLane[now.length - 1];
                    System.arraycopy(now, 0, less, 0, i);
                    System.arraycopy(now, i + 1, less, i, now.length - i - 1);
                    lanes = less;
                    break;
                }
            }
        }
        if (removed != null) {
            removed.stop();
        }
    }

    /** The peers now registered (a copy). */
    public Collection<Peer> peers() {
        List<Peer> all = new ArrayList<>(registered.get());
        slots.forEach(slot -> {
            Peer p = slot.peer;
            if (p != null) {
                all.add(p);
            }
        });
        return Collections.unmodifiableList(all);
    }

    /** The peer registered under {@code name}. */
    public Optional<Peer> peer(String name) {
        Slot slot = slots.get(name);
        return slot == null ? Optional.empty() : Optional.ofNullable(slot.peer);
    }

    /** Number of registered peers. */
    public int size() {
        return registered.get();
    }

    /**
     * Registers a peer. Atomic: of two racing registrations of one name, exactly one succeeds.
     *
     * @throws IllegalArgumentException when a peer of that name is already registered
     */
    public void register(Peer peer) {
        String name = peer.name();
        while (true) {
            Slot slot = slots.getOrAdd(name);
            synchronized (slot) {
                if (slot.retired()) {
                    continue; // it just left the table; take the name's next slot
                }
                if (slot.peer != null) {
                    throw new IllegalArgumentException("peer : '" + name + "' is already registered (expected: a unique name)");
                }
                slot.peer = peer;
                registered.incrementAndGet();
                return;
            }
        }
    }

    /**
     * Removes whatever peer is registered under {@code name}; returns it, or {@code null} when
     * none had that name. An owner sharing the registry should prefer {@link #unregister(Peer)},
     * which cannot remove another owner's peer of the same name.
     */
    public Peer unregister(String name) {
        return unregister(name, null);
    }

    /**
     * Removes {@code peer} if, and only if, that very instance is registered (atomic), so two
     * monitors sharing a registry never remove each other's peers.
     *
     * @return true when it was registered and is now removed
     */
    public boolean unregister(Peer peer) {
        Objects.requireNonNull(peer, "peer");
        return unregister(peer.name(), peer) != null;
    }

    /** Removes the peer registered under {@code name} if it is {@code only} (any when null); returns it or null. */
    private Peer unregister(String name, Peer only) {
        while (true) {
            Slot slot = slots.get(name);
            if (slot == null) {
                return null;
            }
            synchronized (slot) {
                if (slot.retired()) {
                    continue; // it left the table under this monitor: the table holds the name's next slot, or none
                }
                Peer p = slot.peer;
                if (p == null || (only != null && p != only)) {
                    return null;
                }
                slot.peer = null;
                registered.decrementAndGet();
                retireIfIdle(slot);
                return p;
            }
        }
    }

    /** Takes {@code slot} out of the table when it holds nothing; call under its monitor. */
    private void retireIfIdle(Slot slot) {
        if (slot.idle()) {
            slot.retire();
            slots.remove(slot);
        }
    }

    /**
     * Publishes an event to every listener. The event is stamped with its peer's next
     * {@linkplain PeerEvent#sequence() sequence number} (any sequence it carries is replaced);
     * listeners receive the stamped copy on their own lanes. Never throws for a listener's sake,
     * never blocks on one. After {@link #close()} the event is counted in {@link #droppedEvents()}.
     *
     * <p>Publish a peer's events from one thread at a time (its detection thread); the registry
     * orders them by the order in which {@code publish} is called.
     *
     * @return the stamped event, as listeners receive it (the event itself after {@code close()})
     */
    public PeerEvent publish(PeerEvent event) {
        Objects.requireNonNull(event, "event");
        PeerEvent result = event;
        ListenerLane[] toSchedule = null;
        int n = 0;
        gate.readLock().lock();
        try {
            ListenerLane[] ls = lanes;
            if (closed) {
                long dropped = counters.dropped.addAndGet(ls.length);
                if (ls.length > 0 && LogLimit.loud(dropped)) {
                    log.warn("Peer event published after the registry was closed, not delivered ({} dropped so far): {}",
                            dropped, event);
                }
                return event;
            }
            while (true) {
                Slot slot = slots.getOrAdd(event.peer());
                synchronized (slot) {
                    if (slot.retired()) {
                        continue; // a REMOVED just retired it; take the name's next slot
                    }
                    long global = stamps.incrementAndGet();
                    long last = slot.lastSequence();
                    long sequence = last == 0 ? global : last + 1;
                    PeerEvent stamped = event.withSequence(sequence);
                    result = stamped;
                    if (stamped.kind() == PeerEvent.Kind.REMOVED) {
                        slot.forget();
                        retireIfIdle(slot);
                    } else {
                        slot.remember(stamped);
                    }
                    for (ListenerLane lane : ls) {
                        if (lane.offer(stamped)) {
                            if (toSchedule == null) {
                                toSchedule = new ListenerLane[ls.length];
                            }
                            toSchedule[n++] = lane;
                        }
                    }
                    break;
                }
            }
        } finally {
            gate.readLock().unlock();
        }
        for (int i = 0; i < n; i++) {
            toSchedule[i].schedule();
        }
        return result;
    }

    /**
     * Published events that will never reach a listener, counted once per listener: events
     * published after {@link #close()}, and events still pending when {@code close()} stopped
     * waiting. (Before lanes and coalescing, this counted events dropped at a full queue; events
     * are no longer dropped while the registry is open.)
     */
    public long droppedEvents() {
        return counters.dropped.get();
    }

    /** Events merged into another pending event of the same peer because a listener lagged (all listeners). */
    public long coalescedEvents() {
        return counters.coalesced.get();
    }

    /** Times the dispatch executor refused a listener's delivery task (its events stayed queued). */
    public long dispatchRefusals() {
        return counters.refusals.get();
    }

    /** Events waiting for delivery now, over all listeners (a merged event counts once). */
    public int pendingEvents() {
        int sum = 0;
        for (ListenerLane lane : lanes) {
            sum += lane.pending();
        }
        return sum;
    }

    /** Number of subscribed listeners. */
    public int listenerCount() {
        return lanes.length;
    }

    /**
     * Closes the registry: later events are not delivered, the events already queued are
     * delivered for up to the close timeout (default {@link #DEFAULT_CLOSE_TIMEOUT}), what is still
     * pending then is discarded and counted in {@link #droppedEvents()}, and the owned dispatch
     * threads stop (a listener still running is interrupted). The peers stay registered.
     * Idempotent. Called from a listener, it does not wait for that listener's own lane.
     */
    @Override
    public void close() {
        gate.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            gate.writeLock().unlock();
        }
        long deadline = System.nanoTime() + closeTimeout.toNanos();
        boolean interrupted = false;
        for (ListenerLane lane : lanes) {
            if (lane.needsRetry()) {
                lane.schedule();
            }
        }
        boolean fromListener = false;
        for (ListenerLane lane : lanes) {
            if (lane.drainingOnCurrentThread()) {
                fromListener = true;
                continue;
            }
            try {
                if (!interrupted && lane.awaitIdle(deadline)) {
                    continue;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
            long lost = lane.stop();
            if (lost > 0) {
                counters.dropped.addAndGet(lost);
                log.warn("Registry closed before listener {} received {} pending events (waited {})",
                        lane.listener, lost, closeTimeout);
            }
        }
        if (ownedDispatcher != null) {
            ownedDispatcher.shutdown();
            // From a listener, this thread is one of ours: it ends when the listener returns.
            if (!fromListener) {
                try {
                    long left = Math.max(0, deadline - System.nanoTime());
                    if (interrupted || !ownedDispatcher.awaitTermination(left, TimeUnit.NANOSECONDS)) {
                        ownedDispatcher.shutdownNow();
                    }
                } catch (InterruptedException e) {
                    ownedDispatcher.shutdownNow();
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static int checkLaneCapacity(int laneCapacity) {
        if (laneCapacity < 1 || laneCapacity > MAX_LANE_CAPACITY) {
            throw new IllegalArgumentException("laneCapacity : " + laneCapacity + " (expected: 1.." + MAX_LANE_CAPACITY + ")");
        }
        return laneCapacity;
    }

    /** Builder of a {@link PeerRegistry}; every setter validates. */
    public static final class Builder {
        private Executor dispatcher;
        private int laneCapacity = DEFAULT_LANE_CAPACITY;
        private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;

        private Builder() {
        }

        /**
         * The executor that runs listeners (default: the registry's own daemon threads, stopped by
         * {@link PeerRegistry#close()}). {@code Runnable::run} delivers synchronously on the
         * publishing thread. A shared pool needs a thread per listener that may block for long,
         * or those listeners delay the others sharing it.
         */
        public Builder dispatcher(Executor dispatcher) {
            this.dispatcher = Objects.requireNonNull(dispatcher, "dispatcher");
            return this;
        }

        /**
         * Pending events per listener above which its events are coalesced per peer, 1..{@value
         * #MAX_LANE_CAPACITY} (default {@value #DEFAULT_LANE_CAPACITY}). A lane holds at most this
         * many events plus two per peer.
         */
        public Builder laneCapacity(int laneCapacity) {
            this.laneCapacity = checkLaneCapacity(laneCapacity);
            return this;
        }

        /** How long {@link PeerRegistry#close()} waits for queued events to be delivered, 0..1 min (default 1 s). */
        public Builder closeTimeout(Duration closeTimeout) {
            Objects.requireNonNull(closeTimeout, "closeTimeout");
            if (closeTimeout.isNegative() || closeTimeout.compareTo(Duration.ofMinutes(1)) > 0) {
                throw new IllegalArgumentException("closeTimeout : " + closeTimeout + " (expected: PT0S..PT1M)");
            }
            this.closeTimeout = closeTimeout;
            return this;
        }

        public PeerRegistry build() {
            return new PeerRegistry(this);
        }
    }
}
