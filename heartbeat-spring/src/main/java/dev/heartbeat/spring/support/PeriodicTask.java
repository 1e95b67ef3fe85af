package dev.heartbeat.spring.support;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One task run now and then every {@code period} on a daemon thread of its own, started and
 * stopped with a Spring lifecycle; the starter's discovery refresh and health check use it.
 * Thread-safe. Internal to the starter.
 */
public final class PeriodicTask {

    private final String threadName;
    private final Duration period;
    private final Runnable task;
    private ScheduledExecutorService executor;

    public PeriodicTask(String threadName, Duration period, Runnable task) {
        this.threadName = Objects.requireNonNull(threadName, "threadName");
        this.period = Objects.requireNonNull(period, "period");
        this.task = Objects.requireNonNull(task, "task");
    }

    /** Starts it (at once, then every period); does nothing when running. */
    public synchronized void start() {
        if (executor != null) {
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(task, 0, period.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Stops it, interrupting a run in progress. */
    public synchronized void stop() {
        if (executor != null) {
            executor.shutdownNow();
            executor = null;
        }
    }

    public synchronized boolean isRunning() {
        return executor != null;
    }

    /** Runs the task once more, soon, on its thread; does nothing when stopped. */
    public synchronized void runSoon() {
        if (executor != null) {
            try {
                executor.execute(task);
            } catch (RejectedExecutionException stopping) {
                // stopping
            }
        }
    }
}
