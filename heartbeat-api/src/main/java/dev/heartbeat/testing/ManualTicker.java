package dev.heartbeat.testing;

import dev.heartbeat.detect.Ticker;

import java.time.Duration;

/**
 * A ticker that moves only when told to: virtual time for deterministic tests and simulations.
 * Thread-safe (the time is volatile), though tests normally drive it from one thread.
 */
public final class ManualTicker implements Ticker {

    private volatile long now;

    /** Starts at an arbitrary non-zero origin, like a real ticker. */
    public ManualTicker() {
        this(1_000_000_000L);
    }

    /** Starts at {@code startNanos}. */
    public ManualTicker(long startNanos) {
        this.now = startNanos;
    }

    @Override
    public long nanoTime() {
        return now;
    }

    /** Moves time forward. */
    public synchronized void advance(Duration d) {
        advanceNanos(d.toNanos());
    }

    /**
     * Moves time forward by {@code nanos}.
     *
     * @throws IllegalArgumentException when {@code nanos} is negative: monotonic time never goes back
     */
    public synchronized void advanceNanos(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("nanos : " + nanos + " (expected: >= 0, a ticker never goes back)");
        }
        now += nanos;
    }

    /** Sets time to {@code nanos}, which must not be earlier than now. */
    public synchronized void setNanos(long nanos) {
        advanceNanos(nanos - now);
    }
}
