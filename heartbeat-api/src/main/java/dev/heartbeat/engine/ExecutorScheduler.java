package dev.heartbeat.engine;

import dev.heartbeat.detect.Ticker;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@link SerialScheduler} on one dedicated daemon thread with the system ticker. For the
 * in-memory transport and for applications without an event loop of their own.
 */
public final class ExecutorScheduler implements SerialScheduler, AutoCloseable {

    private final ScheduledExecutorService executor;
    private volatile Thread thread;

    /** A scheduler whose thread is named {@code name}. */
    public ExecutorScheduler(String name) {
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            thread = t;
            return t;
        });
    }

    @Override
    public Ticker ticker() {
        return Ticker.system();
    }

    @Override
    public void execute(Runnable task) {
        executor.execute(task);
    }

    @Override
    public Cancellable schedule(Runnable task, long delayNanos) {
        ScheduledFuture<?> f = executor.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public boolean inScheduler() {
        return Thread.currentThread() == thread;
    }

    /** Stops the thread; queued tasks are dropped. */
    @Override
    public void close() {
        executor.shutdownNow();
    }
}
