package dev.heartbeat.tcp;

import dev.heartbeat.engine.spi.DisconnectCause;
import dev.heartbeat.engine.spi.Link;
import dev.heartbeat.engine.spi.LinkHandler;
import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.Peer;
import dev.heartbeat.peer.PeerEvent;
import dev.heartbeat.peer.PeerRegistry;
import dev.heartbeat.peer.PeerState;
import dev.heartbeat.peer.Usability;
import dev.heartbeat.protocol.LoadReport;
import dev.heartbeat.tcp.internal.Addresses;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fallback mode, for peers that do not speak the heartbeat protocol (a database, a legacy
 * service): keeps one plain TCP connection open to each, with kernel keepalive tuned by a
 * {@link KeepaliveTuner} (and TCP_USER_TIMEOUT on epoll), and reports <em>liveness only</em>:
 * ALIVE while the connection is up, DEAD when it is refused, reset, closed, or aborted by
 * keepalive. Usability stays UNKNOWN: nothing here can tell whether the peer can serve. The
 * peers live in the same {@link PeerRegistry} as heartbeat-monitored ones and publish the same
 * {@link PeerEvent}s.
 *
 * <pre>{@code
 * KeepaliveFallback fallback = KeepaliveFallback.builder(monitor.registry())
 *         .detectWithin(Duration.ofSeconds(10)).build();
 * Peer db = fallback.watch("orders-db", "10.0.0.9:5432");
 * if (db.liveness() == Liveness.DEAD) { ... }      // available() stays false: usability is UNKNOWN
 * }</pre>
 *
 * <p>What it cannot see (measured on Linux, see {@code docs/transport-tcp.md}): a frozen peer
 * (SIGSTOP, a stuck process — the kernel keeps ACKing), and anything about load or readiness.
 * Bytes the peer sends are discarded unread. A peer that closes idle connections (many databases
 * do after a timeout) shows as DEAD until the reconnect succeeds. Thread-safe.
 */
public final class KeepaliveFallback implements AutoCloseable {

    private final TcpClientTransport transport;
    private final PeerRegistry registry;
    private final Clock clock;
    private final KeepaliveTuner tuner;
    private final Map<String, FallbackPeer> peers = new ConcurrentHashMap<>();

    private KeepaliveFallback(Builder b) {
        this.registry = b.registry;
        this.clock = b.clock;
        this.tuner = KeepaliveTuner.forDetectionWithin(b.target, b.probes);
        TcpClientTransport.Builder tb = TcpClientTransport.builder().keepalive(tuner).raw(true)
                .eventLoopThreads(b.threads).connectTimeout(b.connectTimeout);
        if (b.preferNio) {
            tb.preferNio(true);
        }
        this.transport = tb.build();
    }

    /** A builder publishing into {@code registry}. */
    public static Builder builder(PeerRegistry registry) {
        return new Builder(registry);
    }

    /** The tuner applied to every connection. */
    public KeepaliveTuner tuner() {
        return tuner;
    }

