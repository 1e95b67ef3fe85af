package dev.heartbeat.tcp;


import dev.heartbeat.internal.Checks;
import dev.heartbeat.detect.LivenessDetector;
import dev.heartbeat.detect.PhiAccrualDetector;
import dev.heartbeat.engine.HeartbeatResponder;
import dev.heartbeat.peer.Liveness;
import dev.heartbeat.protocol.Frame;
import dev.heartbeat.protocol.FrameCodec;
import dev.heartbeat.protocol.FrameDecodeException;
import dev.heartbeat.protocol.FrameType;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.Ticker;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The second entry point, for users who already run Netty: heartbeats on <em>their</em>
 * connection, in the spirit of {@code IdleStateHandler}. When nothing has been read for one
 * interval it writes a PING; PONGs feed the same {@link LivenessDetector} the monitor uses; when
 * the verdict changes it fires a {@link HeartbeatEvent} down the pipeline and leaves the decision
 * to you.
 *
 * <pre>{@code
 * pipeline.addLast(new LengthFieldBasedFrameDecoder(...));   // your framer: whole messages as ByteBuf
 * pipeline.addLast(HeartbeatHandler.builder().interval(Duration.ofMillis(500)).build());
 * pipeline.addLast(new MyProtocolHandler() {
 *     public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
 *         if (evt instanceof HeartbeatEvent e && e.to() == Liveness.DEAD) {
 *             ctx.close();                                      // your policy
 *         }
 *     }
 * });
 * }</pre>
 *
 * <h2>What it needs from the pipeline</h2>
 * Inbound, it must see whole messages as {@link ByteBuf}s (put it after your framer). A message
 * that is a heartbeat frame — magic {@code "HB"}, version 1, and the frame's own length equal to
 * the message's — is consumed (and released) here; every other message is passed on untouched, and
 * counts as a sign of life (it refreshes the detector without entering its interval history). Both
 * ends must carry heartbeat frames in the same framing; on a heartbeat-only connection use no
 * framer of yours but the frames' own length field (as {@link TcpResponderServer} does). Outbound,
 * the PING is written as a {@link ByteBuf} from this handler's position, so encoders after it
 * must pass ByteBufs through (Netty's {@code MessageToByteEncoder} does).
 *
 * <p>With {@link Builder#responder(HeartbeatResponder)} it also answers the peer's PINGs, so both
 * ends can run the same handler.
 *
 * <p>Not sharable; one instance per channel. Every method runs on the channel's event loop; time
 * is the loop's {@link Ticker} (virtual in {@code EmbeddedChannel} tests). Allocation per
 * heartbeat: one pooled buffer for the PING.
 */
public final class HeartbeatHandler extends ChannelDuplexHandler {

    private static final Logger log = LoggerFactory.getLogger(HeartbeatHandler.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Default interval. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);

    private static final long MIN_WAKE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final long intervalNanos;
    private final long initialTimeoutNanos;
    private final String nodeId;
    private final long epoch;
    private final LivenessDetector detector;
    private final HeartbeatResponder responder;
    private final Frame frame = new Frame();
    private final Runnable tickTask = this::tick;

    private ChannelHandlerContext ctx;
    private Ticker ticker;
    private ScheduledFuture<?> timer;
    private long lastRead;
    /** Start of the current quiet period: the later of the last read and the last PING sent. */
    private long quietSince;
    private long begunAt;
    private long knownEpoch;
    private int nextSeq = RANDOM.nextInt();
    private Liveness liveness = Liveness.UNKNOWN;
    private long rttNanos = -1;
    private boolean running;

    private HeartbeatHandler(Builder b) {
        this.intervalNanos = b.interval.toNanos();
        this.initialTimeoutNanos = b.initialTimeout != null ? b.initialTimeout.toNanos() : 10 * intervalNanos;
        this.nodeId = b.nodeId;
        long e;
        do {
            e = RANDOM.nextLong();
        } while (e == 0);
        this.epoch = e;
        this.detector = b.detector.create(intervalNanos);
        this.responder = b.responder;
    }

    /** A builder: interval 1 s, φ-accrual detector with its defaults, node id "netty-handler". */
    public static Builder builder() {
        return new Builder();
    }

    /** The current verdict (read it on the event loop). */
    public Liveness liveness() {
        return liveness;
    }

    /** The last measured round-trip time in nanoseconds, or -1. */
    public long rttNanos() {
        return rttNanos;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.ticker = ctx.executor().ticker();
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
        stop();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    private void begin() {
        if (running) {
            return;
        }
        running = true;
        lastRead = ticker.nanoTime();
        quietSince = lastRead;
        begunAt = lastRead;
        timer = ctx.executor().schedule(tickTask, intervalNanos, TimeUnit.NANOSECONDS);
    }

    private void stop() {
        running = false;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        long now = ticker.nanoTime();
        lastRead = now;
        quietSince = now;
        if (msg instanceof ByteBuf && isHeartbeatFrame((ByteBuf) msg)) {
            ByteBuf buf = (ByteBuf) msg;
            try {
                onFrame(buf, now);
            } finally {
                buf.release();
            }
            return;
        }
        if (detector.hasHeartbeat() && liveness != Liveness.DEAD) {
            detector.heartbeat(now, false); // the peer's own traffic: alive, but off-rhythm
        }
        super.channelRead(ctx, msg);
    }

    /** True when {@code b} holds exactly one heartbeat frame (cheap header checks only). */
    static boolean isHeartbeatFrame(ByteBuf b) {
        int r = b.readerIndex();
        int n = b.readableBytes();
        return n >= FrameCodec.MIN_FRAME_LENGTH && b.getUnsignedShort(r) == FrameCodec.MAGIC
                && b.getUnsignedByte(r + 2) == FrameCodec.VERSION
                && b.getUnsignedShort(r + FrameCodec.LENGTH_FIELD_OFFSET) == n;
    }

    private void onFrame(ByteBuf buf, long now) {
        ByteBuffer nio = buf.nioBuffer();
        if (responder != null && buf.getUnsignedByte(buf.readerIndex() + 3) == FrameType.PING.code()) {
            answer(nio);
            return;
        }
        try {
            FrameCodec.decode(nio, frame);
        } catch (FrameDecodeException e) {
            log.debug("{}: invalid heartbeat frame ignored: {}", ctx.channel(), e.getMessage());
            return;
        }
        if (frame.type() == FrameType.PONG) {
            int age = (nextSeq - 1) - frame.echoSequence();
            long rtt = now - frame.echoSendTimeNanos();
            if (age < 0 || age >= 1024 || rtt < 0) {
                return; // not an answer to one of our recent PINGs
            }
            if (frame.epoch() != knownEpoch) {
                if (knownEpoch != 0) {
                    detector.reset(); // a new process: its predecessor's rhythm says nothing
                    change(HeartbeatEvent.Kind.RESTARTED, liveness, String.format(Locale.ROOT,
                            "epoch changed %016x -> %016x: restart", knownEpoch, frame.epoch()));
                }
                knownEpoch = frame.epoch();
            }
            rttNanos = rtt;
            Liveness before = liveness;
            detector.heartbeat(now, before == Liveness.ALIVE);
            if (before != Liveness.ALIVE) {
                change(HeartbeatEvent.Kind.LIVENESS, Liveness.ALIVE, before == Liveness.UNKNOWN
                        ? String.format(Locale.ROOT, "first heartbeat, rtt %.1f ms", rtt / 1e6)
                        : String.format(Locale.ROOT, "heartbeat again, rtt %.1f ms", rtt / 1e6));
            }
        } else if (frame.type() == FrameType.GOODBYE) {
            change(HeartbeatEvent.Kind.GOODBYE, liveness, "GOODBYE: peer is leaving"
                    + (frame.comeBackAfterMillis() > 0 ? ", back in about " + frame.comeBackAfterMillis() + " ms" : ""));
        }
    }

    private void answer(ByteBuffer request) {
        ByteBuf out = ctx.alloc().ioBuffer(FrameCodec.MAX_FRAME_LENGTH);
        try {
            ByteBuffer dst = out.internalNioBuffer(0, FrameCodec.MAX_FRAME_LENGTH);
            int start = dst.position();
            if (responder.respond(request, dst, frame)) {
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

    private void tick() {
        timer = null;
        if (!running) {
            return;
        }
        long now = ticker.nanoTime();
        if (now - quietSince >= intervalNanos) {
            ping(now); // at most one PING per interval of quiet, however often we wake
            quietSince = now;
        }
        Liveness l = detector.assess(now);
        if (l != liveness && l != Liveness.UNKNOWN && liveness.canMoveTo(l)) {
            change(HeartbeatEvent.Kind.LIVENESS, l, detector.explain(now));
        }
        if (liveness == Liveness.UNKNOWN && now - begunAt >= initialTimeoutNanos) {
            change(HeartbeatEvent.Kind.LIVENESS, Liveness.DEAD, String.format(Locale.ROOT, "no answer within %d ms",
                    initialTimeoutNanos / 1_000_000));
        }
        // Wake when the quiet time reaches one interval, or when the detector's verdict is due.
        long next = quietSince + intervalNanos - now;
        long change = detector.nextChangeNanos(now);
        if (change != Long.MAX_VALUE) {
            next = Math.min(next, change - now);
        }
        next = Math.max(MIN_WAKE_NANOS, next);
        timer = ctx.executor().schedule(tickTask, next, TimeUnit.NANOSECONDS);
    }

    private void ping(long now) {
        if (!ctx.channel().isActive() || !ctx.channel().isWritable()) {
            return; // a peer that is not reading gets no more bytes queued for it
        }
        frame.ping(epoch, nextSeq, now, nodeId, (int) Math.min(Integer.MAX_VALUE, intervalNanos / 1_000_000));
        ByteBuf out = ctx.alloc().ioBuffer(FrameCodec.MAX_FRAME_LENGTH);
        ByteBuffer dst = out.internalNioBuffer(0, FrameCodec.MAX_FRAME_LENGTH);
        int start = dst.position();
        FrameCodec.encode(frame, dst);
        out.writerIndex(dst.position() - start);
        nextSeq++;
        ctx.writeAndFlush(out, ctx.voidPromise());
    }

    private void change(HeartbeatEvent.Kind kind, Liveness to, String reason) {
        Liveness from = liveness;
        liveness = to;
        ctx.fireUserEventTriggered(new HeartbeatEvent(kind, from, to, reason));
    }

    /** Validating builder. */
    public static final class Builder {
        private Duration interval = DEFAULT_INTERVAL;
        private String nodeId = "netty-handler";
        private LivenessDetector.Factory detector = PhiAccrualDetector.Config.ofDefaults();
        private HeartbeatResponder responder;
        private Duration initialTimeout;

        private Builder() {
        }

        /** A peer that has not answered this long after the channel became active is DEAD, 10 ms..1 h (default 10 intervals). */
        public Builder initialTimeout(Duration timeout) {
            this.initialTimeout = Checks.range("initialTimeout", timeout, Duration.ofMillis(10), Duration.ofHours(1));
            return this;
        }

        /** Read-idle time after which a PING is sent, 10 ms..1 h (default 1 s). */
        public Builder interval(Duration interval) {
            this.interval = Checks.range("interval", interval, Duration.ofMillis(10), Duration.ofHours(1));
            return this;
        }

        /** Node id in our PINGs, 1..255 UTF-8 bytes. */
        public Builder nodeId(String nodeId) {
            Objects.requireNonNull(nodeId, "nodeId");
            int n = nodeId.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            if (n < 1 || n > FrameCodec.MAX_NODE_ID_BYTES) {
                throw new IllegalArgumentException("nodeId : '" + nodeId + "' is " + n + " UTF-8 bytes (expected: 1.."
                        + FrameCodec.MAX_NODE_ID_BYTES + ")");
            }
            this.nodeId = nodeId;
            return this;
        }

        /** The liveness detector (default φ-accrual with its defaults). */
        public Builder detector(LivenessDetector.Factory detector) {
            this.detector = Objects.requireNonNull(detector, "detector");
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
