package dev.heartbeat.engine;

import dev.heartbeat.internal.ThreadedList;
import dev.heartbeat.detect.LocalPauseDetector;
import dev.heartbeat.detect.Ticker;
import dev.heartbeat.engine.spi.ClientTransport;
import dev.heartbeat.engine.spi.Link;
import dev.heartbeat.internal.LogLimit;
import dev.heartbeat.internal.NodeIds;
import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.Peer;
import dev.heartbeat.peer.PeerEvent;
import dev.heartbeat.peer.PeerListener;
import dev.heartbeat.peer.PeerRegistry;
import dev.heartbeat.peer.PeerSpec;
import dev.heartbeat.peer.Usability;
import dev.heartbeat.protocol.FrameCodec;
import dev.heartbeat.protocol.FrameSealer;
import dev.heartbeat.protocol.FrameVerifier;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side: watches a dynamic set of peers, each over the transport its address names,
 * and says, for each, whether it is alive and whether it is usable.
 *
 * <pre>{@code
 * try (HeartbeatMonitor monitor = HeartbeatMonitor.builder(TcpClientTransport.create())   // default: tcp
 *         .transport("keepalive", KeepaliveTransport.create(Duration.ofSeconds(10)))       // liveness only
 *         .build()) {
 *     monitor.addListener(event -> System.out.println(event));
 *     Peer orders = monitor.addPeer("orders", "10.0.0.7:7070");          // the default transport
 *     Peer db = monitor.addPeer("orders-db", "keepalive://10.0.0.9:5432");
 *     if (orders.awaitVerdict(Duration.ofSeconds(2)) && orders.available()) { ... }
 * }
 * }</pre>
 *
 * <p>For each peer, on the link's scheduler (its event loop), every {@link MonitorConfig#interval()}:
 * check that this tick is not late (a local pause is forgiven, within a bound, not blamed on
 * peers), send a PING, and let the detector judge liveness. Each PONG that answers one of our
 * outstanding PINGs feeds the detector, measures RTT and lets the usability policy judge, through
 * hysteresis. Every change is published as a {@link PeerEvent}; samples go to the
 * {@link PeerObserver}.
 *
 * <p><b>Transports.</b> A peer's address may start with a scheme ({@code tcp://}, {@code udp://},
 * {@code keepalive://}, or any name given to {@link Builder#transport(String, ClientTransport)});
 * a bare {@code host:port} goes to the default transport (the one given to
 * {@link #builder(ClientTransport)}, or the first one registered).
 *
 * <p><b>Ownership.</b> A monitor owns its peers: it removes only peers it added, even when it
 * shares its {@link PeerRegistry} with others. {@link #close()} removes every peer (each gets a
 * REMOVED event), then closes the transports it was given (unless
 * {@link Builder#closeTransports(boolean) closeTransports(false)}), then the registry if it
 * created it. Closing never waits on a transport's threads, so the order in which a user closes
 * monitor and transports does not matter.
 *
 * <p>Thread-safety: all public methods may be called from any thread. Peers can be added and
 * removed while running.
 */
public final class HeartbeatMonitor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HeartbeatMonitor.class);

    private final Map<String, ClientTransport> transports;
    private final String defaultScheme;
    private final boolean closeTransports;
    private final MonitorConfig config;
    private final String nodeId;
    private final long epoch = Epochs.newEpoch();
    private final Clock clock;
    private final PeerRegistry registry;
    private final boolean ownsRegistry;
    private final LocalPauseDetector pauses;
    private final AutoCloseable gcWatch;
    private final java.util.Random seeds;
    private final Observers observer;
    private final FrameSealer sealer;
    private final FrameVerifier verifier;
    private final AtomicLong observerFailures = new AtomicLong();
    /**
     * The first verdict's future of each peer someone waits for ({@link PeerMonitor#firstVerdict()}):
     * made at the first call before the verdict, removed when the verdict completes it or the
     * removal of the peer cancels it. Kept here rather than in a field of every peer: most peers are
     * never asked, and a peer's wait ends with its first verdict.
     */
    final Map<PeerMonitor, java.util.concurrent.CompletableFuture<dev.heartbeat.peer.PeerState>> firstVerdicts =
            new java.util.concurrent.ConcurrentHashMap<>();
    /**
     * Serialises adding and removing peers, so that the events of one name never interleave (an
     * ADDED of a new peer can't overtake the REMOVED of the old one of the same name). Never held
     * while waiting for anything: transports open links without blocking.
     */
    private final Object membership = new Object();
    /**
     * The peers this monitor started and has not removed, a list threaded through them
     * ({@link PeerMonitor#prevOwned}/{@link PeerMonitor#nextOwned}); guarded by {@link #membership}.
     * Lookups by name go through the registry; this list is what {@link #close()} stops, so a peer
     * someone took out of the registry by name is still stopped with its monitor.
     */
    private final ThreadedList<PeerMonitor> owned = new ThreadedList<>(e -> e.prevOwned, e -> e.nextOwned,
            (e, p) -> e.prevOwned = p, (e, n) -> e.nextOwned = n);
    private volatile boolean closed;

    private HeartbeatMonitor(Builder b) {
        this.transports = Collections.unmodifiableMap(new LinkedHashMap<>(b.transports));
        this.defaultScheme = b.defaultScheme;
        this.closeTransports = b.closeTransports;
        this.config = b.config;
        this.nodeId = b.nodeId;
        this.clock = b.clock;
        this.registry = b.registry != null ? b.registry : PeerRegistry.create();
        this.ownsRegistry = b.registry == null;
        this.pauses = new LocalPauseDetector(b.ticker, config.pauseThreshold());
        this.gcWatch = b.watchGc ? pauses.watchGarbageCollector() : null;
        this.seeds = b.random;
        this.sealer = b.sealer;
        this.verifier = b.verifier;
        this.observer = new Observers(b.observers);
    }

    /** A seed for one peer's jitter. */
    long nextSeed() {
        synchronized (seeds) {
            return seeds.nextLong();
        }
    }

    /** A builder for a monitor whose default transport is {@code transport}. */
    public static Builder builder(ClientTransport transport) {
        Builder b = new Builder();
        b.transport(schemeOf(transport), transport);
        return b;
    }

    /** A builder without transports yet: add them with {@link Builder#transport(String, ClientTransport)}. */
    public static Builder builder() {
        return new Builder();
    }

    /** "tcp/epoll" → "tcp"; "in-memory" → "in-memory". */
    static String schemeOf(ClientTransport t) {
        String n = t.name();
        int slash = n.indexOf('/');
        return slash > 0 ? n.substring(0, slash) : n;
    }

    /**
     * Starts monitoring a peer. It starts UNKNOWN and an ADDED event is published before any other
     * event of it.
     *
     * @throws IllegalArgumentException when the name is taken (in this monitor or its registry), the
     *     address names a scheme this monitor has no transport for, or the transport refuses it
     * @throws IllegalStateException when the monitor is closed
     */
    public Peer addPeer(PeerSpec spec) {
        return addPeer(spec, config);
    }

    /**
     * Starts monitoring a peer with settings of its own — a slower interval for a peer across a
     * WAN, a longer initial timeout for one that starts slowly — instead of the monitor's
     * {@link #config()}. Build them from the monitor's: {@code MonitorConfig.from(monitor.config())
     * .interval(Duration.ofSeconds(1)).build()}. {@link #reconcile} gives the peers it adds the
     * monitor's settings. See {@link #addPeer(PeerSpec)}.
     */
    public Peer addPeer(PeerSpec spec, MonitorConfig config) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(config, "config");
        String address = spec.address();
        String scheme = defaultScheme;
        String target = address;
        int sep = address.indexOf("://");
        if (sep >= 0) {
            scheme = address.substring(0, sep);
            target = address.substring(sep + 3);
        }
        ClientTransport transport = scheme == null ? null : transports.get(scheme);
        if (transports.isEmpty()) {
            throw new IllegalArgumentException("peer address : '" + address
                    + "' (expected: a monitor built with a transport; this one has none and takes attach() only)");
        }
        if (transport == null) {
            throw new IllegalArgumentException("peer address : '" + address + "' uses transport '" + scheme
                    + "' (expected: one of " + transports.keySet() + ", the transports this monitor was built with)");
        }
        return add(spec, transport, target, null, config);
    }

    /**
     * Monitors a peer over a connection the caller already owns — a channel of its own Netty
     * pipeline, say (that is how heartbeat-tcp's {@code HeartbeatHandler} works). The peer is one
     * of this monitor's like any other: same detection, same registry, same events, same
     * {@link #removePeer}. The caller feeds what happens on its connection to
     * {@link Attached#handler()}, on {@code link}'s scheduler.
     *
     * @param spec the peer's name, a descriptive address (not dialled) and attributes
     * @param link the caller's connection; the monitor sends PINGs through it
     * @param onPeerThread called with each of this peer's events (not ADDED or REMOVED) on the
     *     peer's thread, right after it is published, outside any lock; {@code null} for none.
     *     Must not block.
     * @throws IllegalArgumentException when the name is taken
     * @throws IllegalStateException when the monitor is closed
     */
    public Attached attach(PeerSpec spec, Link link, PeerListener onPeerThread) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(link, "link");
        PeerMonitor[] made = new PeerMonitor[1];
        ClientTransport given = new ClientTransport() {
            @Override
            public Link open(String address, dev.heartbeat.engine.spi.LinkHandler handler) {
                made[0] = (PeerMonitor) handler;
                return link;
            }

            @Override
            public String name() {
                return "attached";
            }

            @Override
            public void close() {
            }
        };
        add(spec, given, spec.address(), onPeerThread, config);
        return new Attached(made[0], made[0]);
    }

    /**
     * A peer monitored over the caller's own connection; see {@link #attach}.
     *
     * @param peer the peer
     * @param handler where the caller reports its connection's events and the frames it reads
     */
    public record Attached(Peer peer, dev.heartbeat.engine.spi.LinkHandler handler) {
    }

    private Peer add(PeerSpec spec, ClientTransport transport, String target, PeerListener local,
                     MonitorConfig peerConfig) {
        PeerMonitor peer = PeerMonitor.of(spec, this, local, peerConfig);
        Link link;
        synchronized (membership) {
            if (closed) {
                throw new IllegalStateException("monitor is closed");
            }
            // The registry is the one map of this monitor's peers too (no second map per peer): it
            // refuses a taken name, whoever took it.
            registry.register(peer);
            // Holding the peer's lock from open() to ADDED keeps its first transition (which the
            // link may trigger at once, on its own thread) behind the ADDED event.
            synchronized (peer) {
                try {
                    link = transport.open(target, peer);
                } catch (RuntimeException e) {
                    registry.unregister(peer);
                    throw e;
                }
                publish(new PeerEvent(PeerEvent.Kind.ADDED, spec.name(), Liveness.UNKNOWN, Liveness.UNKNOWN,
                        Usability.UNKNOWN, Usability.UNKNOWN, "added, monitoring " + link.describe(), clock.instant(),
                        peer.state()));
            }
            owned.add(peer);
        }
        peer.start(link);
        return peer;
    }

    /** Starts monitoring {@code address} under the name {@code name}; see {@link #addPeer(PeerSpec)}. */
    public Peer addPeer(String name, String address) {
        return addPeer(PeerSpec.of(name, address));
    }

    /** Starts monitoring {@code address}, named after the address. */
    public Peer addPeer(String address) {
        return addPeer(address, address);
    }

    /**
     * Stops monitoring a peer this monitor added: publishes REMOVED (its last event) and closes its
     * link. Safe under races with {@link #addPeer} and with itself; does not wait for the peer's
     * thread.
     *
     * @return false when this monitor has no peer of that name
     */
    public boolean removePeer(String name) {
        synchronized (membership) {
            PeerMonitor pm = own(name);
            if (pm == null) {
                // not in the registry under that name: one someone unregistered by name is still ours
                for (PeerMonitor p = owned.first(); p != null; p = p.nextOwned) {
                    if (p.name().equals(name)) {
                        pm = p;
                        break;
                    }
                }
                if (pm == null) {
                    return false;
                }
            }
            return removeOwned(pm);
        }
    }

    /** Stops {@code pm}, one of {@link #owned}: REMOVED, out of the registry, out of the list. Under {@link #membership}. */
    private boolean removeOwned(PeerMonitor pm) {
        boolean removed = pm.remove("removed"); // REMOVED first: the name stays taken until it is out
        registry.unregister(pm);
        owned.remove(pm);
        return removed;
    }

    /**
     * Makes the monitored set equal to {@code desired}: adds the peers it lacks, removes those not
     * in it, and replaces a peer whose address or attributes changed (REMOVED, then ADDED). Peers
     * whose spec is unchanged keep running untouched.
     *
     * @throws IllegalArgumentException when two specs share a name; nothing is changed then
     */
    public Reconciliation reconcile(Collection<PeerSpec> desired) {
        Map<String, PeerSpec> want = new LinkedHashMap<>();
        for (PeerSpec s : desired) {
            if (want.put(s.name(), Objects.requireNonNull(s, "spec")) != null) {
                throw new IllegalArgumentException("peer : '" + s.name() + "' appears twice (expected: unique names)");
            }
        }
        List<String> added = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        List<String> replaced = new ArrayList<>();
        for (String name : ownNames()) {
            if (!want.containsKey(name) && removePeer(name)) {
                removed.add(name);
            }
        }
        for (PeerSpec s : want.values()) {
            PeerMonitor cur = own(s.name());
            if (cur != null && cur.address().equals(s.address()) && cur.attributes().equals(s.attributes())) {
                continue;
            }
            if (cur != null) {
                removePeer(s.name());
                replaced.add(s.name());
            } else {
                added.add(s.name());
            }
            addPeer(s);
        }
        return new Reconciliation(added, removed, replaced);
    }

    /**
     * What {@link #reconcile} changed.
     *
     * @param added names newly monitored
     * @param removed names no longer monitored
     * @param replaced names whose address or attributes changed (removed and added again)
     */
    public record Reconciliation(List<String> added, List<String> removed, List<String> replaced) {

        public Reconciliation {
            added = List.copyOf(added);
            removed = List.copyOf(removed);
            replaced = List.copyOf(replaced);
        }

        /** True when nothing changed. */
        public boolean unchanged() {
            return added.isEmpty() && removed.isEmpty() && replaced.isEmpty();
        }
    }

    /** A peer this monitor added, by name. */
    public Optional<Peer> peer(String name) {
        return Optional.ofNullable(own(name));
    }

    /** The peers this monitor watches now (a copy). */
    public Collection<Peer> peers() {
        synchronized (membership) {
            return Collections.unmodifiableList(owned.toList());
        }
    }

    /**
     * This monitor's peer of that name, not yet removed, or null. The registry is the one map by
     * name (it may hold other monitors' peers too: sharing one is allowed).
     */
    private PeerMonitor own(String name) {
        Peer p = registry.peer(name).orElse(null);
        return isOwn(p) ? (PeerMonitor) p : null;
    }

    private boolean isOwn(Peer p) {
        return p instanceof PeerMonitor && ((PeerMonitor) p).ownedBy(this);
    }

    private List<String> ownNames() {
        List<String> names = new ArrayList<>();
        for (Peer p : peers()) {
            names.add(p.name());
        }
        return names;
    }

    /** The registry this monitor publishes into (to subscribe, or to see every monitor's peers). */
    public PeerRegistry registry() {
        return registry;
    }

    /** Shorthand for {@code registry().addListener(listener)}. */
    public void addListener(PeerListener listener) {
        registry.addListener(listener);
    }

    /** The configuration (the settings of every peer added without settings of its own). */
    public MonitorConfig config() {
        return config;
    }

    /**
     * The settings {@code peer} runs with: its own when it was added with some
     * ({@link #addPeer(PeerSpec, MonitorConfig)}), else {@link #config()}.
     *
     * @throws IllegalArgumentException when {@code peer} is not one of this monitor's
     */
    public MonitorConfig config(Peer peer) {
        PeerMonitor pm = peer == null ? null : own(peer.name());
        if (pm != peer) {
            throw new IllegalArgumentException("peer : " + peer + " (expected: a peer of this monitor)");
        }
        return pm.config();
    }

    /** The node id this monitor puts in its PINGs. */
    public String nodeId() {
        return nodeId;
    }

    /** This monitor's epoch. */
    public long epoch() {
        return epoch;
    }

    /** The own-pause detector. */
    public LocalPauseDetector pauses() {
        return pauses;
    }

    /**
     * This monitor's own health: a score above 0 ({@link LocalPauseDetector.Health#lagging()})
     * means its timers ran late recently (GC, CPU starvation), so its verdicts may be late too. A
     * cheap read for health checks and metrics.
     */
    public LocalPauseDetector.Health localHealth() {
        return pauses.health();
    }

    /** The transports by scheme. */
    public Map<String, ClientTransport> transports() {
        return transports;
    }

    /** The transport bare addresses use. */
    public ClientTransport transport() {
        return transports.get(defaultScheme);
    }

    /**
     * Adds an observer of every peer's samples, from now on (a metrics binder does this when it is
     * bound). Thread-safe; observers of the builder come first.
     */
    public void addObserver(PeerObserver o) {
        observer.add(Objects.requireNonNull(o, "observer"));
    }

    /** Removes an observer added before; false when it was not there. */
    public boolean removeObserver(PeerObserver o) {
        return observer.remove(o);
    }

    /** Observer calls that threw, so far. */
    public long observerFailures() {
        return observerFailures.get();
    }

    Clock clock() {
        return clock;
    }

    PeerObserver observer() {
        return observer;
    }

    FrameSealer sealer() {
        return sealer;
    }

    FrameVerifier verifier() {
        return verifier;
    }

    void observerFailed(Peer peer, RuntimeException e) {
        long n = observerFailures.incrementAndGet();
        if (LogLimit.loud(n)) {
            log.warn("Peer observer threw for {} ({} failures so far); the peer carries on", peer.name(), n, e);
        }
    }

    PeerEvent publish(PeerEvent event) {
        return registry.publish(event);
    }

    /**
     * Removes every peer (each publishes REMOVED), closes the transports (unless built with
     * {@code closeTransports(false)}), stops watching GC, and closes the registry if this monitor
     * created it (delivering what is queued first). Never waits on a transport's threads.
     * Idempotent.
     */
    @Override
    public void close() {
        synchronized (membership) {
            if (closed) {
                return;
            }
            closed = true;
            while (owned.first() != null) {
                removeOwned(owned.first());
            }
        }
        if (closeTransports) {
            for (ClientTransport t : new LinkedHashSet<>(transports.values())) {
                try {
                    t.close();
                } catch (RuntimeException e) {
                    log.warn("Closing transport {} failed", t.name(), e);
                }
            }
        }
        if (gcWatch != null) {
            try {
                gcWatch.close();
            } catch (Exception e) {
                log.debug("GC watch close failed", e);
            }
        }
        if (ownsRegistry) {
            registry.close();
        }
    }

    /**
     * Fans each call out to the current observers (a copy-on-write array: adding one is rare,
     * calling them is hot); one that throws does not keep the others from theirs.
     */
    private final class Observers implements PeerObserver {
        private volatile PeerObserver[] all;

        Observers(List<PeerObserver> initial) {
            this.all = initial.toArray(new PeerObserver[0]);
        }

        synchronized void add(PeerObserver o) {
            PeerObserver[] a = java.util.Arrays.copyOf(all, all.length + 1);
            a[a.length - 1] = o;
            all = a;
        }

        synchronized boolean remove(PeerObserver o) {
            PeerObserver[] a = all;
            for (int i = 0; i < a.length; i++) {
                if (a[i] == o) {
                    PeerObserver[] b = new PeerObserver[a.length - 1];
                    System.arraycopy(a, 0, b, 0, i);
                    System.arraycopy(a, i + 1, b, i, a.length - i - 1);
                    all = b;
                    return true;
                }
            }
            return false;
        }

        /** For the rare callbacks; the per-heartbeat ones loop without a lambda. */
        private void each(Peer peer, java.util.function.Consumer<PeerObserver> call) {
            for (PeerObserver o : all) {
                try {
                    call.accept(o);
                } catch (RuntimeException e) {
                    observerFailed(peer, e);
                }
            }
        }

        @Override
        public void onPingSent(Peer peer, int sequence) {
            for (PeerObserver o : all) {
                try {
                    o.onPingSent(peer, sequence);
                } catch (RuntimeException e) {
                    observerFailed(peer, e);
                }
            }
        }

        @Override
        public void onPongMatched(Peer peer, long rttNanos, dev.heartbeat.protocol.ServingStatus status,
                                  dev.heartbeat.protocol.LoadView load) {
            for (PeerObserver o : all) {
                try {
                    o.onPongMatched(peer, rttNanos, status, load);
                } catch (RuntimeException e) {
                    observerFailed(peer, e);
                }
            }
        }

        @Override
        public void onMiss(Peer peer, int sequence) {
            each(peer, o -> o.onMiss(peer, sequence));
        }

        @Override
        public void onFrameRejected(Peer peer, dev.heartbeat.peer.FrameRejection reason) {
            each(peer, o -> o.onFrameRejected(peer, reason));
        }

        @Override
        public void onAdvice(Peer peer, long advisedNanos, long appliedNanos) {
            each(peer, o -> o.onAdvice(peer, advisedNanos, appliedNanos));
        }

        @Override
        public void onConnected(Peer peer) {
            each(peer, o -> o.onConnected(peer));
        }

        @Override
        public void onDisconnected(Peer peer, dev.heartbeat.engine.spi.DisconnectCause cause, String detail) {
            each(peer, o -> o.onDisconnected(peer, cause, detail));
        }
    }

    /** Builder; every setter validates. */
    public static final class Builder {
        private final Map<String, ClientTransport> transports = new LinkedHashMap<>();
        private String defaultScheme;
        private boolean closeTransports = true;
        private MonitorConfig config = MonitorConfig.ofDefaults();
        private String nodeId = NodeIds.defaultFor("monitor");
        private Clock clock = Clock.systemUTC();
        private Ticker ticker = Ticker.system();
        private PeerRegistry registry;
        private boolean watchGc = true;
        private java.util.Random random = new java.util.Random();
        private final List<PeerObserver> observers = new ArrayList<>();
        private FrameSealer sealer;
        private FrameVerifier verifier;

        private Builder() {
        }

        /**
         * Authenticates every frame on every transport: PINGs are sealed with {@code sealer}, and
         * a frame that {@code verifier} does not accept is dropped and counted
         * ({@link dev.heartbeat.peer.FrameRejection#UNAUTHENTICATED}, {@code UNKNOWN_KEY},
         * {@code BAD_TAG}). Both usually are one {@code HmacSha256Authenticator}; see
         * {@code docs/protocol.md}. Default: none.
         */
        public Builder authentication(FrameSealer sealer, FrameVerifier verifier) {
            this.sealer = Objects.requireNonNull(sealer, "sealer");
            this.verifier = Objects.requireNonNull(verifier, "verifier");
            return this;
        }

        /**
         * Adds a transport for addresses {@code scheme://…}. The first transport added is the
         * default for bare addresses unless {@link #defaultTransport(String)} says otherwise.
         * Schemes are 1..32 characters of letters, digits, '+', '-' and '.'.
         */
        public Builder transport(String scheme, ClientTransport transport) {
            Objects.requireNonNull(scheme, "scheme");
            Objects.requireNonNull(transport, "transport");
            if (!scheme.matches("[A-Za-z0-9+.\\-]{1,32}")) {
                throw new IllegalArgumentException("scheme : '" + scheme
                        + "' (expected: 1..32 letters, digits, '+', '-' or '.')");
            }
            if (transports.putIfAbsent(scheme, transport) != null) {
                throw new IllegalArgumentException("scheme : '" + scheme + "' already has a transport (expected: one per scheme)");
            }
            if (defaultScheme == null) {
                defaultScheme = scheme;
            }
            return this;
        }

        /** The scheme whose transport bare {@code host:port} addresses use (default: the first added). */
        public Builder defaultTransport(String scheme) {
            this.defaultScheme = Objects.requireNonNull(scheme, "scheme");
            return this;
        }

        /** Whether {@link HeartbeatMonitor#close()} closes the transports too (default true). */
        public Builder closeTransports(boolean closeTransports) {
            this.closeTransports = closeTransports;
            return this;
        }

        /** The configuration (default {@link MonitorConfig#ofDefaults()}). */
        public Builder config(MonitorConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /** The node id in PINGs, 1..255 UTF-8 bytes (default {@code monitor@HOST-PID}, unique per process). */
        public Builder nodeId(String nodeId) {
            this.nodeId = FrameCodec.checkNodeId(nodeId);
            return this;
        }

        /** Wall clock for event timestamps (default UTC system clock). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Ticker of the own-pause detector. Must be the same time base as the transports'
         * schedulers (the system ticker for real transports, the virtual one in tests).
         */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /** A registry to publish into (default: a new one, closed with the monitor). */
        public Builder registry(PeerRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /** Whether to listen to the JVM's GC notifications for local pauses (default true). */
        public Builder watchGarbageCollector(boolean watchGc) {
            this.watchGc = watchGc;
            return this;
        }

        /** Source of the per-peer jitter seeds (default: unseeded). Seed it for reproducible tests. */
        public Builder random(java.util.Random random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /** Adds an observer of every peer's samples (see {@link PeerObserver}); may be called several times. */
        public Builder observer(PeerObserver observer) {
            observers.add(Objects.requireNonNull(observer, "observer"));
            return this;
        }

        /**
         * A monitor without transports is allowed: it monitors only peers given to
         * {@link HeartbeatMonitor#attach} (connections its user owns).
         *
         * @throws IllegalArgumentException when the default transport's scheme has none
         */
        public HeartbeatMonitor build() {
            if (defaultScheme != null && !transports.containsKey(defaultScheme)) {
                throw new IllegalArgumentException("defaultTransport : '" + defaultScheme + "' (expected: one of "
                        + transports.keySet() + ")");
            }
            return new HeartbeatMonitor(this);
        }
    }

    /** Names used in {@link #transports()}; see {@link Builder#transport(String, ClientTransport)}. */
    public Set<String> schemes() {
        return transports.keySet();
    }
}
