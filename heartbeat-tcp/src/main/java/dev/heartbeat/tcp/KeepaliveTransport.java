package dev.heartbeat.tcp;

import dev.heartbeat.engine.spi.ClientTransport;
import dev.heartbeat.engine.spi.DisconnectCause;
import dev.heartbeat.engine.spi.Link;
import dev.heartbeat.engine.spi.LinkHandler;
import dev.heartbeat.engine.spi.SerialScheduler;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;

/**
 * The fallback transport, for peers that do not speak the heartbeat protocol (a database, a
 * legacy service): one plain TCP connection to each, with kernel keepalive tuned by a
 * {@link KeepaliveTuner} (and TCP_USER_TIMEOUT on epoll). Its links
 * {@linkplain Link#carriesHeartbeats() carry no heartbeats}, so the monitor sends no PINGs and
 * judges <em>liveness only</em>: ALIVE while the connection is up, DEAD when it is refused, reset,
 * closed, or aborted by keepalive. Usability stays UNKNOWN: nothing here can tell whether the peer
 * can serve. It is one more transport of a {@code HeartbeatMonitor}, so these peers live beside
 * heartbeat peers, in the same registry, with the same events:
 *
 * <pre>{@code
 * HeartbeatMonitor monitor = HeartbeatMonitor.builder(TcpClientTransport.create())
 *         .transport("keepalive", KeepaliveTransport.create(Duration.ofSeconds(10)))
 *         .build();
 * Peer db = monitor.addPeer("orders-db", "keepalive://10.0.0.9:5432");
 * if (db.liveness() == Liveness.DEAD) { ... }      // available() stays false: usability is UNKNOWN
 * }</pre>
 *
 * <p>What it cannot see (measured on Linux, see {@code docs/transport-tcp.md}): a frozen peer
 * (SIGSTOP, a stuck process — the kernel keeps ACKing), and anything about load or readiness.
 * Bytes the peer sends are discarded unread. A peer that closes idle connections (many databases
 * do after a timeout) shows as DEAD until the reconnect succeeds. Thread-safe.
 */
public final class KeepaliveTransport implements ClientTransport {

    private final TcpClientTransport tcp;
    private final KeepaliveTuner tuner;

    private KeepaliveTransport(Builder b) {
        this.tuner = KeepaliveTuner.forDetectionWithin(b.target, b.probes);
        TcpClientTransport.Builder tb = TcpClientTransport.builder().keepalive(tuner).raw(true)
                .eventLoopThreads(b.threads).connectTimeout(b.connectTimeout);
        if (b.preferNio) {
            tb.preferNio(true);
        }
        this.tcp = tb.build();
    }

    /** A transport whose keepalive detects a dead path within {@code detectWithin}, with defaults otherwise. */
    public static KeepaliveTransport create(Duration detectWithin) {
        return builder().detectWithin(detectWithin).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The tuner applied to every connection. */
    public KeepaliveTuner tuner() {
        return tuner;
    }

    @Override
    public Link open(String address, LinkHandler handler) {
        KeepaliveLink k = new KeepaliveLink(handler);
        k.inner = tcp.open(address, k);
        return k;
    }

    /** "keepalive/epoll" or "keepalive/nio": the scheme a monitor files it under is "keepalive". */
    @Override
    public String name() {
        return "keepalive/" + tcp.name().substring(tcp.name().indexOf('/') + 1);
    }

    /** Open connections. */
    public int linkCount() {
        return tcp.linkCount();
    }

    @Override
    public void close() {
        tcp.close();
    }

    /** A raw TCP link that says it carries no heartbeats, and passes itself to the handler. */
    private final class KeepaliveLink implements Link, LinkHandler {
        private final LinkHandler handler;
        private volatile Link inner;

        KeepaliveLink(LinkHandler handler) {
            this.handler = Objects.requireNonNull(handler, "handler");
        }

        @Override
        public SerialScheduler scheduler() {
            return inner.scheduler();
        }

        @Override
        public boolean send(ByteBuffer frame) {
            return false; // nothing is sent to a peer that does not speak the protocol
        }

        @Override
        public boolean isConnected() {
            return inner.isConnected();
        }

        @Override
        public boolean isWritable() {
            return true; // we never write: the buffer can't fill
        }

        @Override
        public boolean carriesHeartbeats() {
            return false;
        }

        @Override
        public String describe() {
            return inner.describe().replaceFirst("^tcp/", "keepalive/") + " (" + tuner + ")";
        }

        @Override
        public void close() {
            inner.close();
        }

        /** The inner link may report (on its loop) before open() returned it to us: adopt it here. */
        private void adopt(Link link) {
            if (inner == null) {
                inner = link;
            }
        }

        @Override
        public void onConnected(Link link) {
            adopt(link);
            handler.onConnected(this);
        }

        @Override
        public void onFrame(Link link, ByteBuffer frame) {
            // raw links deliver nothing
        }

        @Override
        public void onDisconnected(Link link, DisconnectCause cause, String detail) {
            adopt(link);
            handler.onDisconnected(this, cause, detail);
        }
    }

    /** Validating builder. */
    public static final class Builder {
        private Duration target = Duration.ofSeconds(10);
        private int probes = KeepaliveTuner.DEFAULT_PROBES;
        private int threads = 1;
        private Duration connectTimeout = TcpClientTransport.DEFAULT_CONNECT_TIMEOUT;
        private boolean preferNio;

        private Builder() {
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

        public KeepaliveTransport build() {
            return new KeepaliveTransport(this);
        }
    }
}
