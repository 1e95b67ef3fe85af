package dev.heartbeat.tcp;


import dev.heartbeat.engine.spi.DisconnectCause;
import dev.heartbeat.protocol.Frame;
import dev.heartbeat.protocol.FrameCodec;
import dev.heartbeat.protocol.FrameDecodeException;
import dev.heartbeat.tcp.internal.Closing;
import dev.heartbeat.tcp.internal.Disconnects;
import dev.heartbeat.tcp.internal.FloodGuard;
import dev.heartbeat.tcp.internal.FrameDecoder;
import dev.heartbeat.tcp.internal.ReasonLog;
import dev.heartbeat.tcp.internal.IdlestChoice;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.Ticker;
import io.netty.util.concurrent.FastThreadLocal;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One accepted connection of a {@link TcpResponderServer}: answers PINGs, protects the server,
 * and owns the channel (it alone closes it, once). Not sharable; every method runs on the
 * channel's event loop.
 *
 * <p>Timer: one deadline at a time. Until the first PING: accepted-at + idle timeout (a client that
 * never sends a whole PING is closed). After it: last PING + k × the interval that PING
 * advertised (a client that stopped pinging — crashed, frozen, partitioned — is evicted).
 *
 * <p>Rate: every inbound frame passes a {@link FloodGuard} first; a frame over the per-connection
 * rate is dropped unanswered (never decoded), and a client over the rate for
 * {@code floodCloseAfter} is hard-closed. Learned from the first PONG: when the responder advertises
 * a minimum interval, the rate follows it ({@link TcpResponderServer#pingPeriodNanos(int)}).
 *
 * <p>Read from other threads (the server's choice of whom to evict when full):
 * {@link #lastActiveNanos()}, {@link #evictable()} and {@link #claim()}; those fields are volatile
 * or atomic, everything else is loop-confined.
 */
final class ResponderConnection extends ChannelInboundHandlerAdapter implements IdlestChoice.Candidate {

    private static final Logger log = LoggerFactory.getLogger(ResponderConnection.class);

    /** A timer this late means this process stalled; see {@link #checkDeadline()}. */
    private static final long OWN_STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final TcpResponderServer server;
    private final Frame scratch = new Frame();
    private final Runnable checkTask = this::checkDeadline;
    private ChannelHandlerContext ctx;
    private Ticker ticker;
    private long activeAt;
    private long lastPing = Long.MIN_VALUE;
    private long evictAfterNanos;
    private ScheduledFuture<?> timer;
    private long timerDue;
    private boolean inputShutdown;
    private boolean leaving;
    private boolean closeCalled;
    private FloodGuard guard;
    private boolean rateLearned;
    /** Accept time, then the time of the last PING answered; read by the server's eviction scan. */
    private volatile long lastActive;
    /** Closing, leaving or half-closed: not worth evicting. */
    private volatile boolean ending;
    private final AtomicBoolean claimed = new AtomicBoolean();

    ResponderConnection(TcpResponderServer server) {
        this.server = server;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.ticker = ctx.executor().ticker(); // the time base the loop schedules on
        long now = ticker.nanoTime();
        this.lastActive = now;
        this.guard = server.newPingGuard(now);
    }

    @Override
    public long lastActiveNanos() {
        return lastActive;
    }

    @Override
    public boolean evictable() {
        return !ending && !claimed.get();
    }

    /** Marks this connection as the one to evict; false when another thread already did. */
    boolean claim() {
        return !ending && claimed.compareAndSet(false, true);
    }

    /** Closes a connection the server chose to give up for a newcomer (on the event loop). */
    void evictForNewcomer() {
        if (!closeCalled) {
            close(false);
        }
    }

    Channel channel() {
        return ctx.channel();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        activeAt = ticker.nanoTime();
        arm(server.idleTimeoutNanos());
        ctx.fireChannelActive();
    }

    /** Frames arrive as retained slices from the framer; released here. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        ByteBuf out = null;
        try {
            if (closeCalled) {
                return;
            }
            long now = ticker.nanoTime();
            FloodGuard.Verdict v = guard.onFrame(now);
            if (v != FloodGuard.Verdict.PASS) {
                overRate(v);
                return;
            }
            // The PING is copied into this thread's scratch and the PONG encoded into another, then
            // copied into a pooled buffer of its exact size: no NIO view of either per frame.
            int length = frame.readableBytes();
            ByteBuffer request = REQUEST.get();
            request.clear();
            frame.getBytes(frame.readerIndex(), request.array(), request.arrayOffset(), length);
            request.limit(length);
            ByteBuffer dst = REPLY.get();
            dst.clear();
            int start = dst.position();
            boolean answer = server.responder().respond(request, dst, scratch);
            if (answer) {
                // A PING. respond() turned scratch into the PONG, but pong() leaves
                // intervalMillis() as the PING advertised it (HeartbeatResponder#respond).
                boolean first = lastPing == Long.MIN_VALUE;
                lastPing = now;
                lastActive = now;
                if (!rateLearned) {
                    // the PONG just written carries the responder's advice (it is fixed for its life)
                    rateLearned = true;
                    long period = server.pingPeriodNanos(scratch.minIntervalMillis());
                    if (period != guard.periodNanos()) {
                        guard.rate(period, server.pingBurst());
                    }
                }
                evictAfterNanos = server.evictWindowNanos(scratch.intervalMillis());
                if (first) {
                    cancelTimer(); // the idle timeout is over: from now on, eviction
                }
                if (timer == null && evictAfterNanos > 0 && !inputShutdown && !leaving) {
                    arm(evictAfterNanos);
                }
            }
            if (answer && !leaving && !server.closing()) { // a server on its way out answers nothing but GOODBYE
                if (ctx.channel().isWritable()) {
                    int n = dst.position() - start;
                    out = ctx.alloc().ioBuffer(n);
                    out.writeBytes(dst.array(), dst.arrayOffset() + start, n);
                    ctx.writeAndFlush(out, ctx.voidPromise());
                    out = null;
                } else {
                    server.stats.dropped.increment(); // the client does not read: never queue without bound
                }
            }
        } catch (FrameDecodeException e) {
            server.stats.protocolError(e.reason());
            long skipped = server.logs.admit(e.reason(), ticker.nanoTime());
            if (skipped >= 0) {
                log.warn("{}: closing connection: invalid frame: {} [{} protocol errors so far]{}", remote(),
                        e.getMessage(), server.stats.protocolErrors.sum(), ReasonLog.skipped(skipped));
            } else {
                log.debug("{}: closing connection: invalid frame ({}): {}", remote(), e.reason(), e.getMessage());
            }
            close(false);
        } finally {
            frame.release();
            if (out != null) {
                out.release();
            }
        }
    }

    /** A frame over the rate: dropped unanswered and counted; a persistent excess closes. */
    private void overRate(FloodGuard.Verdict v) {
        TcpResponderServer.Counters st = server.stats;
        st.pingsDropped.increment();
        long n = st.pingsDropped.sum();
        long now = ticker.nanoTime();
        long skipped = server.logs.admit("PINGs over the rate", now);
        if (skipped >= 0) {
            log.warn("{}: dropping PINGs over {}/s per connection (burst {}); {} dropped so far{}", remote(),
                    perSecond(guard.periodNanos()), server.pingBurst(), n, ReasonLog.skipped(skipped));
        }
        if (v == FloodGuard.Verdict.CLOSE) {
            st.floodCloses.increment();
            long c = st.floodCloses.sum();
            long closesSkipped = server.logs.admit("flooding", now);
            if (closesSkipped >= 0) {
                log.warn("{}: closing connection: PINGs over the rate for {} ms; {} flooding clients closed so far{}",
                        remote(), server.floodCloseAfterNanos() / 1_000_000, c, ReasonLog.skipped(closesSkipped));
            }
            close(true); // unread bytes are queued at us anyway: RST, not a lingering FIN
        }
    }

    private static String perSecond(long periodNanos) {
        double r = 1e9 / periodNanos;
        return r >= 10 ? Long.toString(Math.round(r)) : String.format(java.util.Locale.ROOT, "%.2f", r);
    }

    /** Per event loop thread: the PING being answered, and the PONG being encoded. */
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

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent && !inputShutdown) {
            // The client sent FIN: shutdown(SHUT_WR) or close(), TCP cannot tell which. Answer
            // what was asked (already written, in order), then send our FIN; both directions are
            // then done, so close. A client that does not read our last bytes gets the grace
            // period, then a hard close.
            inputShutdown = true;
            ending = true;
            if (leaving) {
                close(false); // our FIN is already on its way: both directions ended
            } else if (!closeCalled) {
                Closing.finishAndShutdownOutput(ctx.channel(), () -> close(false));
                armGrace();
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        DisconnectCause c = Disconnects.classify(cause);
        if (c == DisconnectCause.PROTOCOL_ERROR) {
            FrameDecodeException.Reason reason = FrameDecoder.reasonOf(cause);
            server.stats.protocolError(reason);
            long skipped = server.logs.admit(reason == null ? "invalid stream" : reason, ticker.nanoTime());
            if (skipped >= 0) {
                log.warn("{}: closing connection: invalid stream: {} [{} protocol errors so far]{}", remote(),
                        Disconnects.message(cause), server.stats.protocolErrors.sum(), ReasonLog.skipped(skipped));
            } else {
                log.debug("{}: closing connection: invalid stream: {}", remote(), Disconnects.message(cause));
            }
        } else if (c == DisconnectCause.RESET) {
            server.stats.resets.increment();
            log.debug("{}: connection reset: {}", remote(), Disconnects.message(cause));
        } else {
            log.warn("{}: closing connection after error", remote(), cause);
        }
        close(false);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimer();
        closeCalled = true;
        ending = true;
        ctx.fireChannelInactive();
    }

    /**
     * Graceful leave: GOODBYE, then our FIN once it is written, then wait for the client's FIN (it
     * closes when it sees ours) up to the close grace, then a hard close (SO_LINGER 0).
     */
    void goodbye(Duration comeBackAfter) {
        if (closeCalled || leaving) {
            return;
        }
        leaving = true;
        ending = true;
        if (inputShutdown) {
            // The client half-closed: our output is already being finished and shut down; a
            // GOODBYE written now could land after our FIN. Just bound the wait.
            armGrace();
            return;
        }
        ByteBuf out = ctx.alloc().ioBuffer(FrameCodec.MAX_FRAME_LENGTH);
        ByteBuffer dst = out.internalNioBuffer(0, FrameCodec.MAX_FRAME_LENGTH);
        int start = dst.position();
        server.responder().goodbye(dst, scratch, comeBackAfter);
        out.writerIndex(dst.position() - start);
        ctx.writeAndFlush(out, ctx.voidPromise());
        Closing.finishAndShutdownOutput(ctx.channel(), inputShutdown ? () -> close(false) : null);
        armGrace();
    }

    private void armGrace() {
        cancelTimer();
        timer = ctx.executor().schedule(() -> {
            timer = null;
            if (ctx.channel().isOpen()) {
                log.debug("{}: connection not closed within the {} ms grace period; hard close", remote(),
                        server.closeGraceNanos() / 1_000_000);
                close(true);
            }
        }, server.closeGraceNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * The one place this connection is closed; once, except that a hard close may follow a
     * graceful one that did not finish.
     */
    void close(boolean hard) {
        if (closeCalled && !hard) {
            return;
        }
        closeCalled = true;
        ending = true;
        cancelTimer();
        if (hard) {
            Closing.hardClose(ctx.channel());
        } else {
            ctx.channel().close();
        }
    }

    private void arm(long delayNanos) {
        timerDue = ticker.nanoTime() + delayNanos;
        timer = ctx.executor().schedule(checkTask, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void checkDeadline() {
        timer = null;
        if (closeCalled || leaving || inputShutdown) {
            return;
        }
        long now = ticker.nanoTime();
        long late = now - timerDue;
        if (late > OWN_STALL_NANOS && evictAfterNanos > 0 && lastPing != Long.MIN_VALUE) {
            // Our own stall (GC, SIGSTOP, CPU starvation), not the client's silence: the client's
            // PINGs may be waiting unread in the socket. Give it a whole window again.
            log.debug("{}: eviction check ran {} ms late; own stall, not blaming the client", remote(), late / 1_000_000);
            lastPing = now;
            arm(evictAfterNanos);
            return;
        }
        long deadline;
        if (lastPing == Long.MIN_VALUE) {
            deadline = activeAt + server.idleTimeoutNanos();
            if (now - deadline >= 0) {
                server.stats.idleTimeouts.increment();
                log.debug("{}: closing connection: no PING within {} ms", remote(), server.idleTimeoutNanos() / 1_000_000);
                close(false);
                return;
            }
        } else {
            if (evictAfterNanos <= 0) {
                return;
            }
            deadline = lastPing + evictAfterNanos;
            if (now - deadline >= 0) {
                server.stats.evicted.increment();
                log.info("{}: evicting client: no PING for {} ms ({} missed intervals)", remote(),
                        (now - lastPing) / 1_000_000, server.evictAfterMissedPings());
                close(false);
                return;
            }
        }
        arm(deadline - now);
    }

    private Object remote() {
        return ctx.channel().remoteAddress();
    }
}
