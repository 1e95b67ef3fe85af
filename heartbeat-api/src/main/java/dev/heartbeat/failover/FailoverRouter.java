package dev.heartbeat.failover;

import dev.heartbeat.detect.Ticker;
import dev.heartbeat.engine.HeartbeatMonitor;
import dev.heartbeat.internal.Checks;
import dev.heartbeat.internal.LogLimit;
import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.Peer;
import dev.heartbeat.peer.PeerEvent;
import dev.heartbeat.peer.PeerListener;
import dev.heartbeat.peer.PeerRegistry;
import dev.heartbeat.peer.Usability;
import dev.heartbeat.protocol.LoadReport;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes calls over the user's own clients, one per peer, to peers that are alive, usable and
 * permitted by their circuit breaker; load-aware; retries idempotent calls on another peer within
 * a retry budget; ramps returning peers up; panics explicitly when most peers look bad.
 *
 * <pre>{@code
 * LoadSamples samples = LoadSamples.create();
 * HeartbeatMonitor monitor = HeartbeatMonitor.builder(TcpClientTransport.create()).observer(samples).build();
 * FailoverRouter<PooledPeerClient<Conn>> router = FailoverRouter.builder(monitor, KeyedPoolClients.of(pool))
 *         .samples(samples)
 *         .build();
 * monitor.addPeer(PeerSpec.of("orders-1", "10.0.0.7:7070", attrs1));
 * ...
 * String reply = router.executeIdempotent(c -> c.withObject(conn -> conn.get("/stock/42")));  // retried elsewhere if it fails
 * router.execute(c -> c.withObject(conn -> conn.post("/orders", order)));                     // one attempt
 * }</pre>
 *
 * <h2>Which peer</h2>
 * A peer is a candidate when it is {@linkplain Peer#available() available} (ALIVE or SUSPECT,
 * USABLE or DEGRADED), has a client, and its breaker is not FORCED_OPEN, nor OPEN (an OPEN
 * breaker of an available peer is offered again every {@value #OPEN_PROBE_MILLIS} ms, so its
 * {@code tryAcquirePermission()} can move it to HALF_OPEN once its wait is over). Its
 * <em>share</em> is
 * <pre>
 *   share = weight × (SUSPECT ? suspectShare : 1) × (DEGRADED ? degradedShare : 1) × slowStart(t)
 * </pre>
 * Two distinct candidates are drawn at random (power of two choices) and one of them is taken
 * with probability proportional to {@code share / cost}, where
 * <pre>
 *   cost = (our calls in flight to it + 1)² × rtt × 1 / (1 − min(cpu, 0.95)) × (1 + its in-flight + its queue)
 * </pre>
 * Our own in-flight count is always known and always fresh; the reported figures (RTT, CPU,
 * in-flight, queue depth) are used only when both candidates have them and both reports are
 * younger than the staleness bound (unknown or stale figures count neither for nor against a
 * peer). The RTT is {@link LoadSamples}' median of the last five when samples are given, else the last. So a peer that stops answering accumulates calls in flight and loses nearly every
 * comparison before its heartbeats even say SUSPECT; a DEGRADED or ramping peer takes about its
 * share of the calls. The chosen peer's breaker must grant a permission; if it does not (HALF_OPEN
 * with every trial permit out), the next best is drawn.
 *
 * <h2>Outcomes, retries</h2>
 * Each attempt ends in exactly one of {@code onSuccess}, {@code onError} (the peer's fault) or
 * {@code releasePermission()} (the caller's own error, an interruption, an {@link Error}) on the
 * breaker, so no permit is ever lost. {@link #executeIdempotent} retries a failure that
 * {@code retryOn} accepts on a peer not tried yet, up to {@code maxAttempts}, while the
 * {@link RetryBudget} allows; {@link #execute} never retries.
 *
 * <h2>Panic</h2>
 * When fewer than {@code panicThreshold} of the peers that have a verdict look healthy
 * (available, and not cut off by their breaker), the router panics: a
 * {@link FailoverEvent.Kind#PANIC_STARTED} event, a counter ({@link FailoverStats#panics()}), and
 * the {@link PanicMode}'s behaviour until a {@link FailoverEvent.Kind#PANIC_ENDED}.
 *
 * <h2>Threads</h2>
 * Thread-safe. Calls run on the callers' threads; the router starts no thread of its own. Peer
 * events reach it on the registry's delivery thread, where it drives the breakers, opens, evicts
 * and closes clients. {@link #close()} unsubscribes, removes the breakers it created and closes
 * every client.
 *
 * @param <C> the per-peer client type
 */
public final class FailoverRouter<C> implements AutoCloseable {

    /** Default share of a DEGRADED peer: 0.25 of its weight. */
    public static final double DEFAULT_DEGRADED_SHARE = 0.25;
    /** Default share of a SUSPECT peer: 0.1 of its weight (its heartbeats are late). */
    public static final double DEFAULT_SUSPECT_SHARE = 0.1;
    /** Default age past which a load report or RTT is ignored: 1 s (5 heartbeats at the default interval). */
    public static final Duration DEFAULT_STALENESS = Duration.ofSeconds(1);
    /** Default attempts per idempotent call, the first included: 3. */
    public static final int DEFAULT_MAX_ATTEMPTS = 3;
    /** Default fraction of judged peers that must look healthy to avoid panic: 0.5. */
    public static final double DEFAULT_PANIC_THRESHOLD = 0.5;
    /** Default behaviour in panic. */
    public static final PanicMode DEFAULT_PANIC_MODE = PanicMode.FAIL_OPEN;

    static final long OPEN_PROBE_MILLIS = 100;
    private static final long OPEN_PROBE_NANOS = TimeUnit.MILLISECONDS.toNanos(OPEN_PROBE_MILLIS);
    /** Share of a peer waiting out its re-admission delay: used only when nothing else can take a call. */
    private static final double WAITING_SHARE = 1e-9;

    private static final Logger log = LoggerFactory.getLogger(FailoverRouter.class);

    private final PeerRegistry peers;
    private final PeerClients<C> clients;
    private final PeerCircuitBreakers breakers;
    private final LoadSamples samples;
    private final Ticker ticker;
    private final Random random;
    private final SlowStart slowStart;
    private final RetryBudget budget;
    private final int maxAttempts;
    private final double degradedShare;
    private final double suspectShare;
    private final long stalenessNanos;
    private final double panicThreshold;
    private final PanicMode panicMode;
    private final Predicate<Throwable> retryOn;
    private final Predicate<Throwable> callerError;
    private final List<FailoverListener> listeners = new CopyOnWriteArrayList<>();
    private final Set<Peer> initialPeers = Collections.newSetFromMap(new IdentityHashMap<>());
    private final PeerListener listener = this::onPeerEvent;

    /** Guards membership, health edges and panic; never held while calling a client or a breaker. */
    private final Object lock = new Object();
    @SuppressWarnings("unchecked")
    private volatile Node<C>[] nodes = new Node[0];
    private volatile boolean panicking;
    private volatile int healthyNow;
    private volatile int judgedNow;
    private volatile boolean closed;

    private final LongAdder calls = new LongAdder();
    private final LongAdder attempts = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder callerErrors = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder retriesDenied = new LongAdder();
    private final LongAdder noPeer = new LongAdder();
    private final LongAdder panicRefusals = new LongAdder();
    private final AtomicLong panics = new AtomicLong();
    private final AtomicLong evictions = new AtomicLong();
    private final AtomicLong readmissions = new AtomicLong();
    private final AtomicLong clientFailures = new AtomicLong();
    private final AtomicLong listenerFailures = new AtomicLong();

    /** One peer as the router sees it. */
    static final class Node<C> {
        final Peer peer;
        final String name;
        final C client;
        final CircuitBreaker breaker;
        final boolean initial;
        final AtomicInteger inFlight = new AtomicInteger();
        volatile boolean ramping;
        volatile long rampStartNanos;
        volatile long nextOpenProbeNanos;
        // guarded by the router's lock
        boolean healthy;
        boolean admitted;
        boolean removed;

        Node(Peer peer, C client, CircuitBreaker breaker, boolean initial) {
            this.peer = peer;
            this.name = peer.name();
            this.client = client;
            this.breaker = breaker;
            this.initial = initial;
        }
    }

    private FailoverRouter(Builder<C> b) {
        this.peers = b.peers;
        this.clients = b.clients;
        this.samples = b.samples;
        this.ticker = b.ticker;
        this.random = b.random;
        this.slowStart = b.slowStart;
        this.budget = b.budget != null ? b.budget : RetryBudget.custom().ticker(b.ticker).build();
        this.maxAttempts = b.maxAttempts;
        this.degradedShare = b.degradedShare;
        this.suspectShare = b.suspectShare;
        this.stalenessNanos = b.staleness.toNanos();
        this.panicThreshold = b.panicThreshold;
        this.panicMode = b.panicMode;
        this.retryOn = b.retryOn;
        this.callerError = b.callerError;
        this.listeners.addAll(b.listeners);
        PeerCircuitBreakers.Builder cbb = PeerCircuitBreakers.builder().clock(tickerClock(b.ticker));
        if (b.breakerRegistry != null) {
            cbb.registry(b.breakerRegistry);
        }
        if (b.breakerConfigName != null) {
            cbb.configName(b.breakerConfigName);
        }
        this.breakers = cbb.build();
        this.breakers.onBreakerTransition(this::breakerMoved);
        initialPeers.addAll(peers.peers());
    }

    /** A router over the peers of {@code monitor} (its registry), with {@code clients} for each. */
    public static <C> Builder<C> builder(HeartbeatMonitor monitor, PeerClients<C> clients) {
        return new Builder<>(Objects.requireNonNull(monitor, "monitor").registry(), clients);
    }

    /** A router over the peers of {@code peers}, with {@code clients} for each. */
    public static <C> Builder<C> builder(PeerRegistry peers, PeerClients<C> clients) {
        return new Builder<>(peers, clients);
    }

    // ------------------------------------------------------------------ calls

    /**
     * Makes the call once, on the best peer now. Not retried.
     *
     * @throws NoPeerAvailableException when no peer can take it (or the router panics in FAIL_CLOSED mode)
     * @throws X what the call threw
     */
    public <R, X extends Exception> R execute(PeerCall<C, R, X> call) throws X {
        return run(call, false);
    }

    /**
     * Makes an idempotent call: on a failure that {@code retryOn} accepts, it is made again on a
     * peer not tried yet, up to {@code maxAttempts} attempts, while the retry budget allows. The
     * last failure is thrown when none succeeds.
     *
     * @throws NoPeerAvailableException when no peer can take the first attempt (earlier failures suppressed in it)
     * @throws X what the last attempt threw
     */
    public <R, X extends Exception> R executeIdempotent(PeerCall<C, R, X> call) throws X {
        return run(call, true);
    }

    private <R, X extends Exception> R run(PeerCall<C, R, X> call, boolean idempotent) throws X {
        Objects.requireNonNull(call, "call");
        if (closed) {
            throw new NoPeerAvailableException(NoPeerAvailableException.Reason.CLOSED, "router is closed");
        }
        calls.increment();
        budget.recordCall();
        List<Node<C>> tried = null;
        Throwable last = null;
        for (int attempt = 1; ; attempt++) {
            long now = ticker.nanoTime();
            boolean panic = panicking;
            if (panic && panicMode == PanicMode.FAIL_CLOSED) {
                panicRefusals.increment();
                throw refusal(NoPeerAvailableException.Reason.PANIC, "router panics (" + healthyNow + " of " + judgedNow
                        + " peers healthy, threshold " + panicThreshold + ") and fails closed", last);
            }
            Choice<C> choice = choose(tried, now, panic && panicMode == PanicMode.FAIL_OPEN);
            if (choice == null) {
                if (last != null) {
                    throw FailoverRouter.<X>sneaky(last); // nowhere else to retry: the real failure
                }
                noPeer.increment();
                throw refusal(NoPeerAvailableException.Reason.NO_PEER, describeNoPeer(), null);
            }
            if (attempt > 1 && !budget.tryRetry()) {
                choice.release();
                retriesDenied.increment();
                throw FailoverRouter.<X>sneaky(last);
            }
            if (attempt > 1) {
                retries.increment();
            }
            Node<C> node = choice.node;
            attempts.increment();
            node.inFlight.incrementAndGet();
            long t0 = ticker.nanoTime();
            boolean ended = false;
            try {
                R r = call.call(node.client);
                choice.success(ticker.nanoTime() - t0);
                ended = true;
                return r;
            } catch (Throwable t) {
                long dt = ticker.nanoTime() - t0;
                if (t instanceof Error || t instanceof InterruptedException || callerError.test(t)) {
                    choice.release(); // not the peer's fault: as resilience4j's ignoreException does
                    ended = true;
                    if (!(t instanceof Error)) {
                        callerErrors.increment();
                    }
                    throw FailoverRouter.<X>sneaky(t);
                }
                choice.failure(dt, t);
                ended = true;
                failures.increment();
                if (!idempotent || attempt >= maxAttempts || !retryOn.test(t)) {
                    throw FailoverRouter.<X>sneaky(t);
                }
                last = t;
                if (tried == null) {
                    tried = new ArrayList<>(maxAttempts);
                }
                tried.add(node);
            } finally {
                node.inFlight.decrementAndGet();
                if (!ended) {
                    choice.release();
                }
            }
        }
    }

    private static NoPeerAvailableException refusal(NoPeerAvailableException.Reason reason, String message, Throwable cause) {
        NoPeerAvailableException e = new NoPeerAvailableException(reason, message);
        if (cause != null) {
            e.addSuppressed(cause);
        }
        return e;
    }

    private String describeNoPeer() {
        Node<C>[] ns = nodes;
        if (ns.length == 0) {
            return "no peer is known";
        }
        StringBuilder sb = new StringBuilder("no peer can take the call:");
        int shown = 0;
        for (Node<C> n : ns) {
            if (shown++ == 8) {
                sb.append(" …");
                break;
            }
            sb.append(' ').append(n.name).append(" (").append(n.peer.liveness()).append('/').append(n.peer.usability());
            if (n.breaker != null) {
                sb.append(", breaker ").append(n.breaker.getState());
            }
            if (n.client == null) {
                sb.append(", no client");
            }
            sb.append(')');
        }
        return sb.toString();
    }

    /** Rethrows {@code t} as it is (a call can only throw its own X, an unchecked exception or an Error). */
    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T sneaky(Throwable t) throws T {
        throw (T) t;
    }

    /** The peer chosen for one attempt, and whether it holds a breaker permit. */
    private static final class Choice<C> {
        final Node<C> node;
        final boolean permit;
        private boolean done;

        Choice(Node<C> node, boolean permit) {
            this.node = node;
            this.permit = permit;
        }

        void success(long nanos) {
            if (permit && !done) {
                done = true;
                node.breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
            }
        }

        void failure(long nanos, Throwable t) {
            if (permit && !done) {
                done = true;
                node.breaker.onError(nanos, TimeUnit.NANOSECONDS, t);
            }
        }

        void release() {
            if (permit && !done) {
                done = true;
                node.breaker.releasePermission();
            }
        }
    }

    private Choice<C> choose(List<Node<C>> tried, long now, boolean failOpen) {
        Node<C>[] ns = nodes;
        int n = ns.length;
        if (n == 0) {
            return null;
        }
        double[] share = new double[n];
        int candidates = 0;
        for (int i = 0; i < n; i++) {
            Node<C> node = ns[i];
            if (tried != null && tried.contains(node)) {
                continue;
            }
            share[i] = share(node, now, failOpen);
            if (share[i] > 0) {
                candidates++;
            }
        }
        Random rnd = random != null ? random : ThreadLocalRandom.current();
        while (candidates > 0) {
            int a = nth(share, rnd.nextInt(candidates));
            int pick = a;
            if (candidates > 1) {
                int b = nth(share, rnd.nextInt(candidates - 1), a);
                double wa = share[a] / cost(ns[a], ns[b], now);
                double wb = share[b] / cost(ns[b], ns[a], now);
                pick = rnd.nextDouble() * (wa + wb) < wa ? a : b;
            }
            Choice<C> c = acquire(ns[pick], now, failOpen);
            if (c != null) {
                return c;
            }
            share[pick] = 0;
            candidates--;
        }
        return null;
    }

    /** Index of the k-th (0-based) entry with a share, skipping {@code skip}. */
    private static int nth(double[] share, int k, int skip) {
        for (int i = 0; i < share.length; i++) {
            if (share[i] > 0 && i != skip && k-- == 0) {
                return i;
            }
        }
        throw new IllegalStateException("no candidate left");
    }

    private static int nth(double[] share, int k) {
        return nth(share, k, -1);
    }

    double share(Node<C> node, long now, boolean failOpen) {
        if (node.client == null) {
            return 0;
        }
        Peer p = node.peer;
        double w = p.attributes().weight();
        if (failOpen) {
            return w;
        }
        Liveness l = p.liveness();
        Usability u = p.usability();
        if (!((l == Liveness.ALIVE || l == Liveness.SUSPECT) && u.acceptsWork())) {
            return 0;
        }
        CircuitBreaker cb = node.breaker;
        if (cb != null) {
            State st = cb.getState();
            if (st == State.FORCED_OPEN || st == State.OPEN && now - node.nextOpenProbeNanos < 0) {
                return 0;
            }
        }
        if (l == Liveness.SUSPECT) {
            w *= suspectShare;
        }
        if (u == Usability.DEGRADED) {
            w *= degradedShare;
        }
        if (node.ramping) {
            double s = slowStart.share(now - node.rampStartNanos);
            if (s >= 1) {
                node.ramping = false;
            } else {
                w *= Math.max(s, WAITING_SHARE);
            }
        }
        return w;
    }

    /** The cost of {@code a} when compared with {@code b}: only figures both have, fresh, count. */
    double cost(Node<C> a, Node<C> b, long now) {
        double pending = a.inFlight.get() + 1;
        double c = pending * pending;
        if (!fresh(a.peer, now) || !fresh(b.peer, now)) {
            return c;
        }
        double ra = rtt(a.peer);
        double rb = rtt(b.peer);
        if (ra > 0 && rb > 0) {
            c *= ra / 1e6;
        }
        LoadReport la = a.peer.load();
        LoadReport lb = b.peer.load();
        if (!Double.isNaN(la.cpu()) && !Double.isNaN(lb.cpu())) {
            c /= 1 - Math.min(la.cpu(), 0.95);
        }
        double backlog = 1;
        if (la.inFlight() >= 0 && lb.inFlight() >= 0) {
            backlog += la.inFlight();
        }
        if (la.queueDepth() >= 0 && lb.queueDepth() >= 0) {
            backlog += la.queueDepth();
        }
        return c * backlog;
    }

    private double rtt(Peer p) {
        return samples != null ? samples.rttNanos(p) : p.rttNanos();
    }

    private boolean fresh(Peer p, long now) {
        if (samples == null) {
            return p.liveness() == Liveness.ALIVE; // late heartbeats (SUSPECT): the last report is old
        }
        long age = samples.ageNanos(p, now);
        return age >= 0 && age <= stalenessNanos;
    }

    private Choice<C> acquire(Node<C> node, long now, boolean failOpen) {
        CircuitBreaker cb = node.breaker;
        if (cb == null) {
            return new Choice<>(node, false);
        }
        State st = cb.getState();
        if (failOpen && (st == State.OPEN || st == State.FORCED_OPEN || !node.peer.available())) {
            return new Choice<>(node, false); // panic routing: past the breaker, nothing recorded
        }
        if (cb.tryAcquirePermission()) {
            return new Choice<>(node, true);
        }
        if (failOpen) {
            return new Choice<>(node, false);
        }
        if (st == State.OPEN) {
            node.nextOpenProbeNanos = now + OPEN_PROBE_NANOS;
        }
        return null;
    }

    // ------------------------------------------------------------------ events

    private void onPeerEvent(PeerEvent e) {
        if (closed) {
            return;
        }
        breakers.onEvent(e);
        if (e.kind() == PeerEvent.Kind.REMOVED) {
            remove(e.peer());
            return;
        }
        Node<C> node = node(e.peer());
        Peer current = peers.peer(e.peer()).orElse(null);
        if (node != null && current != null && node.peer != current) {
            remove(e.peer()); // an older registration of the same name
            node = null;
        }
        if (node == null) {
            if (current == null) {
                return; // already gone; its REMOVED follows
            }
            node = create(current);
            if (node == null) {
                return;
            }
        }
        if (e.kind() == PeerEvent.Kind.RESTARTED) {
            evict(node, "restarted: " + e.reason());
            synchronized (lock) {
                if (node.healthy && !node.removed) {
                    startRamp(node, "restarted (new epoch)");
                }
            }
        } else if (e.kind() == PeerEvent.Kind.TRANSITION && e.toLiveness() == Liveness.DEAD
                && e.fromLiveness() != Liveness.DEAD) {
            evict(node, "DEAD: " + e.reason());
        }
        refresh(node);
    }

    private Node<C> node(String name) {
        for (Node<C> n : nodes) {
            if (n.name.equals(name)) {
                return n;
            }
        }
        return null;
    }

    private Node<C> create(Peer peer) {
        C client = null;
        try {
            client = clients.open(peer);
        } catch (Exception | LinkageError e) {
            clientFailure("open", peer, e);
        }
        CircuitBreaker cb = breakers.breaker(peer.name()).orElse(null);
        boolean initial;
        synchronized (initialPeers) {
            initial = initialPeers.remove(peer);
        }
        Node<C> node = new Node<>(peer, client, cb, initial);
        synchronized (lock) {
            if (!closed) {
                Node<C>[] ns = nodes;
                Node<C>[] next = java.util.Arrays.copyOf(ns, ns.length + 1);
                next[ns.length] = node;
                nodes = next;
                return node;
            }
        }
        closeClient(node);
        return null;
    }

    private void remove(String name) {
        Node<C> gone = null;
        synchronized (lock) {
            Node<C>[] ns = nodes;
            for (int i = 0; i < ns.length; i++) {
                if (ns[i].name.equals(name)) {
                    gone = ns[i];
                    gone.removed = true;
                    @SuppressWarnings("unchecked")
                    Node<C>[] next = new Node[ns.length - 1];
                    System.arraycopy(ns, 0, next, 0, i);
                    System.arraycopy(ns, i + 1, next, i, ns.length - i - 1);
                    nodes = next;
                    break;
                }
            }
            if (gone != null) {
                evaluatePanic();
            }
        }
        if (gone != null) {
            closeClient(gone);
            if (samples != null) {
                samples.forget(gone.peer);
            }
        }
    }

    private void evict(Node<C> node, String reason) {
        if (node.client == null) {
            return;
        }
        evictions.incrementAndGet();
        try {
            clients.evict(node.peer, node.client);
        } catch (Exception | LinkageError e) {
            clientFailure("evict", node.peer, e);
        }
        publish(new FailoverEvent(FailoverEvent.Kind.EVICTED, node.name, healthyNow, judgedNow, reason, ticker.nanoTime()));
    }

    private void closeClient(Node<C> node) {
        if (node.client == null) {
            return;
        }
        try {
            clients.close(node.peer, node.client);
        } catch (Exception | LinkageError e) {
            clientFailure("close", node.peer, e);
        }
    }

    private void clientFailure(String what, Peer peer, Throwable e) {
        long n = clientFailures.incrementAndGet();
        if (LogLimit.loud(n)) {
            log.warn("client of peer {}: {} failed (failure {})", peer.name(), what, n, e);
        }
    }

    private void breakerMoved(String name) {
        Node<C> node = node(name);
        if (node != null) {
            refresh(node);
        }
    }

    /** Recomputes a peer's health from its live state and breaker; starts its ramp on a comeback. */
    private void refresh(Node<C> node) {
        boolean h = healthy(node);
        synchronized (lock) {
            if (node.removed || closed) {
                return;
            }
            if (h != node.healthy) {
                node.healthy = h;
                if (h) {
                    if (node.admitted || !node.initial) {
                        startRamp(node, node.admitted ? "healthy again" : "added while others serve");
                    }
                    node.admitted = true;
                }
            }
            evaluatePanic();
        }
    }

    private boolean healthy(Node<C> node) {
        if (node.client == null || !node.peer.available()) {
            return false;
        }
        CircuitBreaker cb = node.breaker;
        if (cb == null) {
            return true;
        }
        State st = cb.getState();
        return st != State.OPEN && st != State.FORCED_OPEN;
    }

    /** Called with the lock held. */
    private void startRamp(Node<C> node, String why) {
        if (slowStart.isDisabled()) {
            node.ramping = false;
            return;
        }
        long delay;
        synchronized (this) { // a user's Random is shared; ThreadLocalRandom is not a concern here
            delay = slowStart.jitterNanos(random != null ? random : ThreadLocalRandom.current());
        }
        node.rampStartNanos = ticker.nanoTime() + delay;
        node.ramping = true;
        readmissions.incrementAndGet();
        publish(new FailoverEvent(FailoverEvent.Kind.READMITTED, node.name, healthyNow, judgedNow,
                String.format(Locale.ROOT, "%s: slow start over %s after %.3f s", why, slowStart.window(), delay / 1e9),
                ticker.nanoTime()));
    }

    /** Called with the lock held. */
    private void evaluatePanic() {
        int judged = 0;
        int healthy = 0;
        for (Node<C> n : nodes) {
            if (n.peer.liveness() != Liveness.UNKNOWN) {
                judged++;
                if (n.healthy) {
                    healthy++;
                }
            }
        }
        healthyNow = healthy;
        judgedNow = judged;
        boolean p = judged > 0 && healthy < panicThreshold * judged;
        if (p == panicking) {
            return;
        }
        panicking = p;
        String mode = panicMode == PanicMode.FAIL_OPEN ? "routing to every peer"
                : panicMode == PanicMode.FAIL_CLOSED ? "refusing calls" : "routing to the healthy peers left";
        if (p) {
            panics.incrementAndGet();
            log.warn("failover panic: {} of {} peers healthy (threshold {}); {}", healthy, judged, panicThreshold, mode);
            publish(new FailoverEvent(FailoverEvent.Kind.PANIC_STARTED, null, healthy, judged,
                    healthy + " of " + judged + " peers healthy, below " + panicThreshold + "; " + mode, ticker.nanoTime()));
        } else {
            log.info("failover panic over: {} of {} peers healthy", healthy, judged);
            publish(new FailoverEvent(FailoverEvent.Kind.PANIC_ENDED, null, healthy, judged,
                    healthy + " of " + judged + " peers healthy again", ticker.nanoTime()));
        }
    }

    private void publish(FailoverEvent event) {
        for (FailoverListener l : listeners) {
            try {
                l.onEvent(event);
            } catch (RuntimeException e) {
                long n = listenerFailures.incrementAndGet();
                if (LogLimit.loud(n)) {
                    log.warn("failover listener failed on {} (failure {})", event, n, e);
                }
            }
        }
    }

    // ------------------------------------------------------------------ views

    /** Adds a listener of panic, eviction and re-admission events. */
    public void addListener(FailoverListener l) {
        listeners.add(Objects.requireNonNull(l, "listener"));
    }

    /** Removes a listener. */
    public void removeListener(FailoverListener l) {
        listeners.remove(l);
    }

    /** The breaker of a peer, while the router knows the peer. */
    public Optional<CircuitBreaker> circuitBreaker(String peer) {
        return breakers.breaker(peer);
    }

    /** The breakers' registry (the user's, when given). */
    public CircuitBreakerRegistry circuitBreakerRegistry() {
        return breakers.registry();
    }

    /** The client of a peer, while the router knows the peer and its client opened. */
    public Optional<C> client(String peer) {
        Node<C> n = node(peer);
        return n == null ? Optional.empty() : Optional.ofNullable(n.client);
    }

    /** Whether the router panics now. */
    public boolean panicking() {
        return panicking;
    }

    /**
     * The share a peer would get now in the random choice (weight × state factors × slow start),
     * 0 when it is not a candidate; for tests and dashboards.
     */
    public double share(String peer) {
        Node<C> n = node(peer);
        return n == null ? 0 : share(n, ticker.nanoTime(), false);
    }

    /** Our calls in flight to a peer now. */
    public int inFlight(String peer) {
        Node<C> n = node(peer);
        return n == null ? 0 : n.inFlight.get();
    }

    /** The retry budget in use. */
    public RetryBudget retryBudget() {
        return budget;
    }

    /** Counters since the router was built. */
    public FailoverStats stats() {
        return new FailoverStats(calls.sum(), attempts.sum(), failures.sum(), callerErrors.sum(), retries.sum(),
                retriesDenied.sum(), noPeer.sum(), panicRefusals.sum(), panics.get(), panicking, evictions.get(),
                readmissions.get(), clientFailures.get(), healthyNow, judgedNow, nodes.length);
    }

    /** Unsubscribes, removes the breakers it created and closes every client. Idempotent. */
    @Override
    public void close() {
        Node<C>[] ns;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            ns = nodes;
            @SuppressWarnings("unchecked")
            Node<C>[] none = new Node[0];
            nodes = none;
            for (Node<C> n : ns) {
                n.removed = true;
            }
        }
        peers.removeListener(listener);
        breakers.close();
        for (Node<C> n : ns) {
            closeClient(n);
            if (samples != null) {
                samples.forget(n.peer);
            }
        }
        listeners.clear();
    }

    private void start() {
        peers.addListener(listener);
    }

    /** A {@link Clock} that reads {@code ticker}, so resilience4j's waits run on the router's time. */
    static Clock tickerClock(Ticker ticker) {
        if (ticker == null) {
            return Clock.systemUTC();
        }
        Instant origin = Instant.now();
        long originNanos = ticker.nanoTime();
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return origin.plusNanos(ticker.nanoTime() - originNanos);
            }
        };
    }

    /**
     * Validating builder; every option has a default ({@code DEFAULT_*}) and every setter checks
     * its value ({@code name : value (expected: rule)}).
     *
     * @param <C> the per-peer client type
     */
    public static final class Builder<C> {
        private final PeerRegistry peers;
        private final PeerClients<C> clients;
        private CircuitBreakerRegistry breakerRegistry;
        private String breakerConfigName;
        private LoadSamples samples;
        private Duration staleness = DEFAULT_STALENESS;
        private double degradedShare = DEFAULT_DEGRADED_SHARE;
        private double suspectShare = DEFAULT_SUSPECT_SHARE;
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private RetryBudget budget;
        private Predicate<Throwable> retryOn = t -> t instanceof Exception;
        private Predicate<Throwable> callerError = t -> false;
        private SlowStart slowStart = SlowStart.ofDefaults();
        private double panicThreshold = DEFAULT_PANIC_THRESHOLD;
        private PanicMode panicMode = DEFAULT_PANIC_MODE;
        private Ticker ticker = Ticker.system();
        private Random random;
        private final List<FailoverListener> listeners = new ArrayList<>();

        private Builder(PeerRegistry peers, PeerClients<C> clients) {
            this.peers = Objects.requireNonNull(peers, "peers");
            this.clients = Objects.requireNonNull(clients, "clients");
        }

        /** The user's resilience4j registry (their configuration and metrics). Default: one of our own with {@link PeerCircuitBreakers#defaultConfig()}. */
        public Builder<C> circuitBreakerRegistry(CircuitBreakerRegistry registry) {
            this.breakerRegistry = Objects.requireNonNull(registry, "circuitBreakerRegistry");
            return this;
        }

        /** A named configuration of that registry for the peers' breakers. Default: its default configuration. */
        public Builder<C> circuitBreakerConfigName(String name) {
            this.breakerConfigName = Objects.requireNonNull(name, "circuitBreakerConfigName");
            return this;
        }

        /**
         * When each peer's last PONG came: the same instance given to the monitor as an observer,
         * on this router's ticker. Default: none (a report then counts as fresh while its peer is
         * ALIVE, as SUSPECT means its heartbeats are late).
         */
        public Builder<C> samples(LoadSamples samples) {
            this.samples = Objects.requireNonNull(samples, "samples");
            return this;
        }

        /** Age past which a peer's load report and RTT are ignored, 1 ms..1 h. Default 1 s. */
        public Builder<C> staleness(Duration staleness) {
            this.staleness = Checks.range("staleness", staleness, Duration.ofMillis(1), Duration.ofHours(1));
            return this;
        }

        /** Share of a DEGRADED peer, 0.01..1.0. Default 0.25. */
        public Builder<C> degradedShare(double share) {
            this.degradedShare = shareValue("degradedShare", share);
            return this;
        }

        /** Share of a SUSPECT peer, 0.01..1.0. Default 0.1. */
        public Builder<C> suspectShare(double share) {
            this.suspectShare = shareValue("suspectShare", share);
            return this;
        }

        /** Attempts per idempotent call, the first included, 1..10. Default 3. */
        public Builder<C> maxAttempts(int maxAttempts) {
            this.maxAttempts = Checks.range("maxAttempts", maxAttempts, 1, 10);
            return this;
        }

        /** The retry budget (may be shared by routers). Default: {@link RetryBudget}'s defaults on this router's ticker. */
        public Builder<C> retryBudget(RetryBudget budget) {
            this.budget = Objects.requireNonNull(budget, "retryBudget");
            return this;
        }

        /** Which failures of an idempotent call are retried on another peer. Default: every {@link Exception}. */
        public Builder<C> retryOn(Predicate<Throwable> retryOn) {
            this.retryOn = Objects.requireNonNull(retryOn, "retryOn");
            return this;
        }

        /**
         * Which exceptions are the caller's own doing (a bad request, a validation error): not
         * held against the peer (its breaker permit is released, as resilience4j's
         * {@code ignoreException} does — never recorded as a success), never retried. Default: none.
         */
        public Builder<C> callerError(Predicate<Throwable> callerError) {
            this.callerError = Objects.requireNonNull(callerError, "callerError");
            return this;
        }

        /** How returning peers ramp up. Default {@link SlowStart#ofDefaults()}. */
        public Builder<C> slowStart(SlowStart slowStart) {
            this.slowStart = Objects.requireNonNull(slowStart, "slowStart");
            return this;
        }

        /** Fraction of judged peers below which the router panics, 0.0..1.0 (0: never). Default 0.5. */
        public Builder<C> panicThreshold(double threshold) {
            this.panicThreshold = Checks.fraction("panicThreshold", threshold);
            return this;
        }

        /** What to do in panic. Default {@link PanicMode#FAIL_OPEN}. */
        public Builder<C> panicMode(PanicMode mode) {
            this.panicMode = Objects.requireNonNull(mode, "panicMode");
            return this;
        }

        /** Time for slow start, staleness, the retry budget and the default breakers (virtual in tests). Default: system. */
        public Builder<C> ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /** Random source for peer choice and jitter (seed it for reproducible tests). Default: {@link ThreadLocalRandom}. */
        public Builder<C> random(Random random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /** A listener of the router's events; may be called several times. */
        public Builder<C> listener(FailoverListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Builds the router and subscribes it to the peers' events (current peers are replayed).
         *
         * @throws IllegalArgumentException for a breaker configuration that can stick in HALF_OPEN
         *     ({@code maxWaitDurationInHalfOpenState} 0), or an unknown configuration name
         */
        public FailoverRouter<C> build() {
            FailoverRouter<C> r = new FailoverRouter<>(this);
            r.start();
            return r;
        }

        private static double shareValue(String name, double v) {
            if (!(v >= 0.01 && v <= 1.0)) {
                throw Checks.bad(name, v, "0.01..1.0");
            }
            return v;
        }
    }
}
