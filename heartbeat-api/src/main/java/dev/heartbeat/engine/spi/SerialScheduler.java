package dev.heartbeat.engine.spi;

import dev.heartbeat.testing.VirtualScheduler;

import dev.heartbeat.detect.Ticker;

/**
 * Runs tasks one at a time, in order, on one logical thread, and tells the time. A peer's state
 * lives on exactly one scheduler, so it needs no locks. Implementations: a Netty event loop (in
 * the transports), {@link VirtualScheduler} (virtual
 * time for tests).
 */
public interface SerialScheduler {

    /** The ticker whose time the delays below are measured in. */
    Ticker ticker();

    /** Runs {@code task} soon, after tasks already queued. */
    void execute(Runnable task);

    /** Runs {@code task} once after {@code delayNanos} (0 or less: soon). */
    Cancellable schedule(Runnable task, long delayNanos);

    /** True when called from the scheduler's own thread. */
    boolean inScheduler();

    /**
     * A re-armable timer for {@code task}, armed and cancelled only on this scheduler's thread.
     * The default schedules a new task per {@link Timer#arm} (as {@link #schedule} does); a
     * transport overrides it with a {@link TimerQueue} so that re-arming allocates nothing.
     */
    default Timer newTimer(Runnable task) {
        return TimerQueue.scheduled(this, task);
    }
}
