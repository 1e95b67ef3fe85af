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
     * The queue this scheduler's timers and entries share, or null (the default): a transport
     * returns its {@link TimerQueue} for the thread, and {@link #newTimer}, {@link #arm} and
     * {@link #cancel(TimerEntry)} then go through it, allocating nothing to re-arm.
     */
    default TimerQueue timerQueue() {
        return null;
    }

    /**
     * A re-armable timer for {@code task}, armed and cancelled only on this scheduler's thread:
     * one of the {@link #timerQueue()}'s, or, without a queue, one that schedules a new task per
     * {@link Timer#arm} (as {@link #schedule} does).
     */
    default Timer newTimer(Runnable task) {
        TimerQueue q = timerQueue();
        return q != null ? q.newTimer(task) : TimerQueue.scheduled(this, task);
    }

    /**
     * Runs {@code entry} once, {@code delayNanos} from now (0 or less: soon), replacing any pending
     * deadline of it; on this scheduler's thread only. An object with one timer for its life
     * extends {@link TimerEntry} instead of holding a {@link #newTimer Timer}. The default
     * schedules a task per arm (as {@link #schedule} does), and a task left behind by a re-arm or a
     * {@link #cancel(TimerEntry) cancel} stays queued, doing nothing, until its time — unless the
     * scheduler has a {@link #timerQueue()}, whose entries allocate nothing and leave nothing behind.
     */
    default void arm(TimerEntry entry, long delayNanos) {
        TimerQueue q = timerQueue();
        if (q != null) {
            q.arm(entry, delayNanos);
        } else {
            entry.armScheduled(this, delayNanos);
        }
    }

    /** Cancels {@code entry}'s pending run, if any; idempotent; on this scheduler's thread only. */
    default void cancel(TimerEntry entry) {
        TimerQueue q = timerQueue();
        if (q != null) {
            q.cancel(entry);
        } else {
            entry.cancelScheduled();
        }
    }
}
