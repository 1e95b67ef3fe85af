package dev.heartbeat.tcp;

import dev.heartbeat.engine.spi.ResponderServer;
import dev.heartbeat.internal.Checks;
import dev.heartbeat.engine.HeartbeatResponder;
import dev.heartbeat.protocol.FrameDecodeException;
import dev.heartbeat.tcp.internal.Addresses;
import dev.heartbeat.tcp.internal.Disconnects;
import dev.heartbeat.tcp.internal.FloodGuard;
import dev.heartbeat.tcp.internal.FrameDecoder;
import dev.heartbeat.tcp.internal.IdlestChoice;
import dev.heartbeat.tcp.internal.NettyIo;
import dev.heartbeat.tcp.internal.ReasonLog;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
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
 *   <li>at most {@code maxConnectionsPerSource} connections from one remote IP; more from it are
 *       refused at once;</li>
 *   <li>at most {@code maxConnections} connections; when full, the idlest connection (longest
 *       since its last PING, or since its accept if it never sent one) is closed to make room for
 *       the newcomer, so a client that grabbed slots and went quiet cannot lock out live monitors;</li>
 *   <li>at most {@code maxPingRate} frames per second per connection, after a burst of
 *       {@code pingBurst} (a token bucket; when the responder advertises a minimum interval M and
 *       {@code pingRateFollowsMinInterval} is on, the rate is at most
 *       {@value #ADVICE_HEADROOM} / M). Frames over the rate are dropped unanswered and counted; a
 *       connection over the rate for {@code floodCloseAfter} is closed (RST);</li>
 *   <li>a frame longer than {@value dev.heartbeat.protocol.FrameCodec#MAX_FRAME_LENGTH} bytes, bad
 *       magic, or an undecodable frame closes the connection with a logged reason;</li>
 *   <li>a connection that sends no PING within {@code idleTimeout} is closed;</li>
 *   <li>a client that stops pinging for {@code evictAfterMissedPings} × the interval its last
 *       PING advertised is evicted (crashed, frozen or partitioned clients); a PING that
 *       advertises no interval (0) counts as advertising {@code idleTimeout}, and the window never
 *       exceeds {@code maxEvictWindow}, so no PING can exempt a client from eviction;</li>
 *   <li>PONGs to a client that does not read (channel unwritable) are dropped, not queued;</li>
 *   <li>once closing, no PING is answered: a leaving server sends GOODBYE and nothing else.</li>
 * </ul>
 * Thread-safe.
 */
public final class TcpResponderServer implements ResponderServer {

    private static final Logger log = LoggerFactory.getLogger(TcpResponderServer.class);

    /**
     * Default connection limit: room for every monitor of a cluster of ten thousand nodes that all
     * watch each other (the scale one monitor JVM is sized for), three times over. At the measured
     * ≈1.5 KB of heap, ≈4.6 KB of RSS and ≈5 KB of kernel memory per idle connection, a full server
     * holds about 360 MB; lower it where that is too much.
     */
    public static final int DEFAULT_MAX_CONNECTIONS = 32_768;
    /**
     * Default listen backlog: ten thousand monitors reconnecting at once after a restart of this
     * server arrive faster than it accepts (Linux caps it at net.core.somaxconn, 4096 by default).
     */
    public static final int DEFAULT_BACKLOG = 4096;
    /** Default number of missed PING intervals before a client is evicted. */
    public static final int DEFAULT_EVICT_AFTER_MISSED_PINGS = 10;
    /** Default time a new connection has to send its first PING. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(10);
    /** Default cap of the eviction window, whatever interval a client advertises. */
    public static final Duration DEFAULT_MAX_EVICT_WINDOW = Duration.ofHours(1);
    /** Default time {@link #closeGracefully} waits for clients to close before a hard close. */
    public static final Duration DEFAULT_CLOSE_GRACE = Duration.ofSeconds(2);
    /** Default connection limit per remote IP. */
    public static final int DEFAULT_MAX_CONNECTIONS_PER_SOURCE = 256;
    /**
     * Default PING rate limit per connection, per second: twice what the fastest monitor the
     * monitor's configuration allows (1 ms interval or probe interval) sends, so it never touches
     * an honest monitor.
     */
    public static final double DEFAULT_MAX_PING_RATE = 2_000;
    /** Default number of PINGs a connection may send back to back (after a quiet spell, or our own stall). */
    public static final int DEFAULT_PING_BURST = 200;
    /** Default time a connection may stay over the PING rate before it is closed. */
    public static final Duration DEFAULT_FLOOD_CLOSE_AFTER = Duration.ofSeconds(5);
    /**
     * With a responder advice of minimum interval M, a connection may sustain this many PINGs per
     * M (timer jitter and a SUSPECT probe must never be dropped).
     */
    public static final int ADVICE_HEADROOM = 2;
    /** Drops this far apart belong to separate excesses (see {@code floodCloseAfter}). */
    static final long FLOOD_GAP_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final HeartbeatResponder responder;
    private final NettyIo io;
    private final MultiThreadIoEventLoopGroup group;
    private final Channel listener;
    private final int maxConnections;
    private final int evictAfterMissedPings;
    private final long idleTimeoutNanos;
    private final long maxEvictWindowNanos;
    private final long closeGraceNanos;
    private final int maxConnectionsPerSource;
    private final long pingPeriodNanos;
    private final int pingBurst;
    private final boolean pingRateFollowsMinInterval;
    private final long floodCloseAfterNanos;
    private final AtomicInteger connections = new AtomicInteger();
    private final Set<ResponderConnection> open = ConcurrentHashMap.newKeySet();
    private final Map<InetAddress, Integer> bySource = new ConcurrentHashMap<>();
    final Counters stats = new Counters();
    /** Warnings a client can cause, at most one per reason per 10 s (the counters hold the totals). */
    final ReasonLog logs = new ReasonLog(ReasonLog.DEFAULT_PERIOD_NANOS);
    private volatile boolean closed;

    private TcpResponderServer(Builder b) {
        this.responder = b.responder;
        this.io = b.preferNio ? NettyIo.NIO : NettyIo.best();
        this.maxConnections = b.maxConnections;
        this.evictAfterMissedPings = b.evictAfterMissedPings;
        this.idleTimeoutNanos = b.idleTimeout.toNanos();
        this.maxEvictWindowNanos = b.maxEvictWindow.toNanos();
        this.closeGraceNanos = b.closeGrace.toNanos();
        this.maxConnectionsPerSource = b.maxConnectionsPerSource;
        this.pingPeriodNanos = FloodGuard.periodOf(b.maxPingRate);
        this.pingBurst = b.pingBurst;
        this.pingRateFollowsMinInterval = b.pingRateFollowsMinInterval;
        this.floodCloseAfterNanos = b.floodCloseAfter.toNanos();
        this.group = io.newGroup(b.threads, "heartbeat-tcp-server");
        ServerBootstrap sb = new ServerBootstrap()
                .group(group)
                .channel(io.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, b.backlog)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(8 * 1024, 32 * 1024))
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, dev.heartbeat.tcp.internal.ChannelOptions.RECV_ALLOCATOR)
                .handler(new AcceptFailures())
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
        io.logOnce();
        log.debug("heartbeat responder listening on {} ({})", listener.localAddress(), io.transportName());
    }

    /** A builder for a server answering with {@code responder}. */
    public static Builder builder(HeartbeatResponder responder) {
        return new Builder(responder);
    }

    /** On the new channel's event loop, before it reads anything. */
    private void accept(Channel ch) {
        if (closed) {
            ch.close();
            return;
        }
        InetAddress source = sourceOf(ch.remoteAddress());
        if (source != null && bySource.merge(source, 1, Integer::sum) > maxConnectionsPerSource) {
            releaseSource(source);
            stats.refusedPerSource.increment();
            long r = stats.refusedPerSource.sum();
            long skipped = logs.admit("refused per source", ch.eventLoop().ticker().nanoTime());
            if (skipped >= 0) {
                log.warn("connection from {} refused: {} connections from this address (maxConnectionsPerSource {}); "
                        + "{} refused so far{}", ch.remoteAddress(), maxConnectionsPerSource, maxConnectionsPerSource, r,
                        ReasonLog.skipped(skipped));
            }
            ch.close();
            return;
        }
        int n = connections.incrementAndGet();
        if (n > maxConnections && !evictIdlestFor(ch)) {
            connections.decrementAndGet();
            releaseSource(source);
            stats.rejected.increment();
            long r = stats.rejected.sum();
            long skipped = logs.admit("refused at the limit", ch.eventLoop().ticker().nanoTime());
            if (skipped >= 0) {
                log.warn("connection from {} refused: {} connections open (maxConnections {}) and none to evict; "
                        + "{} refused so far{}", ch.remoteAddress(), n - 1, maxConnections, r, ReasonLog.skipped(skipped));
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
            releaseSource(source);
        });
    }

    /**
     * Full: closes the idlest connection to make room for {@code newcomer}. One O(n) scan over
     * the open connections (n ≤ maxConnections), only when full. Each victim is claimed once, so
     * concurrent accepts on different loops pick different victims; the count may exceed the limit
     * by the evictions still in flight, for the microseconds they take.
     */
    private boolean evictIdlestFor(Channel newcomer) {
        long now = newcomer.eventLoop().ticker().nanoTime();
        for (int attempt = 0; attempt < 4; attempt++) {
            ResponderConnection victim = IdlestChoice.idlest(open, now);
            if (victim == null) {
                return false;
            }
            if (victim.claim()) {
                stats.evictedAtLimit.increment();
                long e = stats.evictedAtLimit.sum();
                long idleMs = (now - victim.lastActiveNanos()) / 1_000_000;
                long skipped = logs.admit("evicted at the limit", now);
                if (skipped >= 0) {
                    log.warn("connection limit {} reached: closing the idlest connection, {} (quiet for {} ms), "
                            + "for {}; {} evicted at the limit so far{}", maxConnections, victim.channel().remoteAddress(),
                            idleMs, newcomer.remoteAddress(), e, ReasonLog.skipped(skipped));
                } else {
                    log.debug("connection limit {} reached: closing {} (quiet for {} ms) for {}", maxConnections,
                            victim.channel().remoteAddress(), idleMs, newcomer.remoteAddress());
                }
                victim.channel().eventLoop().execute(victim::evictForNewcomer);
                return true;
            }
        }
        return false;
    }

    private static InetAddress sourceOf(SocketAddress a) {
        return a instanceof InetSocketAddress ? ((InetSocketAddress) a).getAddress() : null;
    }

    private void releaseSource(InetAddress source) {
        if (source != null) {
            bySource.computeIfPresent(source, (k, v) -> v <= 1 ? null : v - 1);
        }
    }

    /** Counts (and rate-limits the logs of) failures of the listener: accept errors such as EMFILE. */
    private final class AcceptFailures extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            stats.acceptFailures.increment();
            long n = stats.acceptFailures.sum();
            long skipped = logs.admit("accept failure", ctx.executor().ticker().nanoTime());
            if (skipped >= 0) {
                log.warn("accepting a connection failed: {}; {} accept failures so far{}", Disconnects.message(cause), n,
                        ReasonLog.skipped(skipped));
            }
            ctx.fireExceptionCaught(cause); // Netty's acceptor then pauses accepting for a second
        }
    }

    /** The bound port (useful with port 0). */
    @Override
    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** The bound address. */
    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) listener.localAddress();
    }

    /** "tcp/epoll" or "tcp/nio". */
    @Override
    public String transportName() {
        return io.transportName();
    }

    /**
     * True once {@link #close()} or {@link #closeGracefully} began. From then on no PONG is sent,
     * only GOODBYE: a PING answered while the server leaves (one that waited behind a stalled
     * event loop, say) would show monitors a peer that is up for the moment before it is gone.
     */
    @Override
    public boolean closing() {
        return closed;
    }

    /** Connections open now. */
    public int connectionCount() {
        return connections.get();
    }

    /** Counters since bind. */
    public Stats stats() {
        return new Stats(stats.accepted.sum(), stats.rejected.sum(), stats.evicted.sum(), stats.idleTimeouts.sum(),
                stats.protocolErrors.sum(), stats.resets.sum(), stats.dropped.sum(), stats.refusedPerSource.sum(),
                stats.evictedAtLimit.sum(), stats.pingsDropped.sum(), stats.floodCloses.sum(),
                stats.acceptFailures.sum());
    }

    /**
     * Frames and streams refused as invalid since bind, by reason (only reasons that occurred):
     * bytes that are not our protocol ({@code BAD_MAGIC}, also another protocol's greeting), frames
     * too large, of another version, or that do not decode. Their sum is
     * {@link Stats#protocolErrors()}.
     */
    public Map<FrameDecodeException.Reason, Long> rejectedFrames() {
        Map<FrameDecodeException.Reason, Long> m = new EnumMap<>(FrameDecodeException.Reason.class);
        for (FrameDecodeException.Reason r : REASONS) {
            long n = stats.rejectedByReason.get(r.ordinal());
            if (n > 0) {
                m.put(r, n);
            }
        }
        return m;
    }

    /** Connections open now from {@code address} (counted against {@code maxConnectionsPerSource}). */
    public int connectionCount(InetAddress address) {
        return bySource.getOrDefault(address, 0);
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
    @Override
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

    /** A new connection's PING rate limit, at the configured rate until its first PONG tells the advice. */
    FloodGuard newPingGuard(long now) {
        return new FloodGuard(pingPeriodNanos, pingBurst, floodCloseAfterNanos, FLOOD_GAP_NANOS, now);
    }

    /**
     * The cost of one PING in nanoseconds (1 s / rate): {@code maxPingRate}, lowered to
     * {@value #ADVICE_HEADROOM} per advertised minimum interval when the responder advertises one
     * and {@code pingRateFollowsMinInterval} is on.
     */
    long pingPeriodNanos(int advisedMinIntervalMillis) {
        if (!pingRateFollowsMinInterval || advisedMinIntervalMillis <= 0) {
            return pingPeriodNanos;
        }
        return Math.max(pingPeriodNanos, advisedMinIntervalMillis * 1_000_000L / ADVICE_HEADROOM);
    }

    int pingBurst() {
        return pingBurst;
    }

    long floodCloseAfterNanos() {
        return floodCloseAfterNanos;
    }

    @Override
    public String toString() {
        return "TcpResponderServer{" + transportName() + " " + listener.localAddress() + ", connections="
                + connectionCount() + "}";
    }

    /**
     * Counters since bind.
     *
     * @param accepted         connections accepted
     * @param rejected         connections refused at {@code maxConnections} because no open one
     *                         could be evicted (all closing already)
     * @param evicted          clients evicted for not pinging (reason: silent)
     * @param idleTimeouts     connections closed for sending no PING within the idle timeout
     * @param protocolErrors   connections closed for invalid bytes or frames
     * @param resets           connections reset by the client
     * @param dropped          PONGs dropped because the client was not reading
     * @param refusedPerSource connections refused because their remote IP already had
     *                         {@code maxConnectionsPerSource} open
     * @param evictedAtLimit   idlest connections closed to make room for a newcomer at
     *                         {@code maxConnections} (reason: server full)
     * @param pingsDropped     inbound frames dropped unanswered over the per-connection PING rate
     * @param floodCloses      connections closed for staying over the PING rate for
     *                         {@code floodCloseAfter} (reason: flooding)
     * @param acceptFailures   errors of the listening socket while accepting (e.g. "Too many open
     *                         files"); Netty pauses accepting for 1 s after each
     */
    public record Stats(long accepted, long rejected, long evicted, long idleTimeouts, long protocolErrors,
            long resets, long dropped, long refusedPerSource, long evictedAtLimit, long pingsDropped,
            long floodCloses, long acceptFailures) {
    }

    static final class Counters {
        final LongAdder accepted = new LongAdder();
        final LongAdder rejected = new LongAdder();
        final LongAdder evicted = new LongAdder();
        final LongAdder idleTimeouts = new LongAdder();
        final LongAdder protocolErrors = new LongAdder();
        final LongAdder resets = new LongAdder();
        final LongAdder dropped = new LongAdder();
        final LongAdder refusedPerSource = new LongAdder();
        final LongAdder evictedAtLimit = new LongAdder();
        final LongAdder pingsDropped = new LongAdder();
        final LongAdder floodCloses = new LongAdder();
        final LongAdder acceptFailures = new LongAdder();
        /** Protocol errors by {@link FrameDecodeException.Reason} ordinal. */
        final AtomicLongArray rejectedByReason = new AtomicLongArray(REASONS.length);

        /** One protocol error: counted in total and under its reason (null: a stream error of no known reason). */
        void protocolError(FrameDecodeException.Reason reason) {
            protocolErrors.increment();
            if (reason != null) {
                rejectedByReason.incrementAndGet(reason.ordinal());
            }
        }
    }

    private static final FrameDecodeException.Reason[] REASONS = FrameDecodeException.Reason.values();

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
        private int backlog = DEFAULT_BACKLOG;
        private boolean preferNio;
        private int maxConnectionsPerSource = DEFAULT_MAX_CONNECTIONS_PER_SOURCE;
        private double maxPingRate = DEFAULT_MAX_PING_RATE;
        private int pingBurst = DEFAULT_PING_BURST;
        private boolean pingRateFollowsMinInterval;
        private Duration floodCloseAfter = DEFAULT_FLOOD_CLOSE_AFTER;

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

        /**
         * Connection limit, 1..1,000,000 (default 32,768). When full, the idlest open connection
         * is closed for each newcomer ({@link Stats#evictedAtLimit()}).
         */
        public Builder maxConnections(int n) {
            this.maxConnections = Checks.range("maxConnections", n, 1, 1_000_000);
            return this;
        }

        /**
         * Connection limit per remote IP address, 1..1,000,000 (default 256). More connections
         * from that address are refused at once (counted in {@link Stats#refusedPerSource()}).
         * Clients behind one NAT share an address: raise it for them.
         */
        public Builder maxConnectionsPerSource(int n) {
            this.maxConnectionsPerSource = Checks.range("maxConnectionsPerSource", n, 1, 1_000_000);
            return this;
        }

        /**
         * PINGs per second one connection may sustain, 1..1,000,000 (default 2,000: twice the
         * fastest honest monitor, which pings at most every 1 ms). Frames over it are dropped
         * unanswered ({@link Stats#pingsDropped()}).
         */
        public Builder maxPingRate(double perSecond) {
            this.maxPingRate = FloodGuard.checkRate("maxPingRate", perSecond);
            return this;
        }

        /** PINGs one connection may send back to back above the rate, 1..100,000 (default 200). */
        public Builder pingBurst(int n) {
            this.pingBurst = Checks.range("pingBurst", n, 1, 100_000);
            return this;
        }

        /**
         * When the responder advertises a minimum interval M, lower the rate to
         * {@value TcpResponderServer#ADVICE_HEADROOM} PINGs per M (never above
         * {@code maxPingRate}). Default false: monitors bound the advice they follow (ours clip it to
         * {@code MonitorConfig.maxAdvisedInterval}, 10 × their interval by default, so that no peer
         * can stretch detection), and enforcing the advice strictly would drop the PINGs of such
         * an honest monitor and make it declare this responder dead. Turn it on only when every
         * monitor follows the advice in full.
         */
        public Builder pingRateFollowsMinInterval(boolean follow) {
            this.pingRateFollowsMinInterval = follow;
            return this;
        }

        /**
         * Close a connection that stays over the PING rate (drops less than 1 s apart) this long,
         * 1 s..1 h, or 0 never to close (default 5 s). Counted in {@link Stats#floodCloses()}.
         */
        public Builder floodCloseAfter(Duration d) {
            this.floodCloseAfter = FloodGuard.checkCloseAfter(d);
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

        /** Listen backlog, 1..65535 (default 4096; the kernel caps it at net.core.somaxconn). */
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
