package dev.heartbeat.tcp;

import dev.heartbeat.engine.HeartbeatMonitor;
import dev.heartbeat.engine.HeartbeatResponder;
import dev.heartbeat.engine.spi.DisconnectCause;
import dev.heartbeat.engine.spi.Link;
import dev.heartbeat.engine.spi.LinkHandler;
import dev.heartbeat.engine.spi.SerialScheduler;
import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.Peer;
import dev.heartbeat.peer.PeerAttributes;
import dev.heartbeat.peer.PeerEvent;
import dev.heartbeat.peer.PeerSpec;
import dev.heartbeat.peer.Usability;
import dev.heartbeat.protocol.Frame;
import dev.heartbeat.protocol.FrameCodec;
import dev.heartbeat.protocol.FrameDecodeException;
import dev.heartbeat.protocol.FrameType;
import dev.heartbeat.tcp.internal.EventLoopScheduler;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import java.nio.ByteBuffer;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The second entry point, for users who already run Netty: heartbeats on <em>their</em>
 * connection, in the spirit of {@code IdleStateHandler}. The peer at the other end becomes one of
 * a {@link HeartbeatMonitor}'s peers — the same detection, RTT, epoch and usability code as every
 * other peer, the same registry, the same events for every listener — and, in addition, each of
 * its events is fired down <em>this</em> pipeline as a {@link PeerEvent} (with
 * {@code fireUserEventTriggered}), so that your handler decides what to do, as with Netty's
 * {@code IdleStateEvent}.
 *
 * <pre>{@code
 * HeartbeatMonitor monitor = HeartbeatMonitor.builder(TcpClientTransport.create()).build(); // one per process
 *
 * pipeline.addLast(new LengthFieldBasedFrameDecoder(...));   // your framer: whole messages as ByteBuf
 * pipeline.addLast(HeartbeatHandler.builder(monitor).name("orders-conn-1").build());
 * pipeline.addLast(new MyProtocolHandler() {
 *     public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
 *         if (evt instanceof PeerEvent e && e.toLiveness() == Liveness.DEAD) {
 *             ctx.close();                                      // your policy
 *         }
 *     }
 * });
 * }</pre>
 *
 * <h2>What it needs from the pipeline</h2>
 * Inbound, it must see whole messages as {@link ByteBuf}s (put it after your framer). A message
 * that is a heartbeat frame — magic {@code "HB"}, version 1, and the frame's own length equal to
 * the message's — is consumed (and released) here; every other message is passed on untouched.
 * Both ends must carry heartbeat frames in the same framing; on a heartbeat-only connection use no
 * framer of yours but the frames' own length field (as {@link TcpResponderServer} does). Outbound,
 * PINGs are written as {@link ByteBuf}s from this handler's position, so encoders after it must
 * pass ByteBufs through (Netty's {@code MessageToByteEncoder} does).
 *
 * <p>While the channel is active the peer is monitored under {@link Builder#name(String)} (default
 * {@code netty-<channel id>}); when the channel closes or the handler is removed, the peer is
 * removed from the monitor (a REMOVED event). Removing the peer from the monitor never closes your
 * channel: the channel is yours. PINGs go out every {@code MonitorConfig.interval()} of the
 * monitor, and never while the channel is unwritable (a peer that is not reading gets no more bytes
 * queued; that shows as UNUSABLE).
 *
 * <p>With {@link Builder#responder(HeartbeatResponder)} it also answers the peer's PINGs, so both
 * ends can run the same handler.
 *
 * <p>Not sharable; one instance per channel. Every method runs on the channel's event loop, which
 * is also the peer's thread. Time is the loop's ticker: on an {@code EmbeddedChannel} with a
 * virtual ticker, build the monitor with the same ticker ({@code HeartbeatMonitor.Builder.ticker}).
 */
public final class HeartbeatHandler extends ChannelDuplexHandler {

    private static final Logger log = LoggerFactory.getLogger(HeartbeatHandler.class);

    private final HeartbeatMonitor monitor;
    private final String configuredName;
    private final PeerAttributes attributes;
    private final HeartbeatResponder responder;
    private final Frame scratch = new Frame();

    private ChannelHandlerContext ctx;
    private ChannelLink link;
    private LinkHandler peerHandler;
    private Peer peer;
    private String name;

    private HeartbeatHandler(Builder b) {
        this.monitor = b.monitor;
        this.configuredName = b.name;
        this.attributes = b.attributes;
        this.responder = b.responder;
    }

    /** A builder for handlers whose peers join {@code monitor}. */
    public static Builder builder(HeartbeatMonitor monitor) {
        return new Builder(monitor);
    }

    /** The monitored peer, or {@code null} before the channel became active. */
    public Peer peer() {
        return peer;
    }

    /** The current verdict (UNKNOWN before the channel became active). */
    public Liveness liveness() {
        Peer p = peer;
        return p == null ? Liveness.UNKNOWN : p.liveness();
    }

    /** The current usability (UNKNOWN before the channel became active). */
    public Usability usability() {
        Peer p = peer;
        return p == null ? Usability.UNKNOWN : p.usability();
    }

    /** The last measured round-trip time in nanoseconds, or -1. */
    public long rttNanos() {
        Peer p = peer;
        return p == null ? -1 : p.rttNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive() && ctx.channel().isRegistered()) {
            begin();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        begin();
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        end(DisconnectCause.CLOSED_BY_PEER, "channel closed");
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        end(DisconnectCause.CLOSED_LOCALLY, "handler removed");
    }

    private void begin() {
        if (link != null) {
            return;
        }
        name = configuredName != null ? configuredName : "netty-" + ctx.channel().id().asShortText();
        link = new ChannelLink();
        HeartbeatMonitor.Attached a = monitor.attach(
                PeerSpec.of(name, "netty " + ctx.channel().remoteAddress(), attributes), link, this::fire);
        peer = a.peer();
        peerHandler = a.handler();
        peerHandler.onConnected(link);
    }

    private void end(DisconnectCause cause, String detail) {
        ChannelLink l = link;
        if (l == null || l.ended) {
            return;
        }
        l.ended = true;
        if (cause != DisconnectCause.CLOSED_LOCALLY) {
            peerHandler.onDisconnected(l, cause, detail);
        }
        monitor.removePeer(name);
    }

    /** A peer event, on the event loop: down the pipeline, for the user's handlers. */
    private void fire(PeerEvent event) {
        if (ctx.executor().inEventLoop()) {
            ctx.fireUserEventTriggered(event);
        } else {
            ctx.executor().execute(() -> ctx.fireUserEventTriggered(event));
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof ByteBuf && isHeartbeatFrame((ByteBuf) msg)) {
            ByteBuf buf = (ByteBuf) msg;
            try {
                ByteBuffer nio = buf.nioBuffer();
                if (responder != null && buf.getUnsignedByte(buf.readerIndex() + 3) == FrameType.PING.code()) {
                    answer(nio);
                } else if (link != null && !link.ended) {
                    peerHandler.onFrame(link, nio);
                }
            } finally {
                buf.release();
            }
            return;
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (link != null && !link.ended) {
            peerHandler.onWritabilityChanged(link, ctx.channel().isWritable());
        }
        super.channelWritabilityChanged(ctx);
    }

    /** True when {@code b} holds exactly one heartbeat frame (cheap header checks only). */
    static boolean isHeartbeatFrame(ByteBuf b) {
        int r = b.readerIndex();
        int n = b.readableBytes();
        return n >= FrameCodec.MIN_FRAME_LENGTH && b.getUnsignedShort(r) == FrameCodec.MAGIC
                && b.getUnsignedByte(r + 2) == FrameCodec.VERSION
                && b.getUnsignedShort(r + FrameCodec.LENGTH_FIELD_OFFSET) == n;
    }

    private void answer(ByteBuffer request) {
        ByteBuf out = ctx.alloc().ioBuffer(FrameCodec.MAX_FRAME_LENGTH);
        try {
            ByteBuffer dst = out.internalNioBuffer(0, FrameCodec.MAX_FRAME_LENGTH);
            int start = dst.position();
            if (responder.respond(request, dst, scratch)) {
                out.writerIndex(dst.position() - start);
                ctx.writeAndFlush(out, ctx.voidPromise());
                out = null;
            }
        } catch (FrameDecodeException e) {
            log.debug("{}: invalid PING ignored: {}", ctx.channel(), e.getMessage());
        } finally {
            if (out != null) {
                out.release();
            }
        }
    }

    /** The user's channel, as the monitor's link to the peer. The channel is the user's: closing the link leaves it open. */
    private final class ChannelLink implements Link {
        private final SerialScheduler scheduler = EventLoopScheduler.of(ctx.executor());
        private boolean ended;

        @Override
        public SerialScheduler scheduler() {
            return scheduler;
        }

        @Override
        public boolean send(ByteBuffer frame) {
            if (ended || !ctx.channel().isActive() || !ctx.channel().isWritable()) {
                return false; // a peer that is not reading gets no more bytes queued for it
            }
            ByteBuf out = ctx.alloc().ioBuffer(frame.remaining());
            out.writeBytes(frame);
            ctx.writeAndFlush(out, ctx.voidPromise());
            return true;
        }

        @Override
        public boolean isConnected() {
            return !ended && ctx.channel().isActive();
        }

        @Override
        public boolean isWritable() {
            return ctx.channel().isWritable();
        }

        @Override
        public String describe() {
            return "netty pipeline " + ctx.channel();
        }

        @Override
        public void close() {
            ended = true; // the monitor is done with it; the channel stays the user's
        }
    }

    /** Validating builder. */
    public static final class Builder {
        private final HeartbeatMonitor monitor;
        private String name;
        private PeerAttributes attributes = PeerAttributes.none();
        private HeartbeatResponder responder;

        private Builder(HeartbeatMonitor monitor) {
            this.monitor = Objects.requireNonNull(monitor, "monitor");
        }

        /**
         * The peer's name in the monitor (unique there), not blank. Default {@code netty-<channel id>}.
         */
        public Builder name(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("name : '" + name + "' (expected: not blank)");
            }
            this.name = name;
            return this;
        }

        /** The peer's routing attributes (default none). */
        public Builder attributes(PeerAttributes attributes) {
            this.attributes = Objects.requireNonNull(attributes, "attributes");
            return this;
        }

        /** Also answer the peer's PINGs with this responder (default: don't). */
        public Builder responder(HeartbeatResponder responder) {
            this.responder = Objects.requireNonNull(responder, "responder");
            return this;
        }

        /** A new handler (one per channel). */
        public HeartbeatHandler build() {
            return new HeartbeatHandler(this);
        }
    }
}
