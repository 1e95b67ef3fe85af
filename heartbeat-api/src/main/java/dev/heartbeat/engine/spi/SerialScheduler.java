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
}
