package dev.heartbeat.udp.internal;

import dev.heartbeat.detect.Ticker;
import dev.heartbeat.engine.spi.Cancellable;
import dev.heartbeat.engine.spi.SerialScheduler;
import dev.heartbeat.engine.spi.TimerEntry;
import dev.heartbeat.engine.spi.TimerQueue;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A {@link SerialScheduler} over one Netty {@link EventLoop}: a peer's state, its timers and the
 * socket it sends on live on the same thread, so the loop is the socket's single writer and the
 * peer's state needs no lock. Time is the system ticker. Once the loop is shut down (the transport
 * closed) tasks and timers are dropped silently.
 *
 * <p>The same idea as heartbeat-tcp's scheduler; the transports do not import each other, and
 * heartbeat-api holds no Netty, so each transport keeps its own few lines of it.
 *
 * <p>Open for a transport to add what it keeps per event loop (its links then hold one reference
 * for both); it changes none of the scheduling.
 */
public class EventLoopScheduler implements SerialScheduler {

    private static final Cancellable NOTHING = () -> { };

    private final EventLoop loop;
    private final Ticker ticker = Ticker.system();
    /** The loop's timer queue, shared by every link of the loop; or null. */
    private TimerQueue timers;

    public EventLoopScheduler(EventLoop loop) {
        this.loop = Objects.requireNonNull(loop, "loop");
    }

    /** The event loop. */
    public EventLoop eventLoop() {
        return loop;
    }

    @Override
    public Ticker ticker() {
        return ticker;
    }

    @Override
    public void execute(Runnable task) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            // the transport is closed
        }
    }

    @Override
    public Cancellable schedule(Runnable task, long delayNanos) {
        try {
            ScheduledFuture<?> f = loop.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
            return () -> f.cancel(false);
        } catch (RejectedExecutionException e) {
            return NOTHING;
        }
    }

    /**
     * A scheduler on {@code loop} whose {@link #arm(TimerEntry, long) entries} and {@link #newTimer timers}
     * share one {@link TimerQueue}: a
     * transport makes one per event loop and gives it to every link on that loop, so re-arming a
     * peer's timer (the peer itself) allocates nothing. Its entries and timers must be armed on the loop.
     */
    public static EventLoopScheduler withTimerQueue(EventLoop loop) {
        return new EventLoopScheduler(loop, true);
    }

    /**
     * A scheduler on {@code loop}; with {@code timerQueue}, one whose timers share a
     * {@link TimerQueue}, as {@link #withTimerQueue} makes.
     */
    protected EventLoopScheduler(EventLoop loop, boolean timerQueue) {
        this(loop);
        if (timerQueue) {
            timers = new TimerQueue(new EventLoopScheduler(loop));
        }
    }

    @Override
    public TimerQueue timerQueue() {
        return timers;
    }

    @Override
    public boolean inScheduler() {
        return loop.inEventLoop();
    }
}
