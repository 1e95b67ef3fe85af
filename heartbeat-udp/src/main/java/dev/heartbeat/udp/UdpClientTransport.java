package dev.heartbeat.udp;

import dev.heartbeat.engine.spi.ClientTransport;
import dev.heartbeat.engine.spi.Link;
import dev.heartbeat.engine.spi.LinkHandler;
import dev.heartbeat.engine.spi.ReconnectBackoff;
import dev.heartbeat.internal.Checks;
import dev.heartbeat.internal.ThreadedList;
import dev.heartbeat.internal.LogLimit;
import dev.heartbeat.protocol.FrameCodec;
import dev.heartbeat.udp.internal.Addresses;
import dev.heartbeat.udp.internal.TokenBucket;
import dev.heartbeat.udp.internal.UdpIo;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The monitor side of heartbeats over UDP (Netty): a few sockets for any number of peers.
 *
 * <pre>{@code
 * try (UdpClientTransport udp = UdpClientTransport.create();
 *      TcpClientTransport tcp = TcpClientTransport.create();
 *      HeartbeatMonitor monitor = HeartbeatMonitor.builder(tcp).transport("udp", udp).build()) {
 *     monitor.addPeer("orders", "10.0.0.7:7070");           // TCP, the default
 *     monitor.addPeer("cache", "udp://10.0.0.9:7071");      // UDP; IPv6: "udp://[fd00::9]:7071"
 * }
 * }</pre>
 *
 * <h2>Sockets</h2>
 * Each event loop owns one unconnected IPv4 socket and one IPv6 socket, bound to the wildcard
 * address and an ephemeral port when the transport is built; every link on that loop sends from
 * them, and replies are handed to the link whose remote address they came from. So 10,000 peers
 * use {@code 2 × eventLoopThreads} sockets, not 10,000. Only when two links of one loop point at
 * the same remote address (two peers of one responder) does the second get a socket of its own,
 * because replies are told apart by their source address. Datagrams from addresses no link points
 * at are dropped and counted ({@link Stats#unknownSource()}).
 *
 * <h2>What a link does</h2>
 * <ul>
 *   <li>It is "connected" once its address is known (at once for IP literals; after a lookup on
 *       the transport's resolver thread for names, repeated every {@code resolveInterval}, since a
 *       peer may move). UDP has no connection to lose: a stopped, frozen or unreachable peer is
 *       seen by the monitor's detector when its PONGs stop, within a few intervals.</li>
 *   <li>One frame per datagram, never more than {@code maxDatagramSize} bytes (508 by default, so
 *       no path fragments it); a larger frame is refused, logged with its size and the cap
 *       ({@code PING : 612 bytes (expected: <= maxLength 508)}) and counted
 *       ({@link Stats#oversizeRefused()}).</li>
 *   <li>Against amplification ({@code docs/protocol.md}, "UDP"), PINGs are padded to the length of
 *       the PONG they ask for ({@link Link#pingPaddingTo}): the first ones to
 *       {@code min(maxDatagramSize, 1024)}, then to the last PONG's length, or to the length that
 *       a reduced PONG says was withheld. Turn it off ({@code padPings(false)}) only when every
 *       responder authenticates.</li>
 *   <li>Inbound datagrams are rate-limited per link ({@code maxInboundFrameRate} after a burst of
 *       {@code inboundFrameBurst}); over it they are dropped unread and counted.</li>
 * </ul>
 * Epoll is used when the native transport loads ({@link #name()} says "udp/epoll"), NIO otherwise
 * ("udp/nio"). Thread-safe.
 */
public final class UdpClientTransport implements ClientTransport {

    private static final Logger log = LoggerFactory.getLogger(UdpClientTransport.class);

    /** Default largest datagram: 576 (the minimum reassembly size) − 60 (IP header with options) − 8 (UDP). */
    public static final int DEFAULT_MAX_DATAGRAM_SIZE = 508;
    /** Largest datagram allowed: 1500 (Ethernet MTU) − 20 (IPv4 header) − 8 (UDP). */
    public static final int MAX_DATAGRAM_SIZE = 1472;
    /** Smallest datagram cap allowed: the largest PING (290 bytes) with the largest trailer (66 bytes, a 64-byte tag). */
    public static final int MIN_DATAGRAM_SIZE = 356;
    /** Default inbound datagrams per second per link. */
    public static final double DEFAULT_MAX_INBOUND_FRAME_RATE = 5_000;
    /** Default inbound datagrams a link takes back to back above the rate. */
    public static final int DEFAULT_INBOUND_FRAME_BURST = 500;
    /** Default time between lookups of a peer's host name. */
    public static final Duration DEFAULT_RESOLVE_INTERVAL = Duration.ofSeconds(30);
    /** The receive buffer of every socket: a datagram longer than a frame can be is seen as such and dropped. */
    static final int RECEIVE_BUFFER = 2048;

    private final UdpIo io;
    private final MultiThreadIoEventLoopGroup group;
    private final Builder config;
    private final Map<EventLoop, LoopSockets> byLoop = new HashMap<>();
    /**
     * The open links, as a list threaded through the links themselves ({@link UdpLink#prevLink},
     * {@link UdpLink#nextLink}): two fields a link instead of a hash-set node and a table slot.
     * Guarded by itself; links are added and removed only when opened and closed.
     */
    private final ThreadedList<UdpLink> links = new ThreadedList<>(e -> e.prevLink, e -> e.nextLink,
            (e, p) -> e.prevLink = p, (e, n) -> e.nextLink = n);
    /** {@code maxDatagramSize}, read by every send. */
    final int maxDatagram;
    /** What the first PINGs are padded to: min(maxDatagramSize, the largest frame). */
    final int firstPadding;
    final boolean padPings;
    private final long inboundPeriodNanos;
    /** One scheduler (and timer queue) per event loop, shared by the loop's links. */
    private final java.util.Map<EventLoop, LinkLoop> schedulers = new ConcurrentHashMap<>();
    private final ThreadPoolExecutor resolver;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicInteger privateSockets = new AtomicInteger();
    private volatile boolean closed;
    final LongAdder framesDropped = new LongAdder();
    final LongAdder unknownSource = new LongAdder();
    final LongAdder oversizeRefused = new LongAdder();
    final LongAdder sendErrors = new LongAdder();
    final LongAdder datagramsSent = new LongAdder();
    final LongAdder bytesSent = new LongAdder();
    final LongAdder datagramsReceived = new LongAdder();
    final LongAdder bytesReceived = new LongAdder();
    /** The jitter of every link's lookup retries: the builder's, or one for the whole transport. */
    private final Random random;

    private UdpClientTransport(Builder b) {
        this.config = b.copy();
        this.random = config.random != null ? config.random : new Random();
        this.maxDatagram = config.maxDatagramSize();
        this.firstPadding = Math.min(maxDatagram, FrameCodec.MAX_FRAME_LENGTH);
        this.padPings = config.padPings();
        this.inboundPeriodNanos = TokenBucket.periodOf(config.inboundRate);
        this.io = b.preferNio ? UdpIo.NIO : UdpIo.best();
        if (b.maxDatagramSize > DEFAULT_MAX_DATAGRAM_SIZE) {
            log.warn("heartbeat-udp: maxDatagramSize {} > {}: datagrams may be fragmented on paths with a smaller MTU, "
                    + "and a lost fragment loses the heartbeat", b.maxDatagramSize, DEFAULT_MAX_DATAGRAM_SIZE);
        }
        this.group = io.newGroup(b.threads, "heartbeat-udp-client");
        this.resolver = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "heartbeat-udp-resolver");
            t.setDaemon(true);
            return t;
        });
        this.resolver.allowCoreThreadTimeOut(true);
        try {
            for (EventExecutor e : group) {
                EventLoop loop = (EventLoop) e;
                LoopSockets s = new LoopSockets();
                s.v4 = bindShared(loop, SocketProtocolFamily.INET, s);
                s.v6 = bindShared(loop, SocketProtocolFamily.INET6, s);
                if (s.v4 == null && s.v6 == null) {
                    throw new IllegalStateException("heartbeat-udp: no UDP socket could be bound: IPv4: " + s.v4Problem
                            + "; IPv6: " + s.v6Problem);
                }
                byLoop.put(loop, s);
            }
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            resolver.shutdownNow();
            throw e;
        }
        io.logOnce();
    }

    /** A transport with the defaults. */
    public static UdpClientTransport create() {
        return builder().build();
    }

    /** A validating builder. */
    public static Builder builder() {
        return new Builder();
    }

    private Socket bindShared(EventLoop loop, SocketProtocolFamily family, LoopSockets into) {
        Socket s = new Socket(this, true);
        String wildcard = family == SocketProtocolFamily.INET ? "0.0.0.0" : "::";
        ChannelFuture f = bootstrap(loop, family, s).bind(new InetSocketAddress(wildcard, 0)).awaitUninterruptibly();
        if (!f.isSuccess()) {
            String why = String.valueOf(f.cause());
            if (family == SocketProtocolFamily.INET) {
                into.v4Problem = why;
            } else {
                into.v6Problem = why;
            }
            log.debug("heartbeat-udp: no {} socket: {}", family, why);
            return null;
        }
        s.channel = f.channel();
        return s;
    }

    private Bootstrap bootstrap(EventLoop loop, SocketProtocolFamily family, Socket handler) {
        Bootstrap b = new Bootstrap().group(loop)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(RECEIVE_BUFFER))
                .handler(handler);
        return io.channel(b, family);
    }

    /**
     * {@inheritDoc}
     *
     * @param address {@code host:port} or {@code [ipv6]:port} (a {@code udp://} prefix is accepted)
     */
    @Override
    public Link open(String address, LinkHandler handler) {
        Addresses.parse(address); // checks it now, with its errors; the link parses it again when it needs it
        Objects.requireNonNull(handler, "handler");
        if (closed) {
            throw new IllegalStateException("transport " + name() + " is closed");
        }
        EventLoop loop = (EventLoop) group.next();
        UdpLink link = UdpLink.of(schedulers.computeIfAbsent(loop, l -> new LinkLoop(this, l)), address.trim(), handler);
        synchronized (links) {
            links.add(link);
        }
        try {
            link.start();
        } catch (RejectedExecutionException e) {
            forget(link);
            throw new IllegalStateException("transport " + name() + " is closed");
        }
        if (closed) {
            link.close();
            throw new IllegalStateException("transport " + name() + " is closed");
        }
        return link;
    }

    /** "udp/epoll" or "udp/nio". */
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

    /**
     * Sockets open now: the shared ones (at most two per event loop: IPv4 and IPv6) plus one per
     * link that shares its remote address with another link of its loop.
     */
    public int socketCount() {
        int n = privateSockets.get();
        for (LoopSockets s : byLoop.values()) {
            n += (s.v4 != null ? 1 : 0) + (s.v6 != null ? 1 : 0);
        }
        return n;
    }

    /** The largest datagram this transport sends. */
    public int maxDatagramSize() {
        return config.maxDatagramSize;
    }

    /** Counters since the transport was built, over all its links. */
    public Stats stats() {
        return new Stats(datagramsSent.sum(), bytesSent.sum(), datagramsReceived.sum(), bytesReceived.sum(),
                framesDropped.sum(), unknownSource.sum(), oversizeRefused.sum(), sendErrors.sum());
    }

    /**
     * Counters of a {@link UdpClientTransport}.
     *
     * @param datagramsSent     PINGs handed to the sockets
     * @param bytesSent         their bytes (UDP payload)
     * @param datagramsReceived datagrams received from a link's peer
     * @param bytesReceived     their bytes
     * @param framesDropped     datagrams dropped unread over a link's {@code maxInboundFrameRate}
     * @param unknownSource     datagrams from an address no link points at, dropped
     * @param oversizeRefused   frames not sent because they were longer than {@code maxDatagramSize}
     * @param sendErrors        errors the sockets reported (e.g. "Network is unreachable")
     */
    public record Stats(long datagramsSent, long bytesSent, long datagramsReceived, long bytesReceived,
            long framesDropped, long unknownSource, long oversizeRefused, long sendErrors) {
    }

    /**
     * Closes every link and socket, then stops the event loops (waiting up to 5 s). Idempotent.
     * Close the monitors using this transport first.
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        closed = true;
        List<UdpLink> open;
        synchronized (links) {
            open = links.toList();
        }
        for (UdpLink l : open) {
            l.close();
        }
        resolver.shutdownNow();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    // ---------------------------------------------------------------------------------------
    // For the links (on their loop).
    // ---------------------------------------------------------------------------------------

    Executor resolver() {
        return resolver;
    }

    /** Takes the link off the list of open links (once; later calls do nothing). */
    void forget(UdpLink link) {
        synchronized (links) {
            links.remove(link); // nothing when not (or no longer) on the list
        }
    }

    /** The loop's shared socket of {@code family}, or null when that family could not be bound. */
    Socket shared(EventLoop loop, SocketProtocolFamily family) {
        LoopSockets s = byLoop.get(loop);
        return family == SocketProtocolFamily.INET ? s.v4 : s.v6;
    }

    /** Why the loop has no socket of {@code family}. */
    String problem(EventLoop loop, SocketProtocolFamily family) {
        LoopSockets s = byLoop.get(loop);
        return family == SocketProtocolFamily.INET ? s.v4Problem : s.v6Problem;
    }

    /** Starts binding a socket of the link's own; {@code done} runs on the loop when it is bound (or failed). */
    Socket bindPrivate(EventLoop loop, SocketProtocolFamily family, Runnable done) {
        Socket s = new Socket(this, false);
        String wildcard = family == SocketProtocolFamily.INET ? "0.0.0.0" : "::";
        ChannelFuture f = bootstrap(loop, family, s).bind(new InetSocketAddress(wildcard, 0));
        s.channel = f.channel();
        privateSockets.incrementAndGet();
        f.channel().closeFuture().addListener(x -> privateSockets.decrementAndGet());
        f.addListener(x -> done.run());
        return s;
    }

    /** A link's lookup retry backoff, made at its first failed lookup (an IP literal never needs one). */
    ReconnectBackoff newRetryBackoff() {
        return new ReconnectBackoff(config.retryBase, config.retryCap, Duration.ZERO, random);
    }

    TokenBucket newInboundBucket(long now) {
        return new TokenBucket(inboundPeriodNanos(), config.inboundBurst, now);
    }

    /** What one inbound datagram costs a link's bucket: 1 s / the rate. */
    long inboundPeriodNanos() {
        return inboundPeriodNanos;
    }

    Builder config() {
        return config;
    }

    void dropped() {
        framesDropped.increment();
        long n = framesDropped.sum();
        if (LogLimit.loud(n)) {
            log.warn("heartbeat-udp: dropping inbound datagrams over {}/s per link; {} dropped so far",
                    Math.round(config.inboundRate), n);
        }
    }

    private static final class LoopSockets {
        Socket v4;
        Socket v6;
        String v4Problem;
        String v6Problem;
    }

    /**
     * The scheduler of one event loop's links (one timer queue for them all), which also knows
     * the transport: a link keeps one reference for both.
     */
    static final class LinkLoop extends dev.heartbeat.udp.internal.EventLoopScheduler {
        final UdpClientTransport transport;

        LinkLoop(UdpClientTransport transport, EventLoop loop) {
            super(loop, true);
            this.transport = transport;
        }
    }

    /**
     * One socket and its receive handler: hands each datagram to the link whose remote address
     * sent it. Its table of links is confined to the socket's event loop, like every link that
     * uses it.
     */
    static final class Socket extends ChannelInboundHandlerAdapter {
        private final UdpClientTransport owner;
        final boolean shared;
        final LinkTable links = new LinkTable();
        volatile Channel channel;

        Socket(UdpClientTransport owner, boolean shared) {
            this.owner = owner;
            this.shared = shared;
        }

        /** Datagrams are released here; a link reads the content only during its call. */
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            DatagramPacket p = (DatagramPacket) msg;
            try {
                UdpLink l = links.get(p.sender());
                if (l == null) {
                    owner.unknownSource.increment();
                    return;
                }
                owner.datagramsReceived.increment();
                owner.bytesReceived.add(p.content().readableBytes());
                l.onDatagram(p.content());
            } finally {
                p.release();
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            boolean w = ctx.channel().isWritable();
            for (UdpLink l : links.values()) {
                l.writabilityChanged(w);
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            owner.sendErrors.increment();
            long n = owner.sendErrors.sum();
            if (LogLimit.loud(n)) {
                log.warn("heartbeat-udp: socket {} reported: {}; {} errors so far", ctx.channel().localAddress(), cause.toString(), n);
            }
        }

        List<UdpLink> linksNow() {
            return links.values();
        }
    }

    /** Validating builder; every setter checks its value and names it in the error. */
    public static final class Builder {
        private int threads = Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));
        private int maxDatagramSize = DEFAULT_MAX_DATAGRAM_SIZE;
        private boolean padPings = true;
        private double inboundRate = DEFAULT_MAX_INBOUND_FRAME_RATE;
        private int inboundBurst = DEFAULT_INBOUND_FRAME_BURST;
        private Duration resolveInterval = DEFAULT_RESOLVE_INTERVAL;
        private Duration retryBase = ReconnectBackoff.DEFAULT_BASE;
        private Duration retryCap = ReconnectBackoff.DEFAULT_CAP;
        private Random random;
        private boolean preferNio;

        private Builder() {
        }

        private Builder copy() {
            Builder c = new Builder();
            c.threads = threads;
            c.maxDatagramSize = maxDatagramSize;
            c.padPings = padPings;
            c.inboundRate = inboundRate;
            c.inboundBurst = inboundBurst;
            c.resolveInterval = resolveInterval;
            c.retryBase = retryBase;
            c.retryCap = retryCap;
            c.random = random;
            c.preferNio = preferNio;
            return c;
        }

        /** Event loop threads, 1..64 (default min(2, cores)). Each owns its sockets; each link lives on one. */
        public Builder eventLoopThreads(int threads) {
            this.threads = Checks.range("eventLoopThreads", threads, 1, 64);
            return this;
        }

        /**
         * The largest datagram sent, {@value #MIN_DATAGRAM_SIZE}..{@value #MAX_DATAGRAM_SIZE} bytes
         * (default {@value #DEFAULT_MAX_DATAGRAM_SIZE}, which no path fragments). Above 508 a warning
         * is logged when the transport is built: a fragmented datagram is lost when any fragment is.
         * Frames are at most {@value FrameCodec#MAX_FRAME_LENGTH} bytes whatever the cap.
         */
        public Builder maxDatagramSize(int bytes) {
            this.maxDatagramSize = Checks.range("maxDatagramSize", bytes, MIN_DATAGRAM_SIZE, MAX_DATAGRAM_SIZE);
            return this;
        }

        /**
         * Pad PINGs to the size of the PONG they ask for (default true), so that a responder that
         * does not authenticate can answer in full without sending more than it received. Turn it
         * off only when every responder authenticates (then it answers in full anyway); an
         * unauthenticated responder answers unpadded PINGs with reduced PONGs, or not at all.
         */
        public Builder padPings(boolean pad) {
            this.padPings = pad;
            return this;
        }

        /**
         * Inbound datagrams per second one link takes, 1..1,000,000 (default 5,000); more are
         * dropped unread ({@link Stats#framesDropped()}).
         */
        public Builder maxInboundFrameRate(double perSecond) {
            if (!(perSecond >= 1 && perSecond <= 1_000_000)) {
                throw Checks.bad("maxInboundFrameRate", perSecond, "1..1000000 per second");
            }
            this.inboundRate = perSecond;
            return this;
        }

        /** Inbound datagrams one link takes back to back above the rate, 1..100,000 (default 500). */
        public Builder inboundFrameBurst(int n) {
            this.inboundBurst = Checks.range("inboundFrameBurst", n, 1, 100_000);
            return this;
        }

        /** How often a peer's host name is looked up again, 1 s..24 h (default 30 s). IP literals are never looked up. */
        public Builder resolveInterval(Duration d) {
            this.resolveInterval = Checks.range("resolveInterval", d, Duration.ofSeconds(1), Duration.ofHours(24));
            return this;
        }

        /**
         * Backoff between failed lookups of a host name (full jitter, see {@link ReconnectBackoff}),
         * default 100 ms doubling to 10 s.
         */
        public Builder retry(Duration base, Duration cap) {
            new ReconnectBackoff(base, cap, Duration.ZERO, new Random(0)); // validates, with its messages
            this.retryBase = base;
            this.retryCap = cap;
            return this;
        }

        /**
         * The randomness of the retry jitter (tests pass a seeded one). Default: one {@code Random}
         * for all the transport's links ({@code Random} is thread-safe).
         */
        public Builder retryRandom(Random random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /** Use NIO even where epoll is available (default false). */
        public Builder preferNio(boolean preferNio) {
            this.preferNio = preferNio;
            return this;
        }

        int maxDatagramSize() {
            return maxDatagramSize;
        }

        boolean padPings() {
            return padPings;
        }

        long resolveIntervalNanos() {
            return resolveInterval.toNanos();
        }

        /**
         * Binds the sockets (IPv4 and, where the host has it, IPv6, on every event loop).
         *
         * @throws IllegalStateException when no socket at all could be bound
         */
        public UdpClientTransport build() {
            return new UdpClientTransport(this);
        }
    }
}
