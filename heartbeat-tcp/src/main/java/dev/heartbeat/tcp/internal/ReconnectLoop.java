package dev.heartbeat.tcp.internal;

import dev.heartbeat.engine.spi.Cancellable;
import dev.heartbeat.engine.spi.ReconnectBackoff;
import dev.heartbeat.engine.spi.SerialScheduler;
import java.util.Objects;

/**
 * When to dial: the first attempt at once, every later one after a {@link ReconnectBackoff}
 * delay (full jitter, capped, reset once a connection stayed up for the stable period). Knows
 * nothing about sockets, so it runs on virtual time in tests.
 *
 * <p>A base class rather than an object a link holds: a monitor keeps a link per peer, and the
 * loop's few fields inside the link cost less than a loop object and a dial callback beside it.
 * The backoff is made at the first loss ({@link #newBackoff()}): most connections are never lost,
 * and until one is there is nothing to back off from, so the schedule is the same as with a
 * backoff made up front.
 *
 * <p>Not thread-safe: every method is called on {@link #scheduler()}'s thread.
 */
public abstract class ReconnectLoop {

    private final SerialScheduler scheduler;
    private ReconnectBackoff backoff;
    /**
     * The attempt to come or under way, which {@link #stop()} cancels: the next dial, scheduled
     * after a backoff delay, or the connect a dial started ({@link #attempting}). One field for
     * both: the next dial is scheduled only once the connect before it is over.
     */
    private Cancellable pending;
    private boolean stopped;

    protected ReconnectLoop(SerialScheduler scheduler) {
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    }

    /** Starts one connection attempt; its outcome must come back as {@link #connected()} or {@link #lost()}. */
    protected abstract void dial();

    /** Makes the backoff; called once, at the first loss. */
    protected abstract ReconnectBackoff newBackoff();

    /**
     * A connect is under way; {@link #stop()} cancels it with {@code attempt} until
     * {@link #attempted} says it is over.
     */
    protected void attempting(Cancellable attempt) {
        pending = attempt;
    }

    /** The connect that {@code attempt} would cancel is over (succeeded, failed or cancelled). */
    protected void attempted(Cancellable attempt) {
        if (pending == attempt) {
            pending = null;
        }
    }

    /** The scheduler the attempts are timed on. */
    public SerialScheduler scheduler() {
        return scheduler;
    }

    /** Dials now. */
    public void start() {
        if (!stopped) {
            dial();
        }
    }

    /** The attempt succeeded. */
    public void connected() {
        if (backoff != null) { // else nothing was lost yet: there is no backoff to reset
            backoff.connected(scheduler.ticker().nanoTime());
        }
    }

    /**
     * The attempt failed or the connection was lost: schedules the next attempt.
     *
     * <p>An attempt still pending is cancelled first, and its cancel may report back at once (a
     * connect future runs its listeners): if that report already scheduled the next attempt, or
     * stopped the loop, this call schedules nothing more and leaves the backoff as it is — one
     * loss, one redial, one step of the backoff.
     *
     * @return the delay chosen, in nanoseconds; -1 when stopped, or when the cancelled attempt's
     *     own report scheduled the next attempt (that call returned the delay)
     */
    public long lost() {
        if (stopped) {
            return -1;
        }
        Cancellable p = pending;
        if (p != null) {
            pending = null;
            p.cancel();
            if (stopped || pending != null) {
                return -1; // the cancel's callbacks stopped the loop or already scheduled the redial
            }
        }
        ReconnectBackoff b = backoff;
        if (b == null) {
            b = backoff = Objects.requireNonNull(newBackoff(), "newBackoff()");
        }
        b.disconnected(scheduler.ticker().nanoTime());
        long delay = b.nextDelayNanos();
        pending = scheduler.schedule(this::redial, delay);
        return delay;
    }

    private void redial() {
        pending = null;
        if (!stopped) {
            dial();
        }
    }

    /** Attempts since the last reset. */
    public int attempts() {
        return backoff == null ? 0 : backoff.attempts();
    }

    /** Stops for good: the next dial, or the connect under way, is cancelled. */
    public void stop() {
        stopped = true;
        Cancellable p = pending;
        pending = null;
        if (p != null) {
            p.cancel(); // a connect's cancel may call attempted() at once: the field is already clear
        }
    }
}
