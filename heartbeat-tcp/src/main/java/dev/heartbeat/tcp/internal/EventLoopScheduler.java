package dev.heartbeat.tcp.internal;

import dev.heartbeat.detect.Ticker;
import dev.heartbeat.engine.spi.Cancellable;
import dev.heartbeat.engine.spi.SerialScheduler;
import dev.heartbeat.engine.spi.TimerEntry;
import dev.heartbeat.engine.spi.TimerQueue;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SerialScheduler} over one Netty event loop (or any {@link EventExecutor}): a peer's
 * state and its channel's I/O live on the same thread, so the monitor is also the connection's
 * single writer. Time is the system ticker — the same base as a monitor's own-pause detector —
 * unless the executor runs on a ticker of its own (an {@code EmbeddedChannel} on virtual time),
 * whose time it then tells.
 *
 * <p>Open for a transport to add what it keeps per event loop (its links then hold one reference
 * for both); it changes none of the scheduling.
 */
public class EventLoopScheduler implements SerialScheduler {

    private static final Logger log = LoggerFactory.getLogger(EventLoopScheduler.class);

    private final EventExecutor loop;
    private final Ticker ticker;
    /** The loop's timer queue, shared by every scheduler of the loop that a transport hands out; or null. */
    private TimerQueue timers;

    public EventLoopScheduler(EventLoop loop) {
        this.loop = Objects.requireNonNull(loop, "loop");
        this.ticker = Ticker.system();
    }

    /** A scheduler on {@code executor}, telling the time of the executor's own ticker when it has a non-system one. */
    public static EventLoopScheduler of(EventExecutor executor) {
        return new EventLoopScheduler(executor);
    }

    private EventLoopScheduler(EventExecutor executor) {
        this.loop = Objects.requireNonNull(executor, "executor");
        io.netty.util.concurrent.Ticker t = executor.ticker();
        this.ticker = t == io.netty.util.concurrent.Ticker.systemTicker() ? Ticker.system() : t::nanoTime;
    }

    @Override
    public Ticker ticker() {
        return ticker;
    }

    /** Runs the task on the loop; once the transport is closed (the loop shut down) it is dropped. */
    @Override
    public void execute(Runnable task) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            log.debug("task dropped: event loop shut down (transport closed)");
        }
    }

    /** Schedules the task on the loop; once the transport is closed it is dropped. */
    @Override
    public Cancellable schedule(Runnable task, long delayNanos) {
        try {
            ScheduledFuture<?> f = loop.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
            return () -> f.cancel(false);
        } catch (RejectedExecutionException e) {
            log.debug("timer dropped: event loop shut down (transport closed)");
            return () -> { };
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

    /** The loop (or executor) the tasks run on. */
    public EventExecutor executor() {
        return loop;
    }

    @Override
    public boolean inScheduler() {
        return loop.inEventLoop();
    }
}