    /**
     * Starts watching {@code address} under {@code name}: registers the peer (UNKNOWN, an ADDED
     * event) and connects.
     *
     * @throws IllegalArgumentException when the name is taken or the address is invalid
     */
    public Peer watch(String name, String address) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("peer name : '" + name + "' (expected: not blank)");
        }
        Addresses.parse(address); // fail before registering anything
        FallbackPeer p = new FallbackPeer(name, address);
        registry.register(p);
        peers.put(name, p);
        registry.publish(new PeerEvent(PeerEvent.Kind.ADDED, name, Liveness.UNKNOWN, Liveness.UNKNOWN, Usability.UNKNOWN,
                Usability.UNKNOWN, "added, keepalive fallback " + transport.name() + " " + address + " (" + tuner + ")",
                clock.instant(), p.state()));
        p.link = transport.open(address, p);
        return p;
    }

    /** Stops watching a peer; a REMOVED event follows. False when no such peer is watched here. */
    public boolean unwatch(String name) {
        FallbackPeer p = peers.remove(name);
        if (p == null) {
            return false;
        }
        registry.unregister(name);
        Link l = p.link;
        if (l != null) {
            l.close();
        }
        registry.publish(new PeerEvent(PeerEvent.Kind.REMOVED, name, p.liveness, p.liveness, Usability.UNKNOWN,
                Usability.UNKNOWN, "removed", clock.instant(), p.state()));
        return true;
    }

    /** Stops watching every peer and closes the connections. */
    @Override
    public void close() {
        for (String name : peers.keySet()) {
            unwatch(name);
        }
        transport.close();
    }

    /** A watched peer: liveness from the connection, usability always UNKNOWN. */
    private final class FallbackPeer implements Peer, LinkHandler {
        private final String name;
        private final String address;
        private volatile Link link;
        private volatile Liveness liveness = Liveness.UNKNOWN;
        private volatile String reason = "added";
        private volatile Instant since;

        FallbackPeer(String name, String address) {
            this.name = name;
            this.address = address;
            this.since = clock.instant();
        }

        @Override
        public void onConnected(Link l) {
            move(Liveness.ALIVE, "connected; liveness by kernel keepalive only");
        }

        @Override
        public void onFrame(Link l, ByteBuffer frame) {
            // raw links deliver nothing
        }

        @Override
        public void onDisconnected(Link l, DisconnectCause cause, String detail) {
            if (cause != DisconnectCause.CLOSED_LOCALLY) {
                move(Liveness.DEAD, detail);
            }
        }

        private void move(Liveness to, String why) {
            Liveness from = liveness;
            if (from == to || !from.canMoveTo(to)) {
                return;
            }
            liveness = to;
            reason = why;
            since = clock.instant();
            registry.publish(new PeerEvent(PeerEvent.Kind.TRANSITION, name, from, to, Usability.UNKNOWN,
                    Usability.UNKNOWN, why, since, state()));
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String address() {
            return address;
        }

        @Override
        public Liveness liveness() {
            return liveness;
        }

        @Override
        public Usability usability() {
            return Usability.UNKNOWN;
        }

        @Override
        public PeerState state() {
            return new PeerState(name, address, liveness, Usability.UNKNOWN, reason, 0, -1, -1, null,
                    LoadReport.UNKNOWN, 0, null, since);
        }

        @Override
        public String toString() {
            return "Peer{" + name + " " + liveness + "/UNKNOWN (keepalive fallback): " + reason + "}";
        }
    }

    /** Validating builder. */
    public static final class Builder {
        private final PeerRegistry registry;
        private Duration target = Duration.ofSeconds(10);
        private int probes = KeepaliveTuner.DEFAULT_PROBES;
        private Clock clock = Clock.systemUTC();
        private int threads = 1;
        private Duration connectTimeout = TcpClientTransport.DEFAULT_CONNECT_TIMEOUT;
        private boolean preferNio;

        private Builder(PeerRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
        }

        /** Target detection time of a dead path (default 10 s); see {@link KeepaliveTuner}. */
        public Builder detectWithin(Duration target) {
            KeepaliveTuner.forDetectionWithin(target); // validates, with its message
            this.target = target;
            return this;
        }

        /** Keepalive probes, 1..127 (default 3). */
        public Builder probes(int probes) {
            KeepaliveTuner.forDetectionWithin(KeepaliveTuner.MIN_TARGET, probes);
            this.probes = probes;
            return this;
        }

        /** Wall clock for event timestamps (default UTC). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Event loop threads, 1..1024 (default 1). */
        public Builder eventLoopThreads(int threads) {
            TcpClientTransport.builder().eventLoopThreads(threads);
            this.threads = threads;
            return this;
        }

        /** Connect timeout (default 2 s). */
        public Builder connectTimeout(Duration timeout) {
            TcpClientTransport.builder().connectTimeout(timeout);
            this.connectTimeout = timeout;
            return this;
        }

        /** Use NIO even where epoll is available (then TCP_USER_TIMEOUT is not set). */
        public Builder preferNio(boolean preferNio) {
            this.preferNio = preferNio;
            return this;
        }

        public KeepaliveFallback build() {
            return new KeepaliveFallback(this);
        }
    }
}
