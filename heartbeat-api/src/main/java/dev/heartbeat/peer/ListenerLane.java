package dev.heartbeat.peer;

import dev.heartbeat.internal.LogLimit;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One listener's delivery lane: its own queue of pending events, drained by one task at a time
 * on the registry's executor, so its events arrive in order, one at a time, and its slowness
 * delays nobody else.
 *
 * <p>While fewer than {@code capacity} events are pending, each event is queued as it is. At or
 * above the capacity, a new event of a peer that already has a pending event is merged into that
 * event ({@link Coalescing}) instead of being queued, so the queue holds at most
 * {@code capacity} + 2 × (number of peers) events and every peer's latest state is in it. Order is
 * kept per peer; across peers, a merged event keeps the queue position of the earlier one.
 *
 * <p>Thread-safety: every field below is guarded by {@code this}; the listener is called outside
 * the lock. Internal to the registry.
 */
final class ListenerLane implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(PeerRegistry.class);
    /** Pending peers up to which {@link #latest}'s table is kept when the lane empties. */
    static final int INDEX_KEPT = 64;

    /** A pending event in the queue (a doubly linked list, so a merged-away event unlinks in O(1)). */
    private static final class Node {
        PeerEvent event;
        Node prev;
        Node next;
        /** The previous pending node of the same peer, or null; meaningless once {@link #taken}. */
        Node earlier;
        boolean taken;

        Node(PeerEvent event, Node earlier) {
            this.event = event;
            this.earlier = earlier;
        }
    }

    final PeerListener listener;
    private final int capacity;
    private final Executor executor;
    private final int batch;
    private final PeerRegistry.Counters counters;

    private Node head;
    private Node tail;
    private int size;
    /**
     * Each peer's most recent pending node. A HashMap never shrinks its table, so after a burst
     * (a replay of every peer, a storm of transitions) that left more than {@link #INDEX_KEPT}
     * peers pending, the emptied map is replaced: an idle lane keeps no table sized for the burst.
     */
    private Map<String, Node> latest = new HashMap<>();
    /** The most peers {@link #latest} held since it was last empty and replaced. */
    private int latestPeak;
    /** A drain task is submitted or running. */
    private boolean scheduled;
    /** The thread running the drain task now, or null. */
    private Thread drainer;
    /** The thread resubmitting the drain task after a full batch, or null. */
    private Thread resubmitter;
    /** The resubmitted drain task ran inline, on the resubmitting thread (a synchronous executor). */
    private boolean rerunInline;
    /** Unsubscribed or abandoned: queue nothing more, deliver nothing more. */
    private boolean stopped;
    private long failures;

    ListenerLane(PeerListener listener, int capacity, Executor executor, int batch, PeerRegistry.Counters counters) {
        this.listener = listener;
        this.capacity = capacity;
        this.executor = executor;
        this.batch = batch;
        this.counters = counters;
    }

    /**
     * Queues (or merges) an event. Called under the peer's publish lock, so the events of one
     * peer arrive here in sequence order.
     *
     * @return true when the caller must {@link #schedule()} a drain (after releasing its locks)
     */
    synchronized boolean offer(PeerEvent event) {
        if (stopped) {
            return false;
        }
        Node last = latest.get(event.peer());
        if (size < capacity || last == null || !mergeInto(last, event)) {
            append(event, last);
        }
        if (scheduled) {
            return false;
        }
        scheduled = true;
        return true;
    }

    private void append(PeerEvent event, Node last) {
        Node n = new Node(event, last);
        if (tail == null) {
            head = n;
        } else {
            tail.next = n;
            n.prev = tail;
        }
        tail = n;
        size++;
        latest.put(event.peer(), n);
        latestPeak = Math.max(latestPeak, latest.size());
    }

    /** Merges {@code event} into the pending {@code last} of its peer; false when it must be queued after it. */
    private boolean mergeInto(Node last, PeerEvent event) {
        if (last.event.kind() == PeerEvent.Kind.REMOVED) {
            return false; // the peer is back (or a straggler): it must not be merged into its own removal
        }
        if (Coalescing.endsDown(last.event) && !Coalescing.endsDown(event) && event.kind() != PeerEvent.Kind.REMOVED) {
            Node before = last.earlier;
            if (before == null || before.taken || !Coalescing.endsDown(before.event)) {
                // A step down (DEAD, UNUSABLE) is never hidden by what follows it: a breaker or a pool
                // must see it to cut the peer off and drop its connections. Queue the recovery after it.
                // (With an earlier down step still pending, that one speaks for this one too.)
                return false;
            }
        }
        last.event = Coalescing.merge(last.event, event);
        counters.coalesced.incrementAndGet();
        Node before = last.earlier;
        if (last.event.kind() == PeerEvent.Kind.REMOVED && before != null && !before.taken
                && before.event.kind() == PeerEvent.Kind.REMOVED) {
            // Removed, back, removed again, all unseen by this listener: one REMOVED says it all.
            before.event = Coalescing.removedTwice(before.event, last.event);
            unlink(last);
            latest.put(event.peer(), before);
            counters.coalesced.incrementAndGet();
        }
        return true;
    }

    private void unlink(Node n) {
        if (n.prev == null) {
            head = n.next;
        } else {
            n.prev.next = n.next;
        }
        if (n.next == null) {
            tail = n.prev;
        } else {
            n.next.prev = n.prev;
        }
        n.prev = null;
        n.next = null;
        n.taken = true;
        size--;
    }

    private Node poll() {
        Node n = head;
        if (n == null) {
            return null;
        }
        unlink(n);
        if (latest.get(n.event.peer()) == n) {
            latest.remove(n.event.peer());
        }
        if (head == null && latestPeak > INDEX_KEPT && latest.isEmpty()) {
            latest = new HashMap<>();
            latestPeak = 0;
        }
        return n;
    }

    /** Submits the drain task; the caller got {@code true} from {@link #offer} and holds no lock. */
    void schedule() {
        try {
            executor.execute(this);
        } catch (RuntimeException e) { // RejectedExecutionException, or an executor's own failure
            long n = counters.refusals.incrementAndGet();
            synchronized (this) {
                scheduled = false;
                notifyAll();
            }
            if (LogLimit.loud(n)) {
                log.warn("Peer events for listener {} stay queued: the dispatch executor refused them ({} refusals so far; "
                        + "retried at the next event)", listener, n, e);
            }
        }
    }

    /** Drains the queue: one event at a time, in order, at most {@code batch} per run. */
    @Override
    public void run() {
        synchronized (this) {
            if (resubmitter == Thread.currentThread()) {
                rerunInline = true; // a synchronous executor ran our resubmission: the loop below goes on
                return;
            }
            drainer = Thread.currentThread();
        }
        int delivered = 0;
        while (true) {
            Node n = null;
            synchronized (this) {
                if (stopped || head == null) {
                    idle();
                    return;
                }
                if (delivered < batch) {
                    n = poll();
                } else {
                    drainer = null;
                    resubmitter = Thread.currentThread();
                    rerunInline = false;
                }
            }
            if (n != null) {
                deliver(n.event);
                delivered++;
                continue;
            }
            schedule(); // a full batch: let other work on a shared executor run first
            synchronized (this) {
                resubmitter = null;
                if (!rerunInline) {
                    return; // another run took over, or the executor refused (retried at the next event)
                }
                rerunInline = false;
                drainer = Thread.currentThread();
            }
            delivered = 0;
        }
    }

    private void idle() {
        scheduled = false;
        drainer = null;
        notifyAll();
    }

    private void deliver(PeerEvent event) {
        try {
            listener.onEvent(event);
        } catch (Throwable t) {
            long n;
            synchronized (this) {
                n = ++failures;
            }
            if (LogLimit.loud(n)) {
                log.warn("Peer listener {} threw on {} ({} failures so far); it stays subscribed", listener, event, n, t);
            }
        }
    }

    /** The most peers pending at once since the lane was last empty after a burst (0 after one). */
    synchronized int pendingPeersPeak() {
        return latestPeak;
    }

    /** Number of events pending (merged ones count once). */
    synchronized int pending() {
        return size;
    }

    /** True when the lane has events and no drain is submitted (the executor refused one). */
    synchronized boolean needsRetry() {
        if (stopped || head == null || scheduled) {
            return false;
        }
        scheduled = true;
        return true;
    }

    /** True when this thread is delivering this lane's events right now. */
    synchronized boolean drainingOnCurrentThread() {
        return drainer == Thread.currentThread();
    }

    /**
     * Waits until the queue is empty and no event is being delivered, or {@code deadlineNanos}
     * (a {@link System#nanoTime()} value) passes, or nothing is left that would deliver them (the
     * executor refused the drain task).
     *
     * @return true when idle
     */
    synchronized boolean awaitIdle(long deadlineNanos) throws InterruptedException {
        while (head != null || scheduled) {
            if (!scheduled) {
                return false;
            }
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    /**
     * Stops the lane: nothing more is queued or delivered (an event being delivered now finishes).
     *
     * @return the number of published events that were pending and now never will be delivered
     */
    synchronized long stop() {
        stopped = true;
        long lost = 0;
        for (Node n = head; n != null; n = n.next) {
            lost += n.event.count();
        }
        head = null;
        tail = null;
        size = 0;
        latest = new HashMap<>();
        latestPeak = 0;
        notifyAll();
        return lost;
    }
}
