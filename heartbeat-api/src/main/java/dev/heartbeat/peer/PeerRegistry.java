package dev.heartbeat.peer;

import dev.heartbeat.internal.LogLimit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry of monitored peers and the publisher of their events. Thread-safe: peers are held
 * in a concurrent map, listeners in a copy-on-write list.
 *
 * <p>Events are handed to a dispatch {@link Executor} so that listeners never run on a detection
 * thread. The default executor is one daemon thread with a bounded queue of
 * {@value #DEFAULT_QUEUE_CAPACITY} events: when listeners fall that far behind, further events are
 * dropped and counted ({@link #droppedEvents()}) rather than letting memory grow without bound.
 * Tests pass {@code Runnable::run} to deliver synchronously.
 */
public final class PeerRegistry implements AutoCloseable {

    /** Default bound of the dispatch queue. */
    public static final int DEFAULT_QUEUE_CAPACITY = 65_536;

    private static final Logger log = LoggerFactory.getLogger(PeerRegistry.class);

    private final ConcurrentMap<String, Peer> peers = new ConcurrentHashMap<>();
    private final List<PeerListener> listeners = new CopyOnWriteArrayList<>();
    private final Executor dispatcher;
    private final ThreadPoolExecutor ownedDispatcher;
    private final AtomicLong dropped = new AtomicLong();

    private PeerRegistry(Executor dispatcher, ThreadPoolExecutor owned) {
        this.dispatcher = dispatcher;
        this.ownedDispatcher = owned;
    }

    /** A registry that dispatches events on its own daemon thread. */
    public static PeerRegistry create() {
        ThreadPoolExecutor tpe = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(DEFAULT_QUEUE_CAPACITY), r -> {
                    Thread t = new Thread(r, "heartbeat-events");
                    t.setDaemon(true);
                    return t;
                });
        return new PeerRegistry(tpe, tpe);
    }

    /** A registry that dispatches events on the given executor (use {@code Runnable::run} in tests). */
    public static PeerRegistry create(Executor dispatcher) {
        return new PeerRegistry(Objects.requireNonNull(dispatcher, "dispatcher"), null);
    }

    /** Subscribes a listener to every future event. Peers already present are in {@link #peers()}. */
    public void addListener(PeerListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Unsubscribes a listener. */
    public void removeListener(PeerListener listener) {
        listeners.remove(listener);
    }

    /** The peers now registered (a copy). */
    public Collection<Peer> peers() {
        return Collections.unmodifiableList(new ArrayList<>(peers.values()));
    }

    /** The peer registered under {@code name}. */
    public Optional<Peer> peer(String name) {
        return Optional.ofNullable(peers.get(name));
    }

    /** Number of registered peers. */
    public int size() {
        return peers.size();
    }

    /**
     * Registers a peer.
     *
     * @throws IllegalArgumentException when a peer of that name is already registered
     */
    public void register(Peer peer) {
        Peer prev = peers.putIfAbsent(peer.name(), peer);
        if (prev != null) {
            throw new IllegalArgumentException("peer : '" + peer.name() + "' is already registered (expected: a unique name)");
        }
    }

    /** Removes a peer; returns it, or {@code null} when none had that name. */
    public Peer unregister(String name) {
        return peers.remove(name);
    }

    /** Events dropped because the dispatch queue was full. */
    public long droppedEvents() {
        return dropped.get();
    }

    /** Publishes an event to every listener, asynchronously on the dispatcher. Never throws. */
    public void publish(PeerEvent event) {
        if (listeners.isEmpty()) {
            return;
        }
        try {
            dispatcher.execute(() -> deliver(event));
        } catch (RejectedExecutionException e) {
            long n = dropped.incrementAndGet();
            if (LogLimit.loud(n)) {
                log.warn("Peer event dropped: listeners are too slow or the registry is closed ({} dropped so far): {}",
                        n, event);
            }
        }
    }

    private void deliver(PeerEvent event) {
        for (PeerListener l : listeners) {
            try {
                l.onEvent(event);
            } catch (Throwable t) {
                log.warn("Peer listener {} threw on {}; it stays subscribed", l, event, t);
            }
        }
    }

    /** Stops the owned dispatch thread after delivering what is queued (waits up to 1 s). */
    @Override
    public void close() {
        if (ownedDispatcher != null) {
            ownedDispatcher.shutdown();
            try {
                ownedDispatcher.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
