package dev.heartbeat.testing;

import dev.heartbeat.engine.spi.SerialScheduler;
import dev.heartbeat.engine.spi.Cancellable;

import dev.heartbeat.testing.ManualTicker;
import dev.heartbeat.detect.Ticker;
import java.time.Duration;
import java.util.PriorityQueue;

/**
 * A {@link SerialScheduler} on virtual time: nothing runs until the test says so. Time moves only
 * through {@link #advance(Duration)}, which runs every task due on the way, each at its own due
 * time, in due-time order (ties in submission order). Deterministic: the same test gives the same
 * schedule every run. Drive it from one thread.
 */
public final class VirtualScheduler implements SerialScheduler {

    private final ManualTicker ticker;
    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    private long sequence;
    private Thread driver;

    private static final class Task implements Comparable<Task>, Cancellable {
        final long due;
        final long seq;
        final Runnable runnable;
        boolean cancelled;

        Task(long due, long seq, Runnable runnable) {
            this.due = due;
            this.seq = seq;
            this.runnable = runnable;
        }

        @Override
        public int compareTo(Task o) {
            int c = Long.compare(due, o.due);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }

        @Override
        public void cancel() {
            cancelled = true;
        }
    }

    /** A scheduler on a new {@link ManualTicker}. */
    public VirtualScheduler() {
        this(new ManualTicker());
    }

    /** A scheduler driving {@code ticker}. */
    public VirtualScheduler(ManualTicker ticker) {
        this.ticker = ticker;
    }

    @Override
    public Ticker ticker() {
        return ticker;
    }

    /** The virtual clock, to read or to share with other components. */
    public ManualTicker manualTicker() {
        return ticker;
    }

    @Override
    public synchronized void execute(Runnable task) {
        queue.add(new Task(ticker.nanoTime(), sequence++, task));
    }

    @Override
    public synchronized Cancellable schedule(Runnable task, long delayNanos) {
        Task t = new Task(ticker.nanoTime() + Math.max(0, delayNanos), sequence++, task);
        queue.add(t);
        return t;
    }

    @Override
    public boolean inScheduler() {
        return Thread.currentThread() == driver || driver == null;
    }

    /** Runs every task due now (including tasks they submit for now). */
    public void runPending() {
        advanceNanos(0);
    }

    /** Moves virtual time forward by {@code d}, running due tasks at their due times. */
    public void advance(Duration d) {
        advanceNanos(d.toNanos());
    }

    /** Moves virtual time forward by {@code nanos}, running due tasks at their due times. */
    public void advanceNanos(long nanos) {
        long target = ticker.nanoTime() + nanos;
        driver = Thread.currentThread();
        try {
            while (true) {
                Task t;
                synchronized (this) {
                    t = queue.peek();
                    if (t == null || t.due > target) {
                        break;
                    }
                    queue.poll();
                }
                if (t.cancelled) {
                    continue;
                }
                if (t.due > ticker.nanoTime()) {
                    ticker.setNanos(t.due);
                }
                t.runnable.run();
            }
            ticker.setNanos(target);
        } finally {
            driver = null;
        }
    }

    /**
     * Jumps virtual time forward by {@code d} <em>without</em> running anything on the way, as if
     * this process had been frozen; tasks that became due run on the next {@link #advance}.
     */
    public void freezeFor(Duration d) {
        ticker.advance(d);
    }

    /** Number of tasks waiting (including cancelled ones not yet discarded). */
    public synchronized int queued() {
        return queue.size();
    }
}
