package dev.heartbeat.tcp.internal;

import dev.heartbeat.engine.spi.Cancellable;
import dev.heartbeat.engine.spi.ReconnectBackoff;
import dev.heartbeat.engine.spi.SerialScheduler;
import java.util.Objects;
import java.util.function.LongConsumer;

/**
 * When to dial: the first attempt at once, every later one after a {@link ReconnectBackoff}
 * delay (full jitter, capped, reset once a connection stayed up for the stable period). Knows
 * nothing about sockets, so it runs on virtual time in tests.
 *
 * <p>Not thread-safe: every method is called on {@code scheduler}'s thread.
 */
public final class ReconnectLoop {

    private final SerialScheduler scheduler;
    private final ReconnectBackoff backoff;
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
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.dial = Objects.requireNonNull(dial, "dial");
        this.onDelay = onDelay == null ? d -> { } : onDelay;
    }

    /** Dials now. */
    public void start() {
        if (!stopped) {
            dial.run();
        }
    }

    /** The attempt succeeded. */
    public void connected() {
        backoff.connected(scheduler.ticker().nanoTime());
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
        backoff.disconnected(scheduler.ticker().nanoTime());
        long delay = backoff.nextDelayNanos();
        onDelay.accept(delay);
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
        return backoff.attempts();
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
