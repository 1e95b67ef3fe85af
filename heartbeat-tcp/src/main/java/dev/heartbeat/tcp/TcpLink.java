package dev.heartbeat.tcp;

import dev.heartbeat.engine.spi.DisconnectCause;
import dev.heartbeat.engine.spi.Link;
import dev.heartbeat.engine.spi.LinkHandler;
import dev.heartbeat.engine.spi.ReconnectBackoff;
import dev.heartbeat.engine.spi.SerialScheduler;
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
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.FastThreadLocal;
import dev.heartbeat.protocol.FrameCodec;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.RejectedExecutionException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One monitor's connection to one peer, reconnecting with {@link ReconnectBackoff}. All state
 * changes and every {@link LinkHandler} call happen on the link's event loop, which is also the
 * only writer of its channel. At most one channel exists at a time; the next dial starts only
 * after the previous channel has closed.
 */
final class TcpLink implements Link {

    private static final Logger log = LoggerFactory.getLogger(TcpLink.class);
    /** Where a received frame is copied for the handler: one buffer per event loop thread (frames are at most 1,024 bytes). */
    private static final FastThreadLocal<ByteBuffer> RECEIVED = new FastThreadLocal<>() {
        @Override
        protected ByteBuffer initialValue() {
            return ByteBuffer.allocate(FrameCodec.MAX_FRAME_LENGTH);
        }
    };

    private final TcpClientTransport owner;
    private final EventLoop loop;
    private final EventLoopScheduler scheduler;
    /** {@code host:port} as given; parsed again at each dial (rare) rather than kept parsed per link. */
    private final String address;
    private final LinkHandler handler;
    private final ReconnectLoop reconnect;

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
    /** The attempt in progress (loop-confined). */
    private ChannelFuture connecting;

    /**
     * @param address {@code host:port}, already checked by {@link dev.heartbeat.tcp.internal.Addresses#parse}
     * @param backoffs makes the link's reconnect backoff, at its first loss
     */
    TcpLink(TcpClientTransport owner, EventLoop loop, EventLoopScheduler scheduler, String address, LinkHandler handler,
            Supplier<ReconnectBackoff> backoffs) {
        this.owner = owner;
        this.loop = loop;
        this.scheduler = scheduler;
        this.address = address;
        this.handler = handler;
        this.reconnect = new ReconnectLoop(scheduler, backoffs, this::dial, null);
    }

    void start() {
        loop.execute(reconnect::start);
    }

