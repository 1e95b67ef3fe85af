package dev.heartbeat.metrics;

import dev.heartbeat.engine.HeartbeatMonitor;
import dev.heartbeat.engine.PeerObserver;
import dev.heartbeat.engine.spi.DisconnectCause;
import dev.heartbeat.internal.Checks;
import dev.heartbeat.peer.FrameRejection;
import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.Peer;
import dev.heartbeat.peer.PeerEvent;
import dev.heartbeat.peer.PeerListener;
import dev.heartbeat.peer.Usability;
import dev.heartbeat.protocol.LoadView;
import dev.heartbeat.protocol.ServingStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Micrometer meters for one {@link HeartbeatMonitor} and every peer it watches. It reads nothing
 * by polling the engine's insides: per-peer meters are bound when the peer's ADDED event arrives
 * and removed at its REMOVED (events), samples come through a {@link PeerObserver} (RTT, PINGs,
 * PONGs, misses, rejected frames, reconnects), and gauges read {@link Peer}'s cheap accessors when
 * scraped. Every meter is listed with its Prometheus name in {@code docs/metrics.md}.
 *
 * <pre>{@code
 * HeartbeatMonitor monitor = HeartbeatMonitor.builder(tcp).build();
 * HeartbeatMetrics.of(monitor).bindTo(meterRegistry);   // e.g. a PrometheusMeterRegistry
 * }</pre>
 *
 * <p><b>Cardinality.</b> The {@code peer} tag takes the names of the monitor's peers only, and at
 * most {@link Builder#maxPeers(int)} of them (default {@value #DEFAULT_MAX_PEERS}): peers past the
 * cap are not metered, counted in {@code heartbeat.metrics.peers.unmetered}, and logged once. The
 * RTT timer publishes a few service-level buckets, not a percentile histogram (which would be
 * about 50 series per peer).
 *
 * <p>Gauges hold strong references (a Micrometer gauge is weak by default and would scrape NaN
 * after a GC). Thread-safe. {@link #close()} unsubscribes and removes every meter it registered.
 */
public final class HeartbeatMetrics implements MeterBinder, AutoCloseable {

    /** Default cap of peers metered (distinct values of the {@code peer} tag). */
    public static final int DEFAULT_MAX_PEERS = 1_000;
    /** Default service-level buckets of the RTT timer. */
    public static final List<Duration> DEFAULT_RTT_BUCKETS = List.of(Duration.ofMillis(1), Duration.ofMillis(5),
            Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(500),
            Duration.ofSeconds(1));

    private static final Logger log = LoggerFactory.getLogger(HeartbeatMetrics.class);
    private static final FrameRejection[] REASONS = FrameRejection.values();

    private final HeartbeatMonitor monitor;
    private final int maxPeers;
    private final Tags commonTags;
    private final Duration[] rttBuckets;
    private final ConcurrentHashMap<String, PeerMeters> peers = new ConcurrentHashMap<>();
    private final List<Meter> monitorMeters = new CopyOnWriteArrayList<>();
    private final PeerObserver observer = new Samples();
    private final PeerListener listener = this::onEvent;
    private volatile MeterRegistry registry;
    private volatile Counter unmetered;
    private volatile boolean capLogged;
    private volatile boolean closed;

    private HeartbeatMetrics(Builder b) {
        this.monitor = b.monitor;
        this.maxPeers = b.maxPeers;
        this.commonTags = b.tags;
        this.rttBuckets = b.rttBuckets.toArray(new Duration[0]);
    }

    /** Metrics for {@code monitor} with the defaults. */
    public static HeartbeatMetrics of(HeartbeatMonitor monitor) {
        return builder(monitor).build();
    }

    public static Builder builder(HeartbeatMonitor monitor) {
        return new Builder(monitor);
    }

    /**
     * Registers the monitor's meters in {@code registry} and starts metering its peers (the peers
     * already there are replayed to it). Binding a second time fails.
     *
     * @throws IllegalStateException when already bound, or closed
     */
    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        if (this.registry != null || closed) {
            throw new IllegalStateException("HeartbeatMetrics is " + (closed ? "closed" : "already bound to a registry")
                    + " (expected: one bindTo per instance)");
        }
        this.registry = registry;
        unmetered = keep(Counter.builder("heartbeat.metrics.peers.unmetered")
                .description("Peers not metered because maxPeers was reached").tags(commonTags).register(registry));
        for (Liveness l : Liveness.values()) {
            keep(Gauge.builder("heartbeat.monitor.peers", monitor, m -> count(m, l))
                    .description("Peers of this monitor by liveness").tags(commonTags).tag("liveness", l.name())
                    .strongReference(true).register(registry));
        }
        for (Usability u : Usability.values()) {
            keep(Gauge.builder("heartbeat.monitor.peers.usability", monitor, m -> count(m, u))
                    .description("Peers of this monitor by usability").tags(commonTags).tag("usability", u.name())
                    .strongReference(true).register(registry));
        }
        keep(Gauge.builder("heartbeat.monitor.local.health", monitor, m -> m.localHealth().score())
                .description("This monitor's local health score, 0 (healthy) to 8: recent own pauses (GC, CPU starvation)")
                .tags(commonTags).strongReference(true).register(registry));
        keep(Gauge.builder("heartbeat.monitor.lagging", monitor, m -> m.localHealth().lagging() ? 1 : 0)
                .description("1 while this monitor's own timers ran late recently: its verdicts may be late")
                .tags(commonTags).strongReference(true).register(registry));
        keep(FunctionCounter.builder("heartbeat.monitor.pauses", monitor, m -> m.pauses().pauseCount())
                .description("Distinct pauses of this monitor itself (late timers, stop-the-world GC)").tags(commonTags)
                .register(registry));
        keep(FunctionCounter.builder("heartbeat.monitor.observer.failures", monitor, HeartbeatMonitor::observerFailures)
                .description("Observer calls that threw").tags(commonTags).register(registry));
        keep(FunctionCounter.builder("heartbeat.events.coalesced", monitor, m -> m.registry().coalescedEvents())
                .description("Peer events merged into a pending one because a listener lagged").tags(commonTags)
                .register(registry));
        keep(FunctionCounter.builder("heartbeat.events.dropped", monitor, m -> m.registry().droppedEvents())
                .description("Peer events that will never reach a listener (published after close)").tags(commonTags)
                .register(registry));
        monitor.addObserver(observer);
        monitor.addListener(listener); // replays the peers already there as ADDED
    }

    private <M extends Meter> M keep(M m) {
        monitorMeters.add(m);
        return m;
    }

    private static double count(HeartbeatMonitor m, Liveness l) {
        int n = 0;
        for (Peer p : m.peers()) {
            if (p.liveness() == l) {
                n++;
            }
        }
        return n;
    }

    private static double count(HeartbeatMonitor m, Usability u) {
        int n = 0;
        for (Peer p : m.peers()) {
            if (p.usability() == u) {
                n++;
            }
        }
        return n;
    }

    /** Peers metered now. */
    public int meteredPeers() {
        return peers.size();
    }

    /** Unsubscribes from the monitor and removes every meter this binder registered. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        monitor.removeObserver(observer);
        monitor.registry().removeListener(listener);
        MeterRegistry r = registry;
        if (r != null) {
            for (String name : new ArrayList<>(peers.keySet())) {
                unbind(name);
            }
            for (Meter m : monitorMeters) {
                r.remove(m);
            }
            monitorMeters.clear();
        }
    }

    // ---------------------------------------------------------------------------------------
    // Events: bind at ADDED, unbind at REMOVED, count transitions.
    // ---------------------------------------------------------------------------------------

    private void onEvent(PeerEvent e) {
        if (closed) {
            return;
        }
        switch (e.kind()) {
            case ADDED:
                monitor.peer(e.peer()).ifPresent(this::bind);
                break;
            case REMOVED:
                unbind(e.peer());
                break;
            case RESTARTED:
            case TRANSITION:
                PeerMeters pm = peers.get(e.peer());
                if (pm != null) {
                    pm.transition(e);
                }
                break;
            default:
                break;
        }
    }

    private synchronized void bind(Peer p) {
        if (closed || peers.containsKey(p.name())) {
            return;
        }
        if (peers.size() >= maxPeers) {
            unmetered.increment();
            if (!capLogged) {
                capLogged = true;
                log.warn("heartbeat metrics: {} peers metered, maxPeers {} reached; peer '{}' and later ones are not"
                        + " metered (see heartbeat.metrics.peers.unmetered)", peers.size(), maxPeers, p.name());
            }
            return;
        }
        peers.put(p.name(), new PeerMeters(p, registry));
    }

    private synchronized void unbind(String name) {
        PeerMeters pm = peers.remove(name);
        if (pm != null) {
            pm.remove();
        }
    }

    // ---------------------------------------------------------------------------------------
    // One peer's meters.
    // ---------------------------------------------------------------------------------------

    private final class PeerMeters {
        private final MeterRegistry r;
        private final Tags tags;
        private final List<Meter> meters = new CopyOnWriteArrayList<>();
        private final Timer rtt;
        private final Counter pings;
        private final Counter pongs;
        private final Counter misses;
        private final Counter reconnects;
        private final Counter restarts;
        private final AtomicReferenceArray<Counter> rejected = new AtomicReferenceArray<>(REASONS.length);
        private final ConcurrentHashMap<String, Counter> transitions = new ConcurrentHashMap<>();
        private volatile boolean connectedOnce;

        PeerMeters(Peer p, MeterRegistry r) {
            this.r = r;
            this.tags = commonTags.and("peer", p.name());
            rtt = add(Timer.builder("heartbeat.peer.rtt").description("Round-trip time of matched PINGs, from our own send record")
                    .tags(tags).serviceLevelObjectives(rttBuckets).register(r));
            pings = add(Counter.builder("heartbeat.peer.pings.sent").description("PINGs handed to the transport")
                    .tags(tags).register(r));
            pongs = add(Counter.builder("heartbeat.peer.pongs.matched").description("PONGs that answered an outstanding PING")
                    .tags(tags).register(r));
            misses = add(Counter.builder("heartbeat.peer.misses").description("PINGs that got no answer")
                    .tags(tags).register(r));
            reconnects = add(Counter.builder("heartbeat.peer.reconnects").description("Times the link connected again")
                    .tags(tags).register(r));
            restarts = add(Counter.builder("heartbeat.peer.restarts").description("Epoch changes: the peer restarted")
                    .tags(tags).register(r));
            gauge("heartbeat.peer.phi", "The detector's suspicion level (φ)", p, Peer::phi);
            gauge("heartbeat.peer.loss", "Recent fraction of PINGs without an answer, 0..1", p, Peer::lossRate);
            gauge("heartbeat.peer.rtt.baseline", "The RTT baseline (minimum of recent RTTs), seconds; NaN before the first",
                    p, x -> x.rttBaselineNanos() < 0 ? Double.NaN : x.rttBaselineNanos() / 1e9, "seconds");
            for (Liveness l : Liveness.values()) {
                add(Gauge.builder("heartbeat.peer.liveness", p, x -> x.liveness() == l ? 1 : 0)
                        .description("1 for the peer's current liveness, 0 for the others").tags(tags)
                        .tag("state", l.name()).strongReference(true).register(r));
            }
            for (Usability u : Usability.values()) {
                add(Gauge.builder("heartbeat.peer.usability", p, x -> x.usability() == u ? 1 : 0)
                        .description("1 for the peer's current usability, 0 for the others").tags(tags)
                        .tag("state", u.name()).strongReference(true).register(r));
            }
            gauge("heartbeat.peer.load.cpu", "CPU the peer reports, 0..1; NaN when unknown", p, x -> x.load().cpu());
            gauge("heartbeat.peer.load.memory", "Memory the peer reports, 0..1; NaN when unknown", p, x -> x.load().memory());
            gauge("heartbeat.peer.load.in.flight", "Requests in flight the peer reports; NaN when unknown", p,
                    x -> orNaN(x.load().inFlight()));
            gauge("heartbeat.peer.load.queue.depth", "Queued work the peer reports; NaN when unknown", p,
                    x -> orNaN(x.load().queueDepth()));
            gauge("heartbeat.peer.load.error.rate", "Error fraction the peer reports, 0..1; NaN when unknown", p,
                    x -> x.load().errorRate());
            gauge("heartbeat.peer.load.latency", "Latency figure the peer reports, seconds; NaN when unknown", p,
                    x -> x.load().latencyMicros() < 0 ? Double.NaN : x.load().latencyMicros() / 1e6, "seconds");
        }

        private <M extends Meter> M add(M m) {
            meters.add(m);
            return m;
        }

        private void gauge(String name, String description, Peer p, ToDoubleFunction<Peer> f) {
            gauge(name, description, p, f, null);
        }

        private void gauge(String name, String description, Peer p, ToDoubleFunction<Peer> f, String unit) {
            add(Gauge.builder(name, p, f).description(description).baseUnit(unit).tags(tags).strongReference(true)
                    .register(r));
        }

        void rejected(FrameRejection why) {
            Counter c = rejected.get(why.ordinal());
            if (c == null) {
                c = add(Counter.builder("heartbeat.peer.frames.rejected").description("Frames from the peer not used, by reason")
                        .tags(tags).tag("reason", why.name()).register(r));
                rejected.set(why.ordinal(), c);
            }
            c.increment();
        }

        void transition(PeerEvent e) {
            if (e.kind() == PeerEvent.Kind.RESTARTED) {
                restarts.increment(e.count());
            }
            if (e.livenessChanged()) {
                transitionCounter("liveness", e.fromLiveness().name(), e.toLiveness().name()).increment();
            }
            if (e.usabilityChanged()) {
                transitionCounter("usability", e.fromUsability().name(), e.toUsability().name()).increment();
            }
        }

        private Counter transitionCounter(String dimension, String from, String to) {
            return transitions.computeIfAbsent(dimension + from + to, k -> add(Counter.builder("heartbeat.peer.transitions")
                    .description("State changes of the peer (liveness or usability), by from and to").tags(tags)
                    .tag("dimension", dimension).tag("from", from).tag("to", to).register(r)));
        }

        void remove() {
            for (Meter m : meters) {
                r.remove(m);
            }
            meters.clear();
        }
    }

    private static double orNaN(long v) {
        return v < 0 ? Double.NaN : v;
    }

    /** Samples, on each peer's thread: a map lookup and a counter or timer update, nothing allocated. */
    private final class Samples implements PeerObserver {

        @Override
        public void onPingSent(Peer peer, int sequence) {
            PeerMeters pm = peers.get(peer.name());
            if (pm != null) {
                pm.pings.increment();
            }
        }

        @Override
        public void onPongMatched(Peer peer, long rttNanos, ServingStatus status, LoadView load) {
            PeerMeters pm = peers.get(peer.name());
            if (pm != null) {
                pm.pongs.increment();
                pm.rtt.record(rttNanos, TimeUnit.NANOSECONDS);
            }
        }

        @Override
        public void onMiss(Peer peer, int sequence) {
            PeerMeters pm = peers.get(peer.name());
            if (pm != null) {
                pm.misses.increment();
            }
        }

        @Override
        public void onFrameRejected(Peer peer, FrameRejection reason) {
            PeerMeters pm = peers.get(peer.name());
            if (pm != null) {
                pm.rejected(reason);
            }
        }

        @Override
        public void onConnected(Peer peer) {
            PeerMeters pm = peers.get(peer.name());
            if (pm != null) {
                if (pm.connectedOnce) {
                    pm.reconnects.increment();
                }
                pm.connectedOnce = true;
            }
        }

        @Override
        public void onDisconnected(Peer peer, DisconnectCause cause, String detail) {
            // counted as liveness transitions; the reconnect that follows is counted above
        }
    }

    /** Validating builder. */
    public static final class Builder {
        private final HeartbeatMonitor monitor;
        private int maxPeers = DEFAULT_MAX_PEERS;
        private Tags tags = Tags.empty();
        private List<Duration> rttBuckets = DEFAULT_RTT_BUCKETS;

        private Builder(HeartbeatMonitor monitor) {
            this.monitor = Objects.requireNonNull(monitor, "monitor");
        }

        /** Most peers metered, 1..1,000,000 (default 1,000); see the class comment. */
        public Builder maxPeers(int maxPeers) {
            this.maxPeers = Checks.range("maxPeers", maxPeers, 1, 1_000_000);
            return this;
        }

        /** Tags added to every meter (e.g. {@code monitor=orders-client}); not {@code peer}. */
        public Builder tags(Iterable<Tag> tags) {
            for (Tag t : Objects.requireNonNull(tags, "tags")) {
                if (t.getKey().equals("peer")) {
                    throw Checks.bad("tags", t, "no 'peer' tag: this binder sets it");
                }
            }
            this.tags = Tags.of(tags);
            return this;
        }

        /** The RTT timer's service-level buckets: 1..20 positive durations (default 1, 5, 10, 50, 100, 500 ms, 1 s). */
        public Builder rttBuckets(Duration... buckets) {
            if (buckets.length < 1 || buckets.length > 20 || Arrays.stream(buckets).anyMatch(d -> d == null || d.isNegative()
                    || d.isZero())) {
                throw Checks.bad("rttBuckets", Arrays.toString(buckets), "1..20 positive durations");
            }
            this.rttBuckets = List.of(buckets);
            return this;
        }

        public HeartbeatMetrics build() {
            return new HeartbeatMetrics(this);
        }
    }
}
