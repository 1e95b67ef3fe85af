package dev.heartbeat.spring.responder;

import dev.heartbeat.engine.HeartbeatResponder;
import dev.heartbeat.engine.spi.ResponderServer;
import dev.heartbeat.tcp.TcpResponderServer;
import dev.heartbeat.udp.UdpResponderServer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The application's responder on the network: binds a TCP or UDP {@code *ResponderServer} when the
 * context starts, and at shutdown leaves politely — GOODBYE to every monitor (they mark this
 * application UNUSABLE at once), then the close. Its phase stops it before the web server's
 * graceful shutdown ({@value #PHASE}), so monitors stop sending work while requests in flight
 * finish.
 *
 * <p>Thread-safety: start and stop are called by Spring's lifecycle processor; the accessors may
 * be called from any thread.
 */
public class HeartbeatResponderServer implements SmartLifecycle {

    /** Later than the web server's start (and its graceful-shutdown phase), so stopped before it. */
    public static final int PHASE = Integer.MAX_VALUE - 512;

    private static final Logger log = LoggerFactory.getLogger(HeartbeatResponderServer.class);

    /** The transports a responder can listen on. */
    public enum Kind {
        /** {@link TcpResponderServer}. */
        TCP,
        /** {@link UdpResponderServer}. */
        UDP
    }

    private final HeartbeatResponder responder;
    private final Kind kind;
    private final String host;
    private final int port;
    private final Duration closeGrace;
    private final Integer eventLoopThreads;
    private final Duration comeBackAfter;
    private volatile ResponderServer server;

    /**
     * @param responder answers the PINGs
     * @param kind the transport
     * @param host the bind address
     * @param port the port, 0 for an ephemeral one
     * @param closeGrace TCP: the wait for monitors to close after the GOODBYE
     * @param eventLoopThreads I/O threads, or null for the transport's default
     * @param comeBackAfter the come-back time announced in the GOODBYE
     */
    public HeartbeatResponderServer(HeartbeatResponder responder, Kind kind, String host, int port, Duration closeGrace,
                                    Integer eventLoopThreads, Duration comeBackAfter) {
        this.responder = Objects.requireNonNull(responder, "responder");
        this.kind = Objects.requireNonNull(kind, "kind");
        this.host = Objects.requireNonNull(host, "host");
        this.port = port;
        this.closeGrace = Objects.requireNonNull(closeGrace, "closeGrace");
        this.eventLoopThreads = eventLoopThreads;
        this.comeBackAfter = Objects.requireNonNull(comeBackAfter, "comeBackAfter");
    }

    @Override
    public synchronized void start() {
        if (isRunning()) {
            return;
        }
        if (kind == Kind.TCP) {
            TcpResponderServer.Builder b = TcpResponderServer.builder(responder).host(host).port(port).closeGrace(closeGrace);
            if (eventLoopThreads != null) {
                b.eventLoopThreads(eventLoopThreads);
            }
            server = b.bind();
        } else {
            UdpResponderServer.Builder b = UdpResponderServer.builder(responder).host(host).port(port);
            if (eventLoopThreads != null) {
                b.eventLoopThreads(eventLoopThreads);
            }
            server = b.bind();
        }
        log.info("heartbeat responder {} listening on {} ({}), status {}", responder.nodeId(), localAddress(),
                transportName(), responder.status());
    }

    /** Sends GOODBYE to every monitor and closes (blocks for at most the close grace and a little more). */
    @Override
    public synchronized void stop() {
        ResponderServer s = server;
        server = null;
        if (s != null) {
            s.closeGracefully(comeBackAfter);
            log.info("heartbeat responder {} left (GOODBYE sent)", responder.nodeId());
        }
    }

    @Override
    public boolean isRunning() {
        return server != null;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /** The responder it serves. */
    public HeartbeatResponder responder() {
        return responder;
    }

    /** The port it listens on (the real one when configured with 0), or -1 when not running. */
    public int port() {
        InetSocketAddress a = localAddress();
        return a == null ? -1 : a.getPort();
    }

    /** Where it listens, or null when not running. */
    public InetSocketAddress localAddress() {
        ResponderServer s = server;
        return s != null ? s.localAddress() : null;
    }

    /** {@code tcp/epoll}, {@code udp/nio}…, or the configured kind when not running. */
    public String transportName() {
        ResponderServer s = server;
        return s != null ? s.transportName() : kind.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The TCP server while running over TCP. */
    public java.util.Optional<TcpResponderServer> tcp() {
        return server instanceof TcpResponderServer t ? java.util.Optional.of(t) : java.util.Optional.empty();
    }

    /** The UDP server while running over UDP. */
    public java.util.Optional<UdpResponderServer> udp() {
        return server instanceof UdpResponderServer u ? java.util.Optional.of(u) : java.util.Optional.empty();
    }
}
