package dev.heartbeat.tcp;


import dev.heartbeat.internal.Checks;
import dev.heartbeat.internal.ThreadedList;
import dev.heartbeat.engine.spi.ClientTransport;
import dev.heartbeat.engine.spi.Link;
import dev.heartbeat.engine.spi.LinkHandler;
import dev.heartbeat.engine.spi.ReconnectBackoff;
import dev.heartbeat.tcp.internal.Addresses;
import dev.heartbeat.tcp.internal.FloodGuard;
import dev.heartbeat.tcp.internal.NettyIo;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import java.time.Duration;
import java.util.Objects;
import java.util.Random;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The monitor side of heartbeats over TCP (Netty): one {@link Bootstrap}, one event loop group,
 * one connection per peer.
 *
 * <pre>{@code
 * try (TcpClientTransport tcp = TcpClientTransport.create();
 *      HeartbeatMonitor monitor = HeartbeatMonitor.builder(tcp).build()) {
 *     Peer orders = monitor.addPeer("orders", "10.0.0.7:7070");   // or "[::1]:7070"
 * }
 * }</pre>
 *
 * <h2>What a link does</h2>
 * <ul>
 *   <li>Each link is bound to one event loop: the peer's state, its timers and its channel's I/O
 *       all run there, so the loop is the connection's single writer and nothing takes a lock.</li>
 *   <li>It connects at once, and after every failure or loss reconnects with
 *       {@link ReconnectBackoff}: full jitter, a cap, a reset after a stable period, so monitors
 *       that lost the same restarted responder spread out instead of stampeding it.</li>
 *   <li>It reports losses with their cause, at the first sign: {@code RESET} ("Connection reset",
 *       "Broken pipe"), {@code CLOSED_BY_PEER} (FIN), {@code CONNECT_FAILED} (with the OS's
 *       words, e.g. "Connection refused"), {@code PROTOCOL_ERROR} (bytes that are not frames:
 *       the connection is closed). The monitor turns these into DEAD without waiting.</li>
 *   <li>Sockets: TCP_NODELAY (Nagle + delayed ACK would distort RTT), half-closure allowed, no
 *       SO_REUSEADDR (clients don't need it), write-buffer water marks so a peer that stops
 *       reading makes the link unwritable, and optionally tuned keepalive ({@link KeepaliveTuner}).</li>
 *   <li>Inbound frames are rate-limited per link (a token bucket, {@code maxInboundFrameRate}
 *       after a burst of {@code inboundFrameBurst}): a peer flooding frames cannot keep the event
 *       loop — shared with other peers — busy decoding them. Frames over the rate are dropped
 *       unread and counted ({@link #stats()}); a peer over the rate for {@code floodCloseAfter}
 *       loses its connection ({@code PROTOCOL_ERROR}, "inbound frame flood") and the link
 *       reconnects with backoff. An honest responder sends one PONG per PING, far below the
 *       default.</li>
 * </ul>
 * Epoll is used when the native transport loads ({@link #name()} says "tcp/epoll"), NIO otherwise
 * ("tcp/nio"). Thread-safe.
 */
public final class TcpClientTransport implements ClientTransport {

    /** Default connect timeout. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /** Default low water mark: writable again below this many queued bytes. */
    public static final int DEFAULT_WRITE_BUFFER_LOW = 8 * 1024;
    /** Default high water mark: unwritable above this many queued bytes. */
    public static final int DEFAULT_WRITE_BUFFER_HIGH = 32 * 1024;
    /**
     * Default inbound frame rate limit per link, per second: five times the PONGs the fastest
     * monitor (1 ms interval) can ask for.
     */
    public static final double DEFAULT_MAX_INBOUND_FRAME_RATE = 5_000;
    /** Default number of inbound frames a link takes back to back above the rate. */
    public static final int DEFAULT_INBOUND_FRAME_BURST = 500;
    /** Default time a peer may stay over the inbound frame rate before its connection is closed. */
    public static final Duration DEFAULT_FLOOD_CLOSE_AFTER = Duration.ofSeconds(5);
    /** Drops this far apart belong to separate floods. */
    static final long FLOOD_GAP_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final NettyIo io;
    private final MultiThreadIoEventLoopGroup group;
    private final Bootstrap bootstrap;
    private final Builder config;
    /**
     * The open links, as a list threaded through the links themselves ({@link TcpLink#prevLink},
     * {@link TcpLink#nextLink}): two fields a link instead of a hash-set node and a table slot.
     * Guarded by itself; links are added and removed only when opened and closed.
     */
    private final ThreadedList<TcpLink> links = new ThreadedList<>(e -> e.prevLink, e -> e.nextLink,
            (e, p) -> e.prevLink = p, (e, n) -> e.nextLink = n);
    /** One scheduler (and timer queue) per event loop, shared by the loop's links. */
    private final java.util.Map<EventLoop, LinkLoop> schedulers = new ConcurrentHashMap<>();
    /** Name lookups run here, never on an event loop (they may block for seconds). */
    private final ThreadPoolExecutor resolver;
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile boolean closed;
    final LongAdder framesDropped = new LongAdder();
    final LongAdder floodCloses = new LongAdder();
    /** The jitter of every link's reconnect delays: the builder's, or one for the whole transport. */
    private final Random random;
    /** 1 s / {@code maxInboundFrameRate}: frames at least this far apart never need a link's flood guard. */
    private final long inboundPeriodNanos;

    private TcpClientTransport(Builder b) {
        this.config = b.copy();
        this.random = config.random != null ? config.random : new Random();
        this.inboundPeriodNanos = FloodGuard.periodOf(config.inboundRate);
        this.io = b.preferNio ? NettyIo.NIO : NettyIo.best();
        this.group = io.newGroup(b.threads, "heartbeat-tcp-client");
        this.resolver = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "heartbeat-tcp-resolver");
            t.setDaemon(true);
            return t;
        });
        this.resolver.allowCoreThreadTimeOut(true);
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(io.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 0) // the link times its connects itself
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(b.low, b.high))
                .option(ChannelOption.RCVBUF_ALLOCATOR, dev.heartbeat.tcp.internal.ChannelOptions.RECV_ALLOCATOR);
        io.logOnce();
    }

    /**
     * The scheduler of one event loop's links (one timer queue for them all), which also knows
     * the transport: a link keeps one reference for both.
     */
    static final class LinkLoop extends dev.heartbeat.tcp.internal.EventLoopScheduler {
        final TcpClientTransport transport;

        LinkLoop(TcpClientTransport transport, EventLoop loop) {
            super(loop, true);
            this.transport = transport;
        }
    }

    /** A link's reconnect backoff, made at its first loss. */
    ReconnectBackoff newBackoff() {
        return new ReconnectBackoff(config.reconnectBase, config.reconnectCap, config.reconnectStable, random);
    }

    /** A transport with the defaults. */
    public static TcpClientTransport create() {
        return builder().build();
    }

    /** A validating builder. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * {@inheritDoc}
     *
     * @param address {@code host:port} or {@code [ipv6]:port}; resolved on every connect
     */
    @Override
    public Link open(String address, LinkHandler handler) {
        Addresses.parse(address); // checks it now, with its errors; the link parses it again at each dial
        Objects.requireNonNull(handler, "handler");
        if (closed) {
            throw new IllegalStateException("transport " + name() + " is closed");
        }
        EventLoop loop = (EventLoop) group.next();
        TcpLink link = new TcpLink(schedulers.computeIfAbsent(loop, l -> new LinkLoop(this, l)), address.trim(), handler);
        synchronized (links) {
            links.add(link);
        }
        try {
            link.begin();
        } catch (RejectedExecutionException e) { // close() ran concurrently and stopped the loops
            forget(link);
            throw new IllegalStateException("transport " + name() + " is closed");
        }
        if (closed) { // close() ran concurrently and may have missed this link
            link.close();
            throw new IllegalStateException("transport " + name() + " is closed");
        }
        return link;
    }

    /** "tcp/epoll" or "tcp/nio". */
    @Override
    public String name() {
        return io.transportName();
    }

    /** Links open now. */
    public int linkCount() {
        synchronized (links) {
            return links.size();
        }
    }

    /** Counters since the transport was built, over all its links. */
    public Stats stats() {
        return new Stats(framesDropped.sum(), floodCloses.sum());
    }

    /**
     * Counters of a {@link TcpClientTransport}.
     *
     * @param framesDropped inbound frames dropped unread over {@code maxInboundFrameRate}
     * @param floodCloses   connections closed for staying over that rate for {@code floodCloseAfter}
     */
    public record Stats(long framesDropped, long floodCloses) {
    }

    /**
     * Closes every link, then stops the event loops (waiting up to 5 s). Idempotent. Close the
     * monitors using this transport first: once the loops are stopped their tasks are dropped.
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        closed = true;
        List<TcpLink> open;
        synchronized (links) {
            open = links.toList();
        }
        for (TcpLink l : open) {
            l.close();
        }
        resolver.shutdownNow();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    Executor resolver() {
        return resolver;
    }

    Bootstrap bootstrap() {
        return bootstrap;
    }

    KeepaliveTuner keepalive() {
        return config.keepalive;
    }

    /** Raw mode (for {@link KeepaliveTransport}): no framer, inbound bytes discarded. */
    boolean raw() {
        return config.raw;
    }

    /** Takes the link off the list of open links (once; later calls do nothing). */
    void forget(TcpLink link) {
        synchronized (links) {
            links.remove(link); // nothing when not (or no longer) on the list
        }
    }

    /** A connection's inbound frame limit, full at {@code now} (made when frames first come faster than the rate). */
    FloodGuard newInboundGuard(long now) {
        return new FloodGuard(inboundPeriodNanos, config.inboundBurst, config.floodCloseAfter.toNanos(), FLOOD_GAP_NANOS,
                now);
    }

    long connectTimeoutMillis() {
        return config.connectTimeout.toMillis();
    }

    long inboundPeriodNanos() {
        return inboundPeriodNanos;
    }

    double maxInboundFrameRate() {
        return config.inboundRate;
    }

    long floodCloseAfterNanos() {
        return config.floodCloseAfter.toNanos();
    }

    /** Validating builder; every setter checks its value and names it in the error. */
    public static final class Builder {
        private int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration reconnectBase = ReconnectBackoff.DEFAULT_BASE;
        private Duration reconnectCap = ReconnectBackoff.DEFAULT_CAP;
        private Duration reconnectStable = ReconnectBackoff.DEFAULT_STABLE_PERIOD;
        private Random random;
        private int low = DEFAULT_WRITE_BUFFER_LOW;
        private int high = DEFAULT_WRITE_BUFFER_HIGH;
        private KeepaliveTuner keepalive;
        private boolean preferNio;
        private boolean raw;
        private double inboundRate = DEFAULT_MAX_INBOUND_FRAME_RATE;
        private int inboundBurst = DEFAULT_INBOUND_FRAME_BURST;
        private Duration floodCloseAfter = DEFAULT_FLOOD_CLOSE_AFTER;

        private Builder() {
        }

        private Builder copy() {
            Builder c = new Builder();
            c.threads = threads;
            c.connectTimeout = connectTimeout;
            c.reconnectBase = reconnectBase;
            c.reconnectCap = reconnectCap;
            c.reconnectStable = reconnectStable;
            c.random = random;
            c.low = low;
            c.high = high;
            c.keepalive = keepalive;
            c.preferNio = preferNio;
            c.raw = raw;
            c.inboundRate = inboundRate;
            c.inboundBurst = inboundBurst;
            c.floodCloseAfter = floodCloseAfter;
            return c;
        }

        /** Event loop threads, 1..1024 (default min(4, cores)). Each link lives on one of them. */
        public Builder eventLoopThreads(int threads) {
            this.threads = Checks.range("eventLoopThreads", threads, 1, 1024);
            return this;
        }

        /** Connect timeout, 1 ms..5 min (default 2 s). */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = Checks.range("connectTimeout", timeout, Duration.ofMillis(1), Duration.ofMinutes(5));
            return this;
        }

        /**
         * Reconnection backoff (see {@link ReconnectBackoff}): windows start at {@code base},
         * double per failed attempt up to {@code cap}, and reset once a connection stayed up for
         * {@code stablePeriod}. Defaults 100 ms, 10 s, 5 s.
         */
        public Builder reconnect(Duration base, Duration cap, Duration stablePeriod) {
            new ReconnectBackoff(base, cap, stablePeriod, new Random(0)); // validates, with its messages
            this.reconnectBase = base;
            this.reconnectCap = cap;
            this.reconnectStable = stablePeriod;
            return this;
        }

        /**
         * The randomness of the jitter (tests pass a seeded one). Default: one {@code Random} for
         * all the transport's links ({@code Random} is thread-safe).
         */
        public Builder reconnectRandom(Random random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /**
         * Write-buffer water marks in bytes: the link turns unwritable above {@code high} queued
         * bytes and writable again below {@code low}. 1 ≤ low ≤ high ≤ 64 MiB (default 8 KiB / 32 KiB).
         */
        public Builder writeBufferWaterMark(int low, int high) {
            if (low < 1 || high < low || high > 64 * 1024 * 1024) {
                throw Checks.bad("writeBufferWaterMark", "low " + low + ", high " + high, "1 <= low <= high <= 67108864");
            }
            this.low = low;
            this.high = high;
            return this;
        }

        /** Also tune kernel keepalive on every connection (default: off; heartbeats need none). */
        public Builder keepalive(KeepaliveTuner tuner) {
            this.keepalive = Objects.requireNonNull(tuner, "keepalive");
            return this;
        }

        /**
         * Inbound frames per second one link takes, 1..1,000,000 (default 5,000); more are dropped
         * unread ({@link Stats#framesDropped()}).
         */
        public Builder maxInboundFrameRate(double perSecond) {
            this.inboundRate = FloodGuard.checkRate("maxInboundFrameRate", perSecond);
            return this;
        }

        /** Inbound frames one link takes back to back above the rate, 1..100,000 (default 500). */
        public Builder inboundFrameBurst(int n) {
            this.inboundBurst = Checks.range("inboundFrameBurst", n, 1, 100_000);
            return this;
        }

        /**
         * Close a connection whose peer stays over the inbound frame rate (drops less than 1 s
         * apart) this long, 1 s..1 h, or 0 never to close (default 5 s); the link then reconnects.
         * Counted in {@link Stats#floodCloses()}.
         */
        public Builder floodCloseAfter(Duration d) {
            this.floodCloseAfter = FloodGuard.checkCloseAfter(d);
            return this;
        }

        /** Use NIO even where epoll is available (default false). */
        public Builder preferNio(boolean preferNio) {
            this.preferNio = preferNio;
            return this;
        }

        /** Raw links: no framing, inbound bytes discarded (the keepalive fallback). */
        Builder raw(boolean raw) {
            this.raw = raw;
            return this;
        }

        public TcpClientTransport build() {
            return new TcpClientTransport(this);
        }
    }
}
