package dev.heartbeat.bench.jmh;

import dev.heartbeat.detect.Ticker;
import dev.heartbeat.engine.spi.Cancellable;
import dev.heartbeat.engine.spi.SerialScheduler;
import dev.heartbeat.engine.spi.TimerEntry;

/**
 * A single-threaded scheduler on a hand-driven clock that allocates nothing per task: a fixed
 * pool of slots, each its own {@link Cancellable}. Good enough for one peer in a benchmark; not a
 * general scheduler (it has {@value #SLOTS} slots and runs tasks only when {@link #runNext()} is called).
 */
final class BenchLoop implements SerialScheduler, Ticker {

    static final int SLOTS = 16;

    private final Slot[] slots = new Slot[SLOTS];
    private long now = 1_000_000_000L;

    BenchLoop() {
        for (int i = 0; i < SLOTS; i++) {
            slots[i] = new Slot();
        }
    }

    private static final class Slot implements Cancellable {
        Runnable task;
        long at;

        @Override
        public void cancel() {
            task = null;
        }
    }

    @Override
    public long nanoTime() {
        return now;
    }

    @Override
    public Ticker ticker() {
        return this;
    }

    @Override
    public void execute(Runnable task) {
        schedule(task, 0);
    }

    @Override
    public Cancellable schedule(Runnable task, long delayNanos) {
        for (Slot s : slots) {
            if (s.task == null) {
                s.task = task;
                s.at = now + Math.max(0, delayNanos);
                return s;
            }
        }
        throw new IllegalStateException("more than " + SLOTS + " pending tasks");
    }

    /**
     * Arms a timer entry (the peer) in a slot of its own, found again by identity: re-arming moves
     * that slot's time, allocating nothing, where the SPI's default would schedule a new task per arm.
     */
    @Override
    public void arm(TimerEntry entry, long delayNanos) {
        for (Slot s : slots) {
            if (s.task == entry) {
                s.at = now + Math.max(0, delayNanos);
                return;
            }
        }
        schedule(entry, delayNanos);
    }

    @Override
    public void cancel(TimerEntry entry) {
        for (Slot s : slots) {
            if (s.task == entry) {
                s.task = null;
            }
        }
    }

    @Override
    public boolean inScheduler() {
        return true;
    }

    /** Moves the clock to the earliest pending task and runs it; false when none is pending. */
    boolean runNext() {
        Slot first = null;
        for (Slot s : slots) {
            if (s.task != null && (first == null || s.at - first.at < 0)) {
                first = s;
            }
        }
        if (first == null) {
            return false;
        }
        Runnable r = first.task;
        first.task = null;
        if (first.at - now > 0) {
            now = first.at;
        }
        r.run();
        return true;
    }
}
