package dev.heartbeat.tcp;

import dev.heartbeat.engine.spi.Cancellable;
import dev.heartbeat.engine.spi.DisconnectCause;
import dev.heartbeat.engine.spi.Link;
import dev.heartbeat.engine.spi.LinkHandler;
import dev.heartbeat.engine.spi.ReconnectBackoff;
import dev.heartbeat.internal.LogLimit;
import dev.heartbeat.tcp.internal.Addresses;
import dev.heartbeat.tcp.internal.Closing;
import dev.heartbeat.tcp.internal.Disconnects;
import dev.heartbeat.tcp.internal.EventLoopScheduler;
import dev.heartbeat.tcp.internal.FloodGuard;
import dev.heartbeat.tcp.internal.FrameDecoder;
import dev.heartbeat.tcp.internal.ReconnectLoop;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandler;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.FastThreadLocal;
import dev.heartbeat.protocol.FrameCodec;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One monitor's connection to one peer, reconnecting with {@link ReconnectBackoff}. All state
 * changes and every {@link LinkHandler} call happen on the link's event loop, which is also the
 * only writer of its channel. At most one channel exists at a time; the next dial starts only
 * after the previous channel has closed.
 *
 * <p>A monitor keeps one link per peer, so the link is all it keeps: it is its own reconnect loop
 * (a {@link ReconnectLoop}) and the one handler of its channel's pipeline, which cuts the stream
 * into frames itself ({@link FrameDecoder#frameLength}) — no initializer, no decoder context, no
 * handler object per connection. The state of the current connection (the bytes of a frame not
 * yet whole, the inbound rate) lives in the link and is reset at each connect; events of a
 * channel that is no longer the link's {@link #channel} are ignored.
 */
final class TcpLink extends ReconnectLoop implements Link, ChannelInboundHandler {

    private static final Logger log = LoggerFactory.getLogger(TcpLink.class);
    /** Where a received frame is copied for the handler: one buffer per event loop thread (frames are at most 1,024 bytes). */
    private static final FastThreadLocal<ByteBuffer> RECEIVED = new FastThreadLocal<>() {
        @Override
        protected ByteBuffer initialValue() {
            return ByteBuffer.allocate(FrameCodec.MAX_FRAME_LENGTH);
        }
    };

    /** {@code host:port} as given; parsed again at each dial (rare) rather than kept parsed per link. */
    private final String address;
    private final LinkHandler handler;

    /** The connected channel; written on the loop, read anywhere. */
    private volatile Channel channel;
    /** Set by the first close(), by compare-and-set ({@link #CLOSING}): a field, not an AtomicBoolean per link. */
    @SuppressWarnings("unused")
    private volatile boolean closing;
    private static final VarHandle CLOSING;

    static {
        try {
            CLOSING = MethodHandles.lookup().findVarHandle(TcpLink.class, "closing", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    /** Set once, by the first close(); read anywhere. */
    private volatile boolean closed;
    /** The transport's list of open links (guarded by the transport's lock on it). */
    TcpLink prevLink;
    TcpLink nextLink;

    // The current connection's state (loop-confined), reset at each connect.
    /** The start of a frame whose bytes have not all arrived, or null. */
    private ByteBuf cumulation;
    /**
     * The inbound flood guard, made only when a frame arrives less than one period (1 s / the
     * rate) after the one before: until then a guard would have been full at every frame, so the
     * time of the last frame ({@link #lastInbound}) is all the state there is. Dropped again once
     * it is full and no flood streak is open. See {@link #admit}.
     */
    private FloodGuard guard;
    private long lastInbound;
    private boolean anyInbound;

    /**
     * @param address {@code host:port}, already checked by {@link dev.heartbeat.tcp.internal.Addresses#parse}
     */
    TcpLink(TcpClientTransport.LinkLoop loop, String address, LinkHandler handler) {
        super(loop);
        this.address = address;
        this.handler = handler;
    }

    /**
     * The transport: its loop's (the scheduler a link is given knows its transport, so a link
     * keeps one reference for both — one per peer adds up).
     */
    private TcpClientTransport owner() {
        return ((TcpClientTransport.LinkLoop) scheduler()).transport;
    }

    /** The event loop the link lives on: its scheduler's (not a field of its own: one per peer adds up). */
    private EventLoop loop() {
        return (EventLoop) ((EventLoopScheduler) scheduler()).executor();
    }

    /** Dials for the first time, on the loop. */
    void begin() {
        loop().execute(this::start);
    }

    /** The link's reconnect backoff, made at its first loss (most connections are never lost). */
    @Override
    protected ReconnectBackoff newBackoff() {
        return owner().newBackoff();
    }

    /**
     * Resolves the host and connects. A name lookup can block for seconds (a slow or broken DNS),
     * so names are resolved on the transport's resolver thread, never on the event loop, which
     * carries other peers' timers and I/O; IP literals need no lookup and connect at once.
     *
     * <p>No dial can stop the link: whatever throws on the way to the connect (on the loop, here or
     * after the lookup) is a failed connect, reported as {@code CONNECT_FAILED} and retried after
     * the backoff's delay, like a refused one.
     */
    @Override
    protected void dial() {
        if (closed) {
            return;
        }
        String host;
        int port;
        try {
            InetSocketAddress remote = Addresses.parse(address);
            host = remote.getHostString();
            port = remote.getPort();
            if (NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host)) {
                connect(Addresses.literal(host, port)); // a literal: no DNS involved
                return;
            }
        } catch (RuntimeException e) {
            dialFailed(e);
            return;
        }
        try {
            owner().resolver().execute(() -> {
                InetSocketAddress resolved = new InetSocketAddress(host, port); // blocking lookup, off the loop
                loop().execute(() -> {
                    if (resolved.isUnresolved()) {
                        if (!closed) {
                            String why = "connect to " + address + " failed: unknown host " + host;
                            call(() -> handler.onDisconnected(this, DisconnectCause.CONNECT_FAILED, why));
                            retryLater();
                        }
                    } else {
                        try {
                            connect(resolved);
                        } catch (RuntimeException e) {
                            dialFailed(e);
                        }
                    }
                });
            });
        } catch (RejectedExecutionException e) {
            // the transport is closing
        }
    }

    /** A dial that threw: a failed connect, retried later (lost() cancels an attempt it left pending). */
    private void dialFailed(RuntimeException e) {
        if (closed) {
            return;
        }
        log.debug("{}: dial failed", address, e);
        String why = "connect to " + address + " failed: " + Disconnects.message(e);
        call(() -> handler.onDisconnected(this, DisconnectCause.CONNECT_FAILED, why));
        retryLater();
    }

    private void connect(InetSocketAddress target) {
        if (closed) {
            return;
        }
        // The link is the channel's only handler (it frames, guards and handles): one context per
        // channel, and nothing made per dial that the channel keeps.
        ChannelFuture f = owner().bootstrap().clone(loop()).handler(this).connect(target);
        // Until it is over, closing the link cancels the attempt (ReconnectLoop.stop()).
        // A cancelled attempt's channel is closed by connectDone (run by the cancel); one whose
        // connect was already over when cancelled is closed here.
        Cancellable attempt = () -> {
            if (!f.cancel(false)) {
                f.channel().close();
            }
        };
        attempting(attempt);
        f.addListener((ChannelFutureListener) done -> connectDone(done, attempt));
        if (!f.isDone()) {
            // Our own connect timeout, not Netty's CONNECT_TIMEOUT_MILLIS: Netty cancels its timeout
            // task when the connect completes but the channel keeps it (64 bytes) for life. This one
            // is referenced only by the loop's queue, and is garbage once it has run.
            long ms = owner().connectTimeoutMillis();
            try {
                loop().schedule(() -> connectTimedOut(f, target, ms), ms, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                f.channel().close(); // the transport is closing: the attempt goes with it
            }
        }
    }

    /** The attempt is still pending after the connect timeout: it fails, as Netty's own timeout fails it. */
    private static void connectTimedOut(ChannelFuture f, InetSocketAddress target, long ms) {
        if (!f.isDone() && f instanceof ChannelPromise p
                && p.tryFailure(new ConnectTimeoutException("connection timed out after " + ms + " ms: " + target))) {
            f.channel().close();
        }
    }

    private void connectDone(ChannelFuture f, Cancellable attempt) {
        attempted(attempt);
        if (closed || f.isCancelled()) {
            f.channel().close(); // a cancelled connect's channel may stay open and registered: close it
            return;
        }
        if (f.isSuccess()) {
            Channel ch = f.channel();
            releaseCumulation();
            guard = null;
            anyInbound = false;
            channel = ch; // before channelActive: no byte of this channel is read before this
            connected();
            KeepaliveTuner k = owner().keepalive();
            if (k != null) {
                log.debug("{}: {}", address, k.apply(ch));
            }
            call(() -> handler.onConnected(this));
        } else {
            String why = "connect to " + address + " failed: " + Disconnects.message(f.cause());
            call(() -> handler.onDisconnected(this, DisconnectCause.CONNECT_FAILED, why));
            retryLater();
        }
    }

    /** Schedules the next dial after the backoff's delay. */
    private void retryLater() {
        long d = lost();
        if (d >= 0) {
            log.debug("{}: reconnecting in {} ms", address, d / 1_000_000);
        }
    }

    private void call(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            log.warn("{}: link handler threw; ignored", address, e);
        }
    }

    /**
     * Copies the frame into a pooled buffer and writes and flushes it on the event loop (Netty
     * hands an off-loop write to the loop, so the loop stays the single writer). The pooled buffer
     * is released by Netty once written, or when the write fails.
     */
    @Override
    public boolean send(ByteBuffer frame) {
        Channel ch = channel;
        if (ch == null || closed) {
            return false;
        }
        int n = frame.remaining();
        ByteBuf b = ch.alloc().ioBuffer(n);
        if (frame.hasArray()) {
            // From the array: writing a ByteBuffer into a pooled direct buffer makes an NIO view per write.
            b.writeBytes(frame.array(), frame.arrayOffset() + frame.position(), n);
            frame.position(frame.limit());
        } else {
            b.writeBytes(frame);
        }
        ch.writeAndFlush(b, ch.voidPromise());
        return true;
    }

    @Override
    public boolean isConnected() {
        return channel != null;
    }

    @Override
    public boolean isWritable() {
        Channel ch = channel;
        return ch != null && ch.isWritable();
    }

    @Override
    public String describe() {
        return owner().name() + " " + address;
    }

    @Override
    public void close() {
        if (!CLOSING.compareAndSet(this, false, true)) {
            return; // CLOSED_LOCALLY is reported at most once, however many threads close
        }
        closed = true;
        owner().forget(this);
        try {
            loop().execute(this::closeOnLoop);
        } catch (RejectedExecutionException e) {
            Channel ch = channel;
            if (ch != null) {
                ch.close();
            }
        }
    }

    private void closeOnLoop() {
        stop(); // cancels the next dial, or the connect under way (which may run connectDone at once)
        Channel ch = channel;
        channel = null;
        releaseCumulation();
        if (ch != null) {
            ch.close();
        }
        call(() -> handler.onDisconnected(this, DisconnectCause.CLOSED_LOCALLY, "link closed"));
    }

    @Override
    public String toString() {
        return describe();
    }

    // ---- The channel's handler: the link itself, on the channel's event loop ----

    /**
     * Bytes from the peer, cut into frames here (the cut of {@link FrameDecoder}): each whole frame
     * is handed on in place ({@link #frame}); the start of a frame not yet whole is kept for the
     * next read. Bytes that are not frames close the connection as a protocol error. Raw links
     * (a peer that does not speak the protocol) discard what they read: its bytes are not ours.
     */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Channel ch = ctx.channel();
        if (owner().raw() || channel != ch || !(msg instanceof ByteBuf)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        ByteBuf buf = cumulation;
        cumulation = null;
        buf = buf == null ? (ByteBuf) msg : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), buf, (ByteBuf) msg);
        try {
            while (channel == ch) {
                int length = FrameDecoder.frameLength(buf);
                if (length == 0) {
                    break;
                }
                int start = buf.readerIndex();
                buf.skipBytes(length);
                frame(ch, buf, start, length);
            }
        } catch (DecoderException e) {
            exceptionCaught(ctx, e);
        } finally {
            if (channel == ch && buf.isReadable()) {
                // Keep only the start of the frame not yet whole (under one frame's length), in a
                // buffer of its own: the read buffer, with the bytes already framed, is released, so
                // what a link holds between reads never grows with what the peer has sent.
                ByteBuf rest = ctx.alloc().buffer(buf.readableBytes());
                rest.writeBytes(buf);
                cumulation = rest;
            }
            buf.release();
        }
    }

    /**
     * One whole frame, in place in the read buffer: copied into this thread's scratch buffer (no
     * NIO view, no slice: nothing allocated) and handed to the link's handler, if it is within the
     * inbound rate.
     */
    private void frame(Channel ch, ByteBuf in, int offset, int length) {
        FloodGuard.Verdict v = admit(scheduler().ticker().nanoTime());
        if (v != FloodGuard.Verdict.PASS) {
            overRate(ch, v);
            return;
        }
        ByteBuffer nio = RECEIVED.get();
        nio.clear();
        in.getBytes(offset, nio.array(), nio.arrayOffset(), length);
        nio.limit(length);
        try {
            handler.onFrame(this, nio);
        } catch (RuntimeException e) {
            log.warn("{}: link handler threw; ignored", address, e);
        }
    }

    /**
     * What the connection's {@link FloodGuard} says of a frame arriving at {@code now}: exactly
     * what a guard made at the connect (full) and charged one period per frame decides, with no
     * guard kept while the frames are at least one period apart.
     */
    FloodGuard.Verdict admit(long now) {
        FloodGuard g = guard;
        if (g != null && g.idle(now)) {
            g = guard = null; // quiet for long enough: as good as a guard that never ran low
        }
        if (g == null) {
            if (!anyInbound || now - lastInbound >= owner().inboundPeriodNanos()) {
                anyInbound = true;
                lastInbound = now; // a full guard passes it and is one period short from here
                return FloodGuard.Verdict.PASS;
            }
            g = guard = owner().newInboundGuard(lastInbound);
            g.onFrame(lastInbound); // the guard as the last frame left it
        }
        return g.onFrame(now);
    }

    /** Whether the connection's flood guard exists now (tests: it is made lazily and dropped when idle). */
    boolean hasInboundGuard() {
        return guard != null;
    }

    /** A frame over the rate: dropped unread and counted; a persistent flood closes the connection. */
    private void overRate(Channel ch, FloodGuard.Verdict v) {
        TcpClientTransport t = owner();
        t.framesDropped.increment();
        long n = t.framesDropped.sum();
        if (LogLimit.loud(n)) {
            log.warn("{}: dropping inbound frames over {}/s; {} dropped so far on {}", address,
                    Math.round(t.maxInboundFrameRate()), n, t.name());
        }
        if (v == FloodGuard.Verdict.CLOSE) {
            t.floodCloses.increment();
            long c = t.floodCloses.sum();
            String detail = "inbound frame flood: over " + Math.round(t.maxInboundFrameRate()) + " frames/s for "
                    + t.floodCloseAfterNanos() / 1_000_000 + " ms";
            if (LogLimit.loud(c)) {
                log.warn("{}: closing connection: {}; {} flooded connections closed so far", address, detail, c);
            }
            loseConnection(ch, DisconnectCause.PROTOCOL_ERROR, detail);
            ch.close(); // channelInactive schedules the reconnect
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            // The peer sent FIN. We owe a responder nothing: flush, send our FIN, close.
            loseConnection(ctx.channel(), DisconnectCause.CLOSED_BY_PEER, "connection closed by peer (FIN)");
            Closing.finishAndShutdownOutput(ctx.channel(), ctx.channel()::close);
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        DisconnectCause c = Disconnects.classify(cause);
        String message = Disconnects.message(cause);
        // "this port speaks another protocol (SSH?)" says it better alone than after "invalid frame:"
        String detail = c == DisconnectCause.PROTOCOL_ERROR && !message.startsWith("this port speaks")
                ? "invalid frame: " + message : message;
        if (channel == ctx.channel()) {
            if (c == DisconnectCause.PROTOCOL_ERROR) {
                log.warn("{}: closing connection: {}", address, detail);
            } else {
                log.debug("{}: connection error: {}", address, detail);
            }
        }
        loseConnection(ctx.channel(), c, detail);
        ctx.close();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Channel ch = ctx.channel();
        if (channel == ch) {
            boolean w = ch.isWritable();
            call(() -> handler.onWritabilityChanged(TcpLink.this, w));
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        loseConnection(ctx.channel(), DisconnectCause.CLOSED_BY_PEER, "connection closed");
        if (!closed) {
            retryLater(); // the channel is gone: now the next one may be dialled
        }
        ctx.fireChannelInactive();
    }

    /**
     * Reports the loss of the current connection, once: a channel that is no longer the link's
     * (already lost, or closed locally, which reported CLOSED_LOCALLY) reports nothing.
     */
    private void loseConnection(Channel ch, DisconnectCause cause, String detail) {
        if (channel != ch) {
            return;
        }
        channel = null;
        releaseCumulation();
        guard = null;
        if (!closed) {
            call(() -> handler.onDisconnected(TcpLink.this, cause, detail));
        }
    }

    private void releaseCumulation() {
        ByteBuf c = cumulation;
        if (c != null) {
            cumulation = null;
            c.release();
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        // nothing to set up: the connection's state is reset when the connect succeeds
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (channel == ctx.channel()) {
            releaseCumulation();
        }
    }

    @Override
    public void channelRegistered(ChannelHandlerContext ctx) {
        ctx.fireChannelRegistered();
    }

    @Override
    public void channelUnregistered(ChannelHandlerContext ctx) {
        ctx.fireChannelUnregistered();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.fireChannelActive();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.fireChannelReadComplete();
    }
}
