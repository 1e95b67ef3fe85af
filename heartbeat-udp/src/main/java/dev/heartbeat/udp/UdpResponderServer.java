package dev.heartbeat.udp;

import dev.heartbeat.engine.spi.ResponderServer;
import dev.heartbeat.detect.Ticker;
import dev.heartbeat.engine.HeartbeatResponder;
import dev.heartbeat.internal.Checks;
import dev.heartbeat.internal.LogLimit;
import dev.heartbeat.protocol.Frame;
import dev.heartbeat.protocol.FrameCodec;
import dev.heartbeat.protocol.FrameDecodeException;
import dev.heartbeat.protocol.FrameHeader;
import dev.heartbeat.protocol.FrameTooLargeException;
import dev.heartbeat.udp.internal.Addresses;
import dev.heartbeat.udp.internal.Exposure;
import dev.heartbeat.udp.internal.LoopCounters;
import dev.heartbeat.udp.internal.ReducedPong;
import dev.heartbeat.udp.internal.ReplayWindow;
import dev.heartbeat.udp.internal.SourceLimiter;
import dev.heartbeat.udp.internal.TokenBucket;
import dev.heartbeat.udp.internal.UdpIo;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The responder side over UDP: answers each PING datagram with one PONG datagram from the
 * {@link HeartbeatResponder}, and refuses to be a weapon.
 *
 * <pre>{@code
 * HmacSha256Authenticator auth = HmacKeyFile.loadAuthenticator(Path.of("/etc/heartbeat/keys"));
 * HeartbeatResponder responder = HeartbeatResponder.builder().nodeId("orders-1")
 *         .sealer(auth).verifier(auth).build();
 * UdpResponderServer server = UdpResponderServer.builder(responder).port(7070).bind();
 * }</pre>
 *
 * <h2>Sockets</h2>
 * With epoll, {@code eventLoopThreads} sockets bind the same port with SO_REUSEPORT, one per event
 * loop, and the kernel spreads datagrams over them (by a hash of the source and destination, so
 * one source lands on one socket); with NIO one socket receives everything. IPv4 or IPv6 as the
 * bind address says ({@code "::"} or {@code "::1"} for IPv6).
 *
 * <h2>What happens to one datagram</h2>
 * <ol>
 *   <li>Its source address is over {@code maxReplyRate} → dropped ({@link UdpDrop#RATE_LIMITED}),
 *       before anything is decoded: a spoofed flood cannot make us flood its victim.</li>
 *   <li>The header is checked, then {@link HeartbeatResponder#respond(ByteBuffer, ByteBuffer, Frame, int)}
 *       decodes it, verifies it when the responder has a verifier (unauthenticated or badly tagged
 *       PINGs are never answered) and builds the PONG within {@code maxDatagramSize}.</li>
 *   <li>The replay window ({@code docs/protocol.md}, "UDP") refuses an (epoch, sequence) it has
 *       seen, one older than the window, or one from a replaced monitor process.</li>
 *   <li>No amplification: when the responder does not authenticate, a PONG longer than the PING
 *       is replaced by a reduced PONG (status without load, with a marker that tells the monitor
 *       how far to pad); if even that is longer than the PING, nothing is sent.</li>
 *   <li>The PONG goes back to the source address in one datagram.</li>
 * </ol>
 * Datagrams are handled per read batch: with epoll up to 16 per {@code recvmmsg} call (a datagram
 * longer than a frame arrives cut and is refused as {@link UdpDrop#MALFORMED}), the ticker read once,
 * and the batch's PONGs flushed together at the end ({@code sendmmsg}). Every datagram not answered is
 * counted under one {@link UdpDrop}, and the log lines a client can trigger are rate-limited
 * ({@code LogLimit}). Running without a verifier on a non-loopback
 * address logs one warning at bind ({@link #exposureWarning()}).
 *
 * <p>Thread-safe.
 */
public final class UdpResponderServer implements ResponderServer {

    private static final Logger log = LoggerFactory.getLogger(UdpResponderServer.class);

    /** Default replies per second to one source address. */
    public static final double DEFAULT_MAX_REPLY_RATE = 2_000;
    /** Default replies one source may get back to back above the rate. */
    public static final int DEFAULT_REPLY_BURST = 200;
    /** Default number of source addresses with a rate bucket of their own. */
    public static final int DEFAULT_MAX_SOURCES = 65_536;
    /** Default number of senders (monitor processes) in the replay window. */
    public static final int DEFAULT_MAX_SENDERS = 65_536;
    /** Default silence after which a replaced monitor process's epoch is refused. */
    public static final Duration DEFAULT_STALE_EPOCH_AFTER = Duration.ofSeconds(30);
    /** Default silence after which a sender is forgotten by the replay window. */
    public static final Duration DEFAULT_SENDER_IDLE_TIMEOUT = Duration.ofMinutes(10);
    /** Senders that pinged within this long get a GOODBYE from {@link #closeGracefully}. */
    public static final Duration GOODBYE_WINDOW = Duration.ofSeconds(10);
    /** How often the rate and replay tables are swept. */
    static final long SWEEP_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** Datagrams one receive call may take (epoll's {@code recvmmsg}); Netty reads up to 16 per readiness event. */
    static final int RECEIVE_BATCH = 16;

    /** Slots of a socket's {@link LoopCounters}: then one per {@link UdpDrop}, from {@code DROPPED}. */
    private static final int RECEIVED = 0;
    private static final int SENT = 1;
    private static final int BYTES_IN = 2;
    private static final int BYTES_OUT = 3;
    private static final int REDUCED = 4;
    private static final int DROPPED = 5;

    private final HeartbeatResponder responder;
    private final UdpIo io;
    private final MultiThreadIoEventLoopGroup group;
    private final List<Channel> sockets = new ArrayList<>();
    private final int maxDatagram;
    private final int maxFrame;
    private final boolean authenticated;
    private final Ticker ticker = Ticker.system();
    private final SourceLimiter sources;
    private final ReplayWindow senders;
    private final String exposureWarning;
    /** The receive path of each socket, with its counters. */
    private final List<ResponderSocket> handlers = new ArrayList<>();
    private final LongAdder goodbyes = new LongAdder();
    private final LongAdder goodbyeBytes = new LongAdder();
    private final ScheduledFuture<?> sweeper;
    private volatile String lastOversize;
    private volatile boolean closed;

    private UdpResponderServer(Builder b) {
        this.responder = b.responder;
        this.io = b.preferNio ? UdpIo.NIO : UdpIo.best();
        this.maxDatagram = b.maxDatagramSize;
        this.maxFrame = Math.min(b.maxDatagramSize, FrameCodec.MAX_FRAME_LENGTH);
        this.authenticated = responder.verifier() != null;
        long now = ticker.nanoTime();
        this.sources = new SourceLimiter(b.maxReplyRate, b.replyBurst, b.maxSources, now);
        this.senders = new ReplayWindow(b.maxSenders, b.staleEpochAfter.toNanos(), b.senderIdleTimeout.toNanos());
        if (b.maxDatagramSize > UdpClientTransport.DEFAULT_MAX_DATAGRAM_SIZE) {
            log.warn("heartbeat-udp: maxDatagramSize {} > {}: PONGs may be fragmented on paths with a smaller MTU, "
                    + "and a lost fragment loses the heartbeat", b.maxDatagramSize, UdpClientTransport.DEFAULT_MAX_DATAGRAM_SIZE);
        }
        InetAddress at;
        try {
            at = InetAddress.getByName(b.host);
        } catch (UnknownHostException e) {
            throw new UncheckedIOException("bind " + Addresses.format(b.host, b.port) + " failed: unknown host", e);
        }
        int count = b.reusePort && io.supportsReusePort() ? b.threads : 1;
        this.group = io.newGroup(count, "heartbeat-udp-server");
        int port = b.port;
        try {
            for (EventExecutor e : group) {
                Bootstrap boot = new Bootstrap().group((EventLoop) e).handler(newHandler());
                // A datagram longer than any frame arrives cut to MAX_FRAME_LENGTH + 1 bytes and is refused as MALFORMED.
                io.receiveBatch(boot, FrameCodec.MAX_FRAME_LENGTH + 1, RECEIVE_BATCH);
                io.channel(boot, UdpIo.familyOf(at));
                if (count > 1) {
                    io.reusePort(boot);
                }
                if (b.receiveBufferBytes > 0) {
                    boot.option(ChannelOption.SO_RCVBUF, b.receiveBufferBytes);
                }
                ChannelFuture f = boot.bind(new InetSocketAddress(at, port)).awaitUninterruptibly();
                if (!f.isSuccess()) {
                    String msg = "bind " + Addresses.format(at.getHostAddress(), port) + " failed: " + f.cause();
                    if (f.cause() instanceof IOException) {
                        throw new UncheckedIOException(msg, (IOException) f.cause());
                    }
                    throw new IllegalStateException(msg, f.cause());
                }
                sockets.add(f.channel());
                port = ((InetSocketAddress) f.channel().localAddress()).getPort(); // the others join this port
            }
        } catch (RuntimeException e) {
            for (Channel c : sockets) {
                c.close();
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
        io.logOnce();
        this.exposureWarning = Exposure.unauthenticatedWarning(at, port, authenticated);
        if (exposureWarning != null) {
            log.warn(exposureWarning);
        }
        this.sweeper = sockets.get(0).eventLoop().scheduleAtFixedRate(this::sweep, SWEEP_NANOS, SWEEP_NANOS,
                TimeUnit.NANOSECONDS);
        log.debug("heartbeat responder on udp {} ({} socket(s), {})", localAddress(), sockets.size(), io.transportName());
    }

    private ResponderSocket newHandler() {
        ResponderSocket h = new ResponderSocket();
        handlers.add(h);
        return h;
    }

    /** A builder for a server answering with {@code responder}. */
    public static Builder builder(HeartbeatResponder responder) {
        return new Builder(responder);
    }

    private void sweep() {
        long now = ticker.nanoTime();
        sources.sweep(now);
        senders.sweep(now);
    }

    /** The bound port (useful with port 0). */
    @Override
    public int port() {
        return localAddress().getPort();
    }

    /** The bound address. */
    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) sockets.get(0).localAddress();
    }

    /** "udp/epoll" or "udp/nio". */
    @Override
    public String transportName() {
        return io.transportName();
    }

    /** Sockets receiving on the port: {@code eventLoopThreads} with epoll and SO_REUSEPORT, else 1. */
    public int socketCount() {
        return sockets.size();
    }

    /** The responder. */
    public HeartbeatResponder responder() {
        return responder;
    }

    /** True when the responder verifies PINGs (then only authenticated PINGs are answered, in full). */
    public boolean authenticated() {
        return authenticated;
    }

    /** The warning logged at bind for an unauthenticated responder on a non-loopback address; null if none. */
    public String exposureWarning() {
        return exposureWarning;
    }

    /** The last oversize-reply error ({@code PONG : 743 bytes (expected: <= maxLength 508)}), or null. */
    public String lastOversizeError() {
        return lastOversize;
    }

    /** True once {@link #close} or {@link #closeGracefully} began: nothing more is answered. */
    @Override
    public boolean closing() {
        return closed;
    }

    /** Senders in the replay window now. */
    public int senderCount() {
        return senders.size();
    }

    /** Counters since bind. */
    public Stats stats() {
        Map<UdpDrop, Long> d = new EnumMap<>(UdpDrop.class);
        for (UdpDrop r : UdpDrop.values()) {
            d.put(r, total(DROPPED + r.ordinal()));
        }
        return new Stats(total(RECEIVED), total(SENT), total(BYTES_IN), total(BYTES_OUT) + goodbyeBytes.sum(),
                total(REDUCED), goodbyes.sum(), Collections.unmodifiableMap(d));
    }

    /** Counter {@code slot} summed over the sockets. */
    private long total(int slot) {
        long n = 0;
        for (ResponderSocket h : handlers) {
            n += h.counters.get(slot);
        }
        return n;
    }

    /**
     * Counters of a {@link UdpResponderServer}.
     *
     * @param received       datagrams received
     * @param answered       PONG datagrams sent (full or reduced)
     * @param bytesIn        bytes received (UDP payload)
     * @param bytesOut       bytes sent, GOODBYEs included
     * @param reducedReplies PONGs sent without their load report (anti-amplification)
     * @param goodbyes       GOODBYEs sent by {@link #closeGracefully}
     * @param dropped        datagrams not answered, by reason
     */
    public record Stats(long received, long answered, long bytesIn, long bytesOut, long reducedReplies, long goodbyes,
            Map<UdpDrop, Long> dropped) {

        /** Datagrams dropped for {@code reason}. */
        public long dropped(UdpDrop reason) {
            return dropped.getOrDefault(reason, 0L);
        }

        /** Datagrams dropped for any reason. */
        public long droppedTotal() {
            long n = 0;
            for (long v : dropped.values()) {
                n += v;
            }
            return n;
        }
    }

    /** Stops receiving at once and releases the sockets and threads. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        shutdown();
    }

    /**
     * Leaves politely: sends a GOODBYE (with {@code comeBackAfter} as advice) to every sender that
     * pinged in the last {@link #GOODBYE_WINDOW}, at the address it last pinged from, so monitors
     * mark this peer UNUSABLE at once; then closes. Unauthenticated, a GOODBYE goes only to a
     * sender whose last PING was at least as long (no amplification). Idempotent.
     */
    @Override
    public void closeGracefully(Duration comeBackAfter) {
        if (closed) {
            return;
        }
        closed = true;
        Channel ch = sockets.get(0);
        Future<?> f = ch.eventLoop().submit(() -> sendGoodbyes(ch, comeBackAfter));
        f.awaitUninterruptibly(2, TimeUnit.SECONDS);
        shutdown();
    }

    private void sendGoodbyes(Channel ch, Duration comeBackAfter) {
        long now = ticker.nanoTime();
        Map<InetSocketAddress, Integer> to = new HashMap<>();
        senders.recentSources(now - GOODBYE_WINDOW.toNanos(), now, r -> to.merge(r.from(), r.length(), Math::max));
        Frame scratch = new Frame();
        for (Map.Entry<InetSocketAddress, Integer> e : to.entrySet()) {
            ByteBuf out = ch.alloc().ioBuffer(FrameCodec.MAX_FRAME_LENGTH);
            ByteBuffer dst = out.internalNioBuffer(0, FrameCodec.MAX_FRAME_LENGTH);
            int start = dst.position();
            responder.goodbye(dst, scratch, comeBackAfter);
            int n = dst.position() - start;
            if (n > maxFrame || !authenticated && n > e.getValue()) {
                out.release();
                continue;
            }
            out.writerIndex(n);
            goodbyes.increment();
            goodbyeBytes.add(n);
            ch.write(new DatagramPacket(out, e.getKey()), ch.voidPromise());
        }
        ch.flush();
    }

    private void shutdown() {
        sweeper.cancel(false);
        for (Channel c : sockets) {
            c.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    @Override
    public String toString() {
        return "UdpResponderServer{" + transportName() + " " + localAddress() + ", sockets=" + sockets.size() + "}";
    }

    /** Logs (rate-limited) a drop that {@code from} caused, already counted by its socket. */
    private void logDrop(UdpDrop reason, Object from) {
        if (reason == UdpDrop.OVERSIZE_REPLY || reason == UdpDrop.TOO_MANY_SENDERS) {
            long n = total(DROPPED + reason.ordinal());
            if (LogLimit.loud(n)) {
                log.warn("heartbeat-udp: PING from {} not answered: {}{}; {} so far", from, reason,
                        reason == UdpDrop.OVERSIZE_REPLY ? " (" + lastOversize + ")" : "", n);
            }
        } else if (reason != UdpDrop.RATE_LIMITED && reason != UdpDrop.REPLAYED) {
            long n = total(DROPPED + reason.ordinal());
            if (LogLimit.loud(n)) {
                log.info("heartbeat-udp: datagram from {} dropped: {}; {} for this reason so far", from, reason, n);
            }
        }
    }

    /** Per event loop thread: the datagram being answered, and the PONG being encoded. */
    private static final FastThreadLocal<ByteBuffer> REQUEST = scratch();
    private static final FastThreadLocal<ByteBuffer> REPLY = scratch();

    private static FastThreadLocal<ByteBuffer> scratch() {
        return new FastThreadLocal<>() {
            @Override
            protected ByteBuffer initialValue() {
                return ByteBuffer.allocate(FrameCodec.MAX_FRAME_LENGTH);
            }
        };
    }

    /**
     * One socket's receive path. Not sharable: its scratch, counters and batch state are confined
     * to the socket's event loop. Datagrams are released here; each PONG goes out in a pooled
     * buffer that Netty releases.
     *
     * <p>Per read batch (the datagrams one readiness event delivers, then {@code channelReadComplete}):
     * the ticker is read once, and the PONGs are written as they are made but flushed once at the
     * end, so that epoll sends them with one {@code sendmmsg} instead of one {@code sendmsg} each.
     */
    private final class ResponderSocket extends ChannelInboundHandlerAdapter {
        private final Frame scratch = new Frame();
        private final FrameHeader header = new FrameHeader();
        private final ReplayWindow.Cache recentSenders = new ReplayWindow.Cache();
        /** Written by this socket's event loop only; read by {@link #stats()} from any thread. */
        final LoopCounters counters = new LoopCounters(DROPPED + UdpDrop.values().length);
        private boolean inBatch;
        private long batchNow;
        private boolean unflushed;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            DatagramPacket p = (DatagramPacket) msg;
            ByteBuf out = null;
            try {
                out = handle(ctx, p);
            } finally {
                p.release();
                if (out != null) {
                    out.release();
                }
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            inBatch = false;
            if (unflushed) {
                unflushed = false;
                ctx.flush();
            }
            ctx.fireChannelReadComplete();
        }

        /** The ticker, read once per read batch. */
        private long now() {
            if (!inBatch) {
                batchNow = ticker.nanoTime();
                inBatch = true;
            }
            return batchNow;
        }

        private void drop(UdpDrop reason, Object from) {
            counters.add(DROPPED + reason.ordinal(), 1);
            if (reason != UdpDrop.RATE_LIMITED && reason != UdpDrop.REPLAYED) {
                logDrop(reason, from);
            }
        }

        /** Returns a buffer still to be released (not sent), or null. */
        private ByteBuf handle(ChannelHandlerContext ctx, DatagramPacket p) {
            ByteBuf in = p.content();
            InetSocketAddress from = p.sender();
            int length = in.readableBytes();
            counters.add(RECEIVED, 1);
            counters.add(BYTES_IN, length);
            if (closed) {
                return null;
            }
            if (length > FrameCodec.MAX_FRAME_LENGTH) {
                drop(UdpDrop.MALFORMED, from);
                return null;
            }
            long now = now();
            TokenBucket bucket = sources.bucket(from.getAddress(), now);
            if (!SourceLimiter.available(bucket, now)) {
                drop(UdpDrop.RATE_LIMITED, from);
                return null;
            }
            // The datagram is copied into this thread's scratch, and the PONG encoded into another,
            // then copied into a pooled buffer of its exact size: no NIO view of either per datagram.
            ByteBuffer request = REQUEST.get();
            request.clear();
            in.getBytes(in.readerIndex(), request.array(), request.arrayOffset(), length);
            request.limit(length);
            int start = request.position();
            ByteBuffer dst = REPLY.get();
            dst.clear();
            int outStart = dst.position();
            ByteBuf out = null;
            HeartbeatResponder.Outcome outcome;
            try {
                FrameCodec.peek(request, header);
                outcome = responder.respond(request, dst, scratch, maxFrame);
            } catch (FrameDecodeException e) {
                drop(UdpDrop.MALFORMED, from);
                return out;
            } catch (FrameTooLargeException e) {
                lastOversize = e.getMessage();
                drop(UdpDrop.OVERSIZE_REPLY, from);
                return out;
            }
            switch (outcome) {
                case ANSWERED:
                    break;
                case IGNORED:
                    drop(UdpDrop.NOT_A_PING, from);
                    return out;
                case REJECTED_MISSING:
                    drop(UdpDrop.UNAUTHENTICATED, from);
                    return out;
                case REJECTED_UNKNOWN_KEY:
                    drop(UdpDrop.UNKNOWN_KEY, from);
                    return out;
                default:
                    drop(UdpDrop.BAD_TAG, from);
                    return out;
            }
            ReplayWindow.Verdict v = senders.accept(recentSenders, header.epoch(), header.sequence(), request, start,
                    from, length, now);
            switch (v) {
                case ACCEPTED:
                    break;
                case DUPLICATE:
                    drop(UdpDrop.REPLAYED, from);
                    return out;
                case TOO_OLD:
                    drop(UdpDrop.TOO_OLD, from);
                    return out;
                case STALE_EPOCH:
                    drop(UdpDrop.STALE_EPOCH, from);
                    return out;
                default:
                    drop(UdpDrop.TOO_MANY_SENDERS, from);
                    return out;
            }
            int n = dst.position() - outStart;
            if (!authenticated && n > length) {
                dst.position(outStart);
                n = ReducedPong.write(scratch, n, dst, responder.sealer(), length);
                if (n < 0) {
                    drop(UdpDrop.AMPLIFICATION, from);
                    return out;
                }
                counters.add(REDUCED, 1);
            }
            if (!ctx.channel().isWritable()) {
                drop(UdpDrop.UNWRITABLE, from);
                return out;
            }
            if (!SourceLimiter.take(bucket, now)) {
                drop(UdpDrop.RATE_LIMITED, from);
                return out;
            }
            out = ctx.alloc().ioBuffer(n);
            out.writeBytes(dst.array(), dst.arrayOffset() + outStart, n);
            counters.add(SENT, 1); // counted first: a test (or a scraper) may see the reply before this thread runs on
            counters.add(BYTES_OUT, n);
            ctx.write(new DatagramPacket(out, from), ctx.voidPromise()); // flushed at the end of the read batch
            unflushed = true;
            return null;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("heartbeat-udp: socket {}: {}", ctx.channel().localAddress(), cause.toString());
        }
    }

    /** Validating builder; every setter checks its value and names it in the error. */
    public static final class Builder {
        private final HeartbeatResponder responder;
        private String host = "0.0.0.0";
        private int port;
        private int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        private boolean reusePort = true;
        private int maxDatagramSize = UdpClientTransport.DEFAULT_MAX_DATAGRAM_SIZE;
        private double maxReplyRate = DEFAULT_MAX_REPLY_RATE;
        private int replyBurst = DEFAULT_REPLY_BURST;
        private int maxSources = DEFAULT_MAX_SOURCES;
        private int maxSenders = DEFAULT_MAX_SENDERS;
        private Duration staleEpochAfter = DEFAULT_STALE_EPOCH_AFTER;
        private Duration senderIdleTimeout = DEFAULT_SENDER_IDLE_TIMEOUT;
        private int receiveBufferBytes;
        private boolean preferNio;

        private Builder(HeartbeatResponder responder) {
            this.responder = Objects.requireNonNull(responder, "responder");
        }

        /** Address to bind (default "0.0.0.0": every IPv4 interface; "::" every IPv6 one, "127.0.0.1" or "::1" local only). */
        public Builder host(String host) {
            if (host == null || host.isBlank()) {
                throw Checks.bad("host", "'" + host + "'", "an interface address or name");
            }
            this.host = host;
            return this;
        }

        /** Port, 0..65535; 0 picks a free ephemeral port (see {@link UdpResponderServer#port()}). */
        public Builder port(int port) {
            this.port = Checks.range("port", port, 0, 65535);
            return this;
        }

        /**
         * Event loop threads, 1..64 (default min(4, cores)). With epoll and {@code reusePort}, one
         * socket per thread on the same port; with NIO one socket and one thread whatever this says.
         */
        public Builder eventLoopThreads(int threads) {
            this.threads = Checks.range("eventLoopThreads", threads, 1, 64);
            return this;
        }

        /** Several sockets on the port with SO_REUSEPORT where epoll offers it (default true). */
        public Builder reusePort(boolean reusePort) {
            this.reusePort = reusePort;
            return this;
        }

        /**
         * The largest PONG sent, {@value UdpClientTransport#MIN_DATAGRAM_SIZE}..{@value UdpClientTransport#MAX_DATAGRAM_SIZE}
         * bytes (default 508, never fragmented). Above 508 a warning is logged at bind. A PONG over the
         * cap (too many or too long custom metrics) is not sent: {@link UdpDrop#OVERSIZE_REPLY}, with
         * its size and the cap in {@link #lastOversizeError()}.
         */
        public Builder maxDatagramSize(int bytes) {
            this.maxDatagramSize = Checks.range("maxDatagramSize", bytes, UdpClientTransport.MIN_DATAGRAM_SIZE,
                    UdpClientTransport.MAX_DATAGRAM_SIZE);
            return this;
        }

        /**
         * Replies per second to one source IP address, 1..1,000,000 (default 2,000: twice the
         * fastest honest monitor's PINGs to one responder). More are dropped
         * ({@link UdpDrop#RATE_LIMITED}). Many monitors behind one address (NAT) share it: raise it.
         */
        public Builder maxReplyRate(double perSecond) {
            if (!(perSecond >= 1 && perSecond <= 1_000_000)) {
                throw Checks.bad("maxReplyRate", perSecond, "1..1000000 per second");
            }
            this.maxReplyRate = perSecond;
            return this;
        }

        /** Replies one source may get back to back above the rate, 1..100,000 (default 200). */
        public Builder replyBurst(int n) {
            this.replyBurst = Checks.range("replyBurst", n, 1, 100_000);
            return this;
        }

        /**
         * Source addresses with a rate bucket of their own, 1..10,000,000 (default 65,536); sources
         * beyond share one bucket, so a flood from many addresses gets one source's rate in total.
         */
        public Builder maxSources(int n) {
            this.maxSources = Checks.range("maxSources", n, 1, 10_000_000);
            return this;
        }

        /**
         * Senders (monitor processes) the replay window holds, 1..10,000,000 (default 65,536); a
         * new sender beyond them is refused ({@link UdpDrop#TOO_MANY_SENDERS}) until one goes quiet.
         */
        public Builder maxSenders(int n) {
            this.maxSenders = Checks.range("maxSenders", n, 1, 10_000_000);
            return this;
        }

        /**
         * How long a monitor's epoch must be silent, after another epoch with its node id appeared,
         * before its PINGs are refused as stale ({@link UdpDrop#STALE_EPOCH}); 100 ms..1 h (default
         * 30 s). Longer than any pause of a live monitor's PINGs.
         */
        public Builder staleEpochAfter(Duration d) {
            this.staleEpochAfter = Checks.range("staleEpochAfter", d, Duration.ofMillis(100), Duration.ofHours(1));
            return this;
        }

        /**
         * How long a silent sender is remembered by the replay window, 1 s..24 h (default 10 min),
         * and at least {@code staleEpochAfter}: replays older than this look like a new sender.
         */
        public Builder senderIdleTimeout(Duration d) {
            this.senderIdleTimeout = Checks.range("senderIdleTimeout", d, Duration.ofSeconds(1), Duration.ofHours(24));
            return this;
        }

        /** SO_RCVBUF in bytes, 0 (the OS default) or 1 KiB..64 MiB. Bigger absorbs bursts from many monitors. */
        public Builder receiveBufferBytes(int bytes) {
            if (bytes != 0 && (bytes < 1024 || bytes > 64 * 1024 * 1024)) {
                throw Checks.bad("receiveBufferBytes", bytes, "0 or 1024..67108864");
            }
            this.receiveBufferBytes = bytes;
            return this;
        }

        /** Use NIO even where epoll is available (default false). */
        public Builder preferNio(boolean preferNio) {
            this.preferNio = preferNio;
            return this;
        }

        /**
         * Binds and starts answering.
         *
         * @throws IllegalArgumentException when {@code senderIdleTimeout} is shorter than {@code staleEpochAfter}
         * @throws UncheckedIOException naming the address and the OS's reason when binding fails
         */
        public UdpResponderServer bind() {
            if (senderIdleTimeout.compareTo(staleEpochAfter) < 0) {
                throw Checks.bad("senderIdleTimeout", senderIdleTimeout, ">= staleEpochAfter " + staleEpochAfter);
            }
            return new UdpResponderServer(this);
        }
    }
}
