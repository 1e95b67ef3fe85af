package dev.heartbeat.engine;

import dev.heartbeat.engine.spi.ClientTransport;
import dev.heartbeat.engine.spi.Link;

import dev.heartbeat.detect.LocalPauseDetector;
import dev.heartbeat.detect.Ticker;
import dev.heartbeat.peer.Liveness;
import dev.heartbeat.protocol.FrameCodec;
import dev.heartbeat.peer.Peer;
import dev.heartbeat.peer.PeerEvent;
import dev.heartbeat.peer.PeerListener;
import dev.heartbeat.peer.PeerRegistry;
import dev.heartbeat.peer.Usability;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side: watches a dynamic set of peers over a {@link ClientTransport} and says, for
 * each, whether it is alive and whether it is usable.
 *
 * <pre>{@code
 * try (TcpClientTransport tcp = TcpClientTransport.create();
 *      HeartbeatMonitor monitor = HeartbeatMonitor.builder(tcp).build()) {
 *     monitor.addListener(event -> System.out.println(event));
 *     Peer orders = monitor.addPeer("orders", "10.0.0.7:7070");
 *     if (orders.available()) { ... }
 * }
 * }</pre>
 *
 * <p>For each peer, on the link's scheduler (its event loop), every {@link MonitorConfig#interval()}:
 * check that this tick is not late (a local pause is forgiven, not blamed on peers), send a PING,
 * and let the detector judge liveness. Each PONG feeds the detector, measures RTT and lets the
 * usability policy judge, through hysteresis. Every change is published as a {@link PeerEvent}.
 *
 * <p>Thread-safety: all public methods may be called from any thread. Peers can be added and
 * removed while running. {@link #close()} stops every peer and does not close the transport.
 */
public final class HeartbeatMonitor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HeartbeatMonitor.class);

    private final ClientTransport transport;
    private final MonitorConfig config;
    private final String nodeId;
    private final long epoch = Epochs.newEpoch();
    private final Clock clock;
    private final PeerRegistry registry;
    private final boolean ownsRegistry;
    private final LocalPauseDetector pauses;
    private final AutoCloseable gcWatch;
    private final java.util.Random seeds;
    private volatile boolean closed;

    private HeartbeatMonitor(Builder b) {
        this.transport = b.transport;
        this.config = b.config;
        this.nodeId = b.nodeId;
        this.clock = b.clock;
        this.registry = b.registry != null ? b.registry : PeerRegistry.create();
        this.ownsRegistry = b.registry == null;
        this.pauses = new LocalPauseDetector(b.ticker, config.pauseThreshold());
        this.gcWatch = b.watchGc ? pauses.watchGarbageCollector() : null;
        this.seeds = b.random;
    }

    /** A seed for one peer's jitter. */
    long nextSeed() {
        synchronized (seeds) {
            return seeds.nextLong();
        }
    }

    /** A builder for a monitor on {@code transport}. */
    public static Builder builder(ClientTransport transport) {
        return new Builder(transport);
    }

    /**
     * Starts monitoring {@code address} under the name {@code name}. The peer starts UNKNOWN and
     * an ADDED event is published.
     *
     * @throws IllegalArgumentException when the name is taken or the address is invalid
     * @throws IllegalStateException when the monitor is closed
     */
    public Peer addPeer(String name, String address) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
        if (name.isBlank()) {
            throw new IllegalArgumentException("peer name : '" + name + "' (expected: not blank)");
        }
        if (closed) {
            throw new IllegalStateException("monitor is closed");
        }
        PeerMonitor peer = new PeerMonitor(name, address, this);
        registry.register(peer);
        Link link;
        try {
            link = transport.open(address, peer);
        } catch (RuntimeException e) {
            registry.unregister(name);
            throw e;
        }
        publish(new PeerEvent(PeerEvent.Kind.ADDED, name, Liveness.UNKNOWN, Liveness.UNKNOWN, Usability.UNKNOWN,
                Usability.UNKNOWN, "added, monitoring " + link.describe(), clock.instant(), peer.state()));
        peer.start(link);
        return peer;
    }

    /** Starts monitoring {@code address}, named after the address. */
    public Peer addPeer(String address) {
        return addPeer(address, address);
    }

    /**
     * Stops monitoring a peer and closes its link; a REMOVED event follows.
     *
     * @return false when no peer had that name
     */
    public boolean removePeer(String name) {
        Peer p = registry.unregister(name);
        if (!(p instanceof PeerMonitor)) {
            return false;
        }
        PeerMonitor pm = (PeerMonitor) p;
        pm.stop(() -> publish(new PeerEvent(PeerEvent.Kind.REMOVED, name, pm.liveness(), pm.liveness(), pm.usability(),
                pm.usability(), "removed", clock.instant(), pm.state())));
        return true;
    }

    /** The registry of peers (to look peers up, list them, subscribe). */
    public PeerRegistry registry() {
        return registry;
    }

    /** Shorthand for {@code registry().addListener(listener)}. */
    public void addListener(PeerListener listener) {
        registry.addListener(listener);
    }

    /** The configuration. */
    public MonitorConfig config() {
        return config;
    }

    /** The node id this monitor puts in its PINGs. */
    public String nodeId() {
        return nodeId;
    }

    /** This monitor's epoch. */
    public long epoch() {
        return epoch;
    }

    /** The own-pause detector (for metrics: {@link LocalPauseDetector#pauseCount()}). */
    public LocalPauseDetector pauses() {
        return pauses;
    }

    /** The transport. */
    public ClientTransport transport() {
        return transport;
    }

    Clock clock() {
        return clock;
    }

    void publish(PeerEvent event) {
        registry.publish(event);
    }

    /**
     * Stops every peer (waiting up to 2 s for their schedulers), then stops the event dispatcher
     * if the monitor created it. The transport is left open. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        java.util.Collection<Peer> peers = registry.peers();
        CountDownLatch done = new CountDownLatch(peers.size());
        for (Peer p : peers) {
            registry.unregister(p.name());
            ((PeerMonitor) p).stop(done::countDown);
        }
        try {
            if (!done.await(2, TimeUnit.SECONDS)) {
                log.warn("Monitor closed before every peer stopped (schedulers busy or virtual)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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

    /** Builder; every setter validates. */
    public static final class Builder {
        private final ClientTransport transport;
        private MonitorConfig config = MonitorConfig.ofDefaults();
        private String nodeId = defaultNodeId();
        private Clock clock = Clock.systemUTC();
        private Ticker ticker = Ticker.system();
        private PeerRegistry registry;
        private boolean watchGc = true;
        private java.util.Random random = new java.util.Random();

        private Builder(ClientTransport transport) {
            this.transport = Objects.requireNonNull(transport, "transport");
        }

        /** The configuration (default {@link MonitorConfig#ofDefaults()}). */
        public Builder config(MonitorConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /** The node id in PINGs, 1..255 UTF-8 bytes (default "monitor-PID"). */
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
         * Ticker of the own-pause detector. Must be the same time base as the transport's
         * schedulers (the system ticker for real transports, the virtual one in tests).
         */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /** A registry to publish into (default: a new one with its own dispatch thread, closed with the monitor). */
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

        public HeartbeatMonitor build() {
            return new HeartbeatMonitor(this);
        }

        private static String defaultNodeId() {
            return "monitor-" + ProcessHandle.current().pid();
        }
    }
}
