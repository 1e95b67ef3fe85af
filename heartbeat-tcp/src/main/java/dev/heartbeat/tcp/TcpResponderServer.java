package dev.heartbeat.tcp;

import dev.heartbeat.internal.LogLimit;
import dev.heartbeat.internal.Checks;
import dev.heartbeat.engine.HeartbeatResponder;
import dev.heartbeat.tcp.internal.Addresses;
import dev.heartbeat.tcp.internal.Disconnects;
import dev.heartbeat.tcp.internal.FrameDecoder;
import dev.heartbeat.tcp.internal.NettyIo;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The responder side over TCP: listens, answers every PING with the {@link HeartbeatResponder}'s
 * PONG, and protects itself.
 *
 * <pre>{@code
 * HeartbeatResponder responder = HeartbeatResponder.builder().nodeId("orders-1").build();
 * TcpResponderServer server = TcpResponderServer.builder(responder).port(7070).bind();
 * ...
 * responder.status(ServingStatus.DRAINING);              // monitors stop routing to us
 * server.closeGracefully(Duration.ofSeconds(30));        // GOODBYE, FIN, bounded grace, hard close
 * }</pre>
 *
 * <h2>Connection lifecycle</h2>
 * Every accepted connection has one owner (its handler) that closes it exactly once.
 * Half-closure is allowed: a client that sends a PING, shuts down its output and then reads gets
 * its PONG; when the client's FIN arrives the server finishes what it owes, sends its own FIN and
 * closes — never closing on FIN alone, never leaving the socket in CLOSE_WAIT. The listener sets
 * SO_REUSEADDR (restart without waiting out TIME_WAIT); accepted sockets set TCP_NODELAY.
 *
 * <h2>Self-protection</h2>
 * <ul>
 *   <li>at most {@code maxConnections} connections; more are closed at once;</li>
 *   <li>a frame longer than {@value dev.heartbeat.protocol.FrameCodec#MAX_FRAME_LENGTH} bytes, bad
 *       magic, or an undecodable frame closes the connection with a logged reason;</li>
 *   <li>a connection that sends no PING within {@code idleTimeout} is closed;</li>
 *   <li>a client that stops pinging for {@code evictAfterMissedPings} × the interval its last
 *       PING advertised is evicted (crashed, frozen or partitioned clients); a PING that
 *       advertises no interval (0) counts as advertising {@code idleTimeout}, and the window never
 *       exceeds {@code maxEvictWindow}, so no PING can exempt a client from eviction;</li>
 *   <li>PONGs to a client that does not read (channel unwritable) are dropped, not queued.</li>
 * </ul>
 * Thread-safe.
 */
public final class TcpResponderServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TcpResponderServer.class);

    /** Default connection limit. */
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
    /** Default number of missed PING intervals before a client is evicted. */
    public static final int DEFAULT_EVICT_AFTER_MISSED_PINGS = 10;
    /** Default time a new connection has to send its first PING. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(10);
    /** Default cap of the eviction window, whatever interval a client advertises. */
    public static final Duration DEFAULT_MAX_EVICT_WINDOW = Duration.ofHours(1);
    /** Default time {@link #closeGracefully} waits for clients to close before a hard close. */
    public static final Duration DEFAULT_CLOSE_GRACE = Duration.ofSeconds(2);

    private final HeartbeatResponder responder;
    private final NettyIo io;
    private final MultiThreadIoEventLoopGroup group;
    private final Channel listener;
    private final int maxConnections;
    private final int evictAfterMissedPings;
    private final long idleTimeoutNanos;
    private final long maxEvictWindowNanos;
    private final long closeGraceNanos;
    private final AtomicInteger connections = new AtomicInteger();
    private final Set<ResponderConnection> open = ConcurrentHashMap.newKeySet();
    final Counters stats = new Counters();
    private volatile boolean closed;

    private TcpResponderServer(Builder b) {
        this.responder = b.responder;
        this.io = b.preferNio ? NettyIo.NIO : NettyIo.best();
        this.maxConnections = b.maxConnections;
        this.evictAfterMissedPings = b.evictAfterMissedPings;
        this.idleTimeoutNanos = b.idleTimeout.toNanos();
        this.maxEvictWindowNanos = b.maxEvictWindow.toNanos();
        this.closeGraceNanos = b.closeGrace.toNanos();
        this.group = io.newGroup(b.threads, "heartbeat-tcp-server");
        ServerBootstrap sb = new ServerBootstrap()
                .group(group)
                .channel(io.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, b.backlog)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(8 * 1024, 32 * 1024))
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        accept(ch);
                    }
                });
        InetSocketAddress at = new InetSocketAddress(b.host, b.port);
        ChannelFuture f = sb.bind(at).awaitUninterruptibly();
        if (!f.isSuccess()) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            String msg = "bind " + Addresses.format(b.host, b.port) + " failed: " + Disconnects.message(f.cause());
            if (f.cause() instanceof java.io.IOException) {
                throw new UncheckedIOException(msg, (java.io.IOException) f.cause());
            }
            throw new IllegalStateException(msg, f.cause());
        }
        this.listener = f.channel();
        log.debug("heartbeat responder listening on {} ({})", listener.localAddress(), io.transportName());
    }

    /** A builder for a server answering with {@code responder}. */
    public static Builder builder(HeartbeatResponder responder) {
        return new Builder(responder);
    }

    private void accept(Channel ch) {
        if (closed) {
            ch.close();
            return;
        }
        int n = connections.incrementAndGet();
        if (n > maxConnections) {
            connections.decrementAndGet();
            stats.rejected.increment();
            long r = stats.rejected.sum();
            if (LogLimit.loud(r)) {
                log.warn("connection from {} refused: {} connections open (maxConnections {}); {} refused so far",
                        ch.remoteAddress(), n - 1, maxConnections, r);
            }
            ch.close();
            return;
        }
        stats.accepted.increment();
        ResponderConnection c = new ResponderConnection(this);
        ch.pipeline().addLast("framer", new FrameDecoder()).addLast("responder", c);
        open.add(c);
        ch.closeFuture().addListener(f -> {
            open.remove(c);
            connections.decrementAndGet();
        });
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** The bound address. */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) listener.localAddress();
    }

    /** "tcp/epoll" or "tcp/nio". */
    public String transportName() {
        return io.transportName();
    }

    /** Connections open now. */
    public int connectionCount() {
        return connections.get();
    }

    /** Counters since bind. */
    public Stats stats() {
        return new Stats(stats.accepted.sum(), stats.rejected.sum(), stats.evicted.sum(), stats.idleTimeouts.sum(),
                stats.protocolErrors.sum(), stats.resets.sum(), stats.dropped.sum());
    }

    /** The responder. */
    public HeartbeatResponder responder() {
        return responder;
    }

    /**
     * Closes now: stops listening and closes every connection (FIN, so monitors see
     * CLOSED_BY_PEER and mark this peer DEAD at once), then stops the event loops. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        listener.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        for (ResponderConnection c : new ArrayList<>(open)) {
            c.channel().eventLoop().execute(() -> c.close(false));
        }
        awaitConnectionsClosed(TimeUnit.SECONDS.toNanos(2));
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /**
     * Leaves politely: stops listening, sends GOODBYE (with {@code comeBackAfter} as advice) on
     * every connection so monitors mark this peer UNUSABLE at once, shuts down output (FIN), waits
     * up to the close grace for clients to close, hard-closes (SO_LINGER 0) whatever is left, and
     * stops the event loops. Blocks until done. Idempotent.
     */
    public void closeGracefully(Duration comeBackAfter) {
        if (closed) {
            return;
        }
        closed = true;
        listener.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        List<ResponderConnection> now = new ArrayList<>(open);
        for (ResponderConnection c : now) {
            c.channel().eventLoop().execute(() -> c.goodbye(comeBackAfter));
        }
        if (!awaitConnectionsClosed(closeGraceNanos + TimeUnit.SECONDS.toNanos(2))) {
            log.warn("{} connections still open after the close grace; stopping anyway", connections.get());
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    private boolean awaitConnectionsClosed(long nanos) {
        long deadline = System.nanoTime() + nanos;
        for (ResponderConnection c : new ArrayList<>(open)) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !c.channel().closeFuture().awaitUninterruptibly(left, TimeUnit.NANOSECONDS)) {
                return false;
            }
        }
        return true;
    }

    int evictAfterMissedPings() {
        return evictAfterMissedPings;
    }

    /**
     * How long a client that advertised {@code intervalMillis} may stay silent before eviction;
     * 0 when eviction is off.
     */
    long evictWindowNanos(int intervalMillis) {
        if (evictAfterMissedPings == 0) {
            return 0;
        }
        long interval = intervalMillis > 0 ? intervalMillis * 1_000_000L : idleTimeoutNanos;
        return Math.min(maxEvictWindowNanos, evictAfterMissedPings * interval);
    }

    long idleTimeoutNanos() {
        return idleTimeoutNanos;
    }

    long closeGraceNanos() {
        return closeGraceNanos;
    }

    @Override
    public String toString() {
        return "TcpResponderServer{" + transportName() + " " + listener.localAddress() + ", connections="
                + connectionCount() + "}";
    }

    /**
     * Counters since bind.
     *
     * @param accepted       connections accepted
     * @param rejected       connections refused over {@code maxConnections}
     * @param evicted        clients evicted for not pinging
     * @param idleTimeouts   connections closed for sending no PING within the idle timeout
     * @param protocolErrors connections closed for invalid bytes or frames
     * @param resets         connections reset by the client
     * @param dropped        PONGs dropped because the client was not reading
     */
    public record Stats(long accepted, long rejected, long evicted, long idleTimeouts, long protocolErrors,
            long resets, long dropped) {
    }

    static final class Counters {
        final LongAdder accepted = new LongAdder();
        final LongAdder rejected = new LongAdder();
        final LongAdder evicted = new LongAdder();
        final LongAdder idleTimeouts = new LongAdder();
        final LongAdder protocolErrors = new LongAdder();
        final LongAdder resets = new LongAdder();
        final LongAdder dropped = new LongAdder();
    }

    /** Validating builder; every setter checks its value and names it in the error. */
    public static final class Builder {
        private final HeartbeatResponder responder;
        private String host = "0.0.0.0";
        private int port;
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private int evictAfterMissedPings = DEFAULT_EVICT_AFTER_MISSED_PINGS;
        private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
        private Duration maxEvictWindow = DEFAULT_MAX_EVICT_WINDOW;
        private Duration closeGrace = DEFAULT_CLOSE_GRACE;
        private int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        private int backlog = 1024;
        private boolean preferNio;

        private Builder(HeartbeatResponder responder) {
            this.responder = Objects.requireNonNull(responder, "responder");
        }

        /** Interface to listen on (default "0.0.0.0": all IPv4 interfaces; "::" for all, "127.0.0.1" for local only). */
        public Builder host(String host) {
            if (host == null || host.isBlank()) {
                throw Checks.bad("host", "'" + host + "'", "an interface address or name");
            }
            this.host = host;
            return this;
        }

        /** Port, 0..65535; 0 picks a free ephemeral port (see {@link TcpResponderServer#port()}). */
        public Builder port(int port) {
            this.port = Checks.range("port", port, 0, 65535);
            return this;
        }

        /** Connection limit, 1..1,000,000 (default 10,000). */
        public Builder maxConnections(int n) {
            this.maxConnections = Checks.range("maxConnections", n, 1, 1_000_000);
            return this;
        }

        /** Evict a client after this many of its advertised intervals without a PING, 2..1000, or 0 to never evict (default 10). */
        public Builder evictAfterMissedPings(int k) {
            if (k != 0 && (k < 2 || k > 1000)) {
                throw Checks.bad("evictAfterMissedPings", k, "0 or 2..1000");
            }
            this.evictAfterMissedPings = k;
            return this;
        }

        /** Time a new connection has to send its first PING, 10 ms..1 h (default 10 s). */
        public Builder idleTimeout(Duration d) {
            this.idleTimeout = Checks.range("idleTimeout", d, Duration.ofMillis(10), Duration.ofHours(1));
            return this;
        }

        /**
         * Longest silence any client is allowed before eviction, whatever interval it advertised,
         * 1 s..24 h (default 1 h).
         */
        public Builder maxEvictWindow(Duration d) {
            this.maxEvictWindow = Checks.range("maxEvictWindow", d, Duration.ofSeconds(1), Duration.ofHours(24));
            return this;
        }

        /** How long {@link #closeGracefully} (and a half-closing client) may take before a hard close, 0..10 min (default 2 s). */
        public Builder closeGrace(Duration d) {
            this.closeGrace = Checks.range("closeGrace", d, Duration.ZERO, Duration.ofMinutes(10));
            return this;
        }

        /** Event loop threads (accept + I/O), 1..1024 (default min(4, cores)). */
        public Builder eventLoopThreads(int threads) {
            this.threads = Checks.range("eventLoopThreads", threads, 1, 1024);
            return this;
        }

        /** Listen backlog, 1..65535 (default 1024). */
        public Builder backlog(int backlog) {
            this.backlog = Checks.range("backlog", backlog, 1, 65535);
            return this;
        }

        /** Use NIO even where epoll is available (default false). */
        public Builder preferNio(boolean preferNio) {
            this.preferNio = preferNio;
            return this;
        }

        /**
         * Binds and starts serving.
         *
         * @throws UncheckedIOException naming the address and the OS's reason when binding fails
         */
        public TcpResponderServer bind() {
            return new TcpResponderServer(this);
        }
    }
}
