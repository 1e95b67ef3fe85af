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

    /**
     * Runs {@code entry} once, {@code delayNanos} from now (0 or less: soon), replacing any pending
     * deadline of it; on this scheduler's thread only. An object with one timer for its life
     * extends {@link TimerEntry} instead of holding a {@link #newTimer Timer}. The default
     * schedules a task per arm (as {@link #schedule} does), and a task left behind by a re-arm or a
     * {@link #cancel(TimerEntry) cancel} stays queued, doing nothing, until its time; a transport
     * overrides this and {@link #cancel(TimerEntry)} with a {@link TimerQueue}, whose entries
     * allocate nothing and leave nothing behind.
     */
    default void arm(TimerEntry entry, long delayNanos) {
        entry.armScheduled(this, delayNanos);
    }

    /** Cancels {@code entry}'s pending run, if any; idempotent; on this scheduler's thread only. */
    default void cancel(TimerEntry entry) {
        entry.cancelScheduled();
    }
}
