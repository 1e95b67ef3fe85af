package dev.heartbeat.tcp.internal;

import dev.heartbeat.engine.spi.Cancellable;
import dev.heartbeat.engine.spi.ReconnectBackoff;
import dev.heartbeat.engine.spi.SerialScheduler;
import java.util.Objects;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * When to dial: the first attempt at once, every later one after a {@link ReconnectBackoff}
 * delay (full jitter, capped, reset once a connection stayed up for the stable period). Knows
 * nothing about sockets, so it runs on virtual time in tests.
 *
 * <p>The backoff may be made at the first loss ({@link #ReconnectLoop(SerialScheduler, Supplier,
 * Runnable, LongConsumer)}): a monitor keeps a loop per peer, and most connections are never lost.
 * Until then there is nothing to back off from, so the schedule is the same as with a backoff made
 * up front.
 *
 * <p>Not thread-safe: every method is called on {@code scheduler}'s thread.
 */
public final class ReconnectLoop {

    private final SerialScheduler scheduler;
    /** Makes {@link #backoff} at the first loss; null when it was given up front. */
    private final Supplier<ReconnectBackoff> backoffs;
    private ReconnectBackoff backoff;
    private final Runnable dial;
    private final LongConsumer onDelay;
    private Cancellable pending;
    private boolean stopped;

    /**
     * @param dial starts one connection attempt; its outcome must come back as
     *     {@link #connected()} or {@link #lost()}
     * @param onDelay told each chosen delay in nanoseconds (for logs and tests)
     */
    public ReconnectLoop(SerialScheduler scheduler, ReconnectBackoff backoff, Runnable dial, LongConsumer onDelay) {
        this(scheduler, null, Objects.requireNonNull(backoff, "backoff"), dial, onDelay);
    }

    /**
     * A loop whose backoff {@code backoffs} makes at the first loss.
     *
     * @param onDelay told each chosen delay in nanoseconds, or {@code null} (the delay is also
     *     what {@link #lost()} returns)
     */
    public ReconnectLoop(SerialScheduler scheduler, Supplier<ReconnectBackoff> backoffs, Runnable dial,
                         LongConsumer onDelay) {
        this(scheduler, Objects.requireNonNull(backoffs, "backoffs"), null, dial, onDelay);
    }

    private ReconnectLoop(SerialScheduler scheduler, Supplier<ReconnectBackoff> backoffs, ReconnectBackoff backoff,
                          Runnable dial, LongConsumer onDelay) {
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.backoffs = backoffs;
        this.backoff = backoff;
        this.dial = Objects.requireNonNull(dial, "dial");
        this.onDelay = onDelay;
    }

    /** Dials now. */
    public void start() {
        if (!stopped) {
            dial.run();
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
     * @return the delay chosen, in nanoseconds, or -1 when stopped
     */
    public long lost() {
        if (stopped) {
            return -1;
        }
        ReconnectBackoff b = backoff;
        if (b == null) {
            b = backoff = backoffs.get();
        }
        b.disconnected(scheduler.ticker().nanoTime());
        long delay = b.nextDelayNanos();
        if (onDelay != null) {
            onDelay.accept(delay);
        }
        if (pending != null) {
            pending.cancel();
        }
        pending = scheduler.schedule(() -> {
            pending = null;
            if (!stopped) {
                dial.run();
            }
        }, delay);
        return delay;
    }

    /** Attempts since the last reset. */
    public int attempts() {
        return backoff == null ? 0 : backoff.attempts();
    }

    /** Stops for good: a pending attempt is cancelled. */
    public void stop() {
        stopped = true;
        if (pending != null) {
            pending.cancel();
            pending = null;
        }
    }
}