    /**
     * Resolves the host and connects. A name lookup can block for seconds (a slow or broken DNS),
     * so names are resolved on the transport's resolver thread, never on the event loop, which
     * carries other peers' timers and I/O; IP literals need no lookup and connect at once.
     */
    private void dial() {
        if (closed) {
            return;
        }
        InetSocketAddress remote = Addresses.parse(address);
        String host = remote.getHostString();
        if (NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host)) {
            connect(new InetSocketAddress(host, remote.getPort())); // a literal: no DNS involved
            return;
        }
        try {
            owner.resolver().execute(() -> {
                InetSocketAddress resolved = new InetSocketAddress(host, remote.getPort()); // blocking lookup, off the loop
                loop.execute(() -> {
                    if (resolved.isUnresolved()) {
                        if (!closed) {
                            String why = "connect to " + address + " failed: unknown host " + host;
                            call(() -> handler.onDisconnected(this, DisconnectCause.CONNECT_FAILED, why));
                            retryLater();
                        }
                    } else {
                        connect(resolved);
                    }
                });
            });
        } catch (RejectedExecutionException e) {
            // the transport is closing
        }
    }

    private void connect(InetSocketAddress target) {
        if (closed) {
            return;
        }
        // A new initializer per dial: it removes itself once the channel is set up, and is then
        // garbage instead of a few hundred bytes kept per link for the link's whole life.
        ChannelInitializer<Channel> initializer = new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ConnectionHandler h = new ConnectionHandler();
                if (!owner.raw()) {
                    ch.pipeline().addLast("framer", new FrameDecoder(h));
                }
                ch.pipeline().addLast("link", h);
            }
        };
        ChannelFuture f = owner.bootstrap().clone(loop).handler(initializer).connect(target);
        connecting = f;
        f.addListener((ChannelFutureListener) this::connectDone);
    }

    private void connectDone(ChannelFuture f) {
        if (connecting == f) {
            connecting = null;
        }
        if (closed) {
            f.channel().close();
            return;
        }
        if (f.isSuccess()) {
            Channel ch = f.channel();
            channel = ch;
            reconnect.connected();
            KeepaliveTuner k = owner.keepalive();
            if (k != null) {
                log.debug("{}: {}", address, k.apply(ch));
            }
            call(() -> handler.onConnected(this));
        } else if (!f.isCancelled()) {
            String why = "connect to " + address + " failed: " + Disconnects.message(f.cause());
            call(() -> handler.onDisconnected(this, DisconnectCause.CONNECT_FAILED, why));
            retryLater();
        }
    }

    /** Schedules the next dial after the backoff's delay. */
    private void retryLater() {
        long d = reconnect.lost();
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

    @Override
    public SerialScheduler scheduler() {
        return scheduler;
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
        return owner.name() + " " + address;
    }

    @Override
    public void close() {
        if (!CLOSING.compareAndSet(this, false, true)) {
            return; // CLOSED_LOCALLY is reported at most once, however many threads close
        }
        closed = true;
        owner.forget(this);
        try {
            loop.execute(this::closeOnLoop);
        } catch (RejectedExecutionException e) {
            Channel ch = channel;
            if (ch != null) {
                ch.close();
            }
        }
    }

    private void closeOnLoop() {
        reconnect.stop();
        ChannelFuture f = connecting;
        connecting = null;
        if (f != null) {
            // Until Netty's own connect task has run, the attempt can be cancelled, and cancelling
            // runs connectDone at once (it may touch the field): work on the local copy only.
            f.cancel(false);
            f.channel().close();
        }
        Channel ch = channel;
        channel = null;
        if (ch != null) {
            ch.close();
        }
        call(() -> handler.onDisconnected(this, DisconnectCause.CLOSED_LOCALLY, "link closed"));
    }

    @Override
    public String toString() {
        return describe();
    }

    /**
     * The per-channel handler. Owns its channel: it alone closes it. Reports the loss once (at the
     * first sign: an error, or the peer's FIN), then lets the channel finish closing; the next
     * dial is scheduled when the channel is inactive.
     */
    private final class ConnectionHandler extends ChannelInboundHandlerAdapter implements FrameDecoder.Sink {
        private boolean reported;
        private final FloodGuard guard = owner.newInboundGuard(scheduler.ticker().nanoTime());

        /**
         * Raw mode only: whatever a peer that does not speak the protocol sent, discarded (its bytes
         * are not ours to read). Frames of the protocol go to {@link #frame}.
         */
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            io.netty.util.ReferenceCountUtil.release(msg);
        }

        /**
         * One whole frame, in place in the framer's buffer: copied into this thread's scratch
         * buffer (no NIO view, no slice: nothing allocated) and handed to the link's handler.
         */
        @Override
        public void frame(ChannelHandlerContext ctx, ByteBuf in, int offset, int length) {
            if (reported || channel != ctx.channel()) {
                return;
            }
            FloodGuard.Verdict v = guard.onFrame(scheduler.ticker().nanoTime());
            if (v != FloodGuard.Verdict.PASS) {
                overRate(ctx, v);
                return;
            }
            ByteBuffer nio = RECEIVED.get();
            nio.clear();
            in.getBytes(offset, nio.array(), nio.arrayOffset(), length);
            nio.limit(length);
            try {
                handler.onFrame(TcpLink.this, nio);
            } catch (RuntimeException e) {
                log.warn("{}: link handler threw; ignored", address, e);
            }
        }

        /** A frame over the rate: dropped unread and counted; a persistent flood closes the connection. */
        private void overRate(ChannelHandlerContext ctx, FloodGuard.Verdict v) {
            owner.framesDropped.increment();
            long n = owner.framesDropped.sum();
            if (LogLimit.loud(n)) {
                log.warn("{}: dropping inbound frames over {}/s; {} dropped so far on {}", address,
                        Math.round(owner.maxInboundFrameRate()), n, owner.name());
            }
            if (v == FloodGuard.Verdict.CLOSE) {
                owner.floodCloses.increment();
                long c = owner.floodCloses.sum();
                String detail = "inbound frame flood: over " + Math.round(owner.maxInboundFrameRate()) + " frames/s for "
                        + owner.floodCloseAfterNanos() / 1_000_000 + " ms";
                if (LogLimit.loud(c)) {
                    log.warn("{}: closing connection: {}; {} flooded connections closed so far", address, detail, c);
                }
                lost(ctx.channel(), DisconnectCause.PROTOCOL_ERROR, detail);
                ctx.close(); // channelInactive schedules the reconnect
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                // The peer sent FIN. We owe a responder nothing: flush, send our FIN, close.
                lost(ctx.channel(), DisconnectCause.CLOSED_BY_PEER, "connection closed by peer (FIN)");
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
            if (!reported) {
                if (c == DisconnectCause.PROTOCOL_ERROR) {
                    log.warn("{}: closing connection: {}", address, detail);
                } else {
                    log.debug("{}: connection error: {}", address, detail);
                }
            }
            lost(ctx.channel(), c, detail);
            ctx.close();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            Channel ch = ctx.channel();
            if (!reported && channel == ch) {
                boolean w = ch.isWritable();
                call(() -> handler.onWritabilityChanged(TcpLink.this, w));
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            lost(ctx.channel(), DisconnectCause.CLOSED_BY_PEER, "connection closed");
            if (!closed) {
                retryLater(); // the channel is gone: now the next one may be dialled
            }
            ctx.fireChannelInactive();
        }

        private void lost(Channel ch, DisconnectCause cause, String detail) {
            if (reported) {
                return;
            }
            reported = true;
            if (channel != ch) {
                return; // closed locally: CLOSED_LOCALLY was already reported
            }
            channel = null;
            if (!closed) {
                call(() -> handler.onDisconnected(TcpLink.this, cause, detail));
            }
        }
    }
}
