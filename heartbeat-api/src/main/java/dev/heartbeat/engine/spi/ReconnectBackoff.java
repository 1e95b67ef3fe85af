package dev.heartbeat.engine.spi;

import dev.heartbeat.internal.Checks;
import java.time.Duration;
import java.util.Random;

/**
 * Reconnection delays: exponential backoff with <em>full jitter</em> (a delay drawn uniformly from
 * {@code [0, min(cap, base · 2^attempt)]}, as in AWS's "Exponential Backoff and Jitter"), reset
 * once a connection has stayed up for {@code stablePeriod}. Full jitter spreads many monitors that
 * lost the same restarted responder over the whole window instead of letting them stampede it
 * together.
 *
 * <p>Not thread-safe; one instance per link, used on its scheduler. Randomness is injected so
 * tests can check the schedule.
 */
public final class ReconnectBackoff {

    /** Default first window. */
    public static final Duration DEFAULT_BASE = Duration.ofMillis(100);
    /** Default largest window. */
    public static final Duration DEFAULT_CAP = Duration.ofSeconds(10);
    /** Default time a connection must stay up before the backoff resets. */
    public static final Duration DEFAULT_STABLE_PERIOD = Duration.ofSeconds(5);

    private final long baseNanos;
    private final long capNanos;
    private final long stableNanos;
    private final Random random;
    private int attempt;
    private long connectedAt = Long.MIN_VALUE;

    /**
     * @throws IllegalArgumentException when base is not positive, cap is below base, or the stable period is negative
     */
    public ReconnectBackoff(Duration base, Duration cap, Duration stablePeriod, Random random) {
        Checks.positive("reconnect base", base);
        if (cap == null || cap.compareTo(base) < 0) {
            throw Checks.bad("reconnect cap", cap, ">= base " + base);
        }
        Checks.nonNegative("reconnect stablePeriod", stablePeriod);
        this.baseNanos = base.toNanos();
        this.capNanos = cap.toNanos();
        this.stableNanos = stablePeriod.toNanos();
        this.random = random;
    }

    /** Defaults: base 100 ms, cap 10 s, stable after 5 s. */
    public static ReconnectBackoff ofDefaults() {
        return new ReconnectBackoff(DEFAULT_BASE, DEFAULT_CAP, DEFAULT_STABLE_PERIOD, new Random());
    }

    /** The upper bound of the window for the next attempt, in nanoseconds. */
    public long windowNanos() {
        int shift = Math.min(attempt, 40);
        long w = baseNanos << shift;
        return (w <= 0 || w > capNanos || (w >> shift) != baseNanos) ? capNanos : w;
    }

    /** The delay before the next attempt (uniform in [0, window]); counts the attempt. */
    public long nextDelayNanos() {
        long window = windowNanos();
        attempt++;
        return (long) (random.nextDouble() * window);
    }

    /** Attempts made since the last reset. */
    public int attempts() {
        return attempt;
    }

    /** A connection was established at {@code nowNanos}. */
    public void connected(long nowNanos) {
        connectedAt = nowNanos;
    }

    /** The connection was lost at {@code nowNanos}: resets the backoff if it had been up long enough. */
    public void disconnected(long nowNanos) {
        if (connectedAt != Long.MIN_VALUE && nowNanos - connectedAt >= stableNanos) {
            attempt = 0;
        }
        connectedAt = Long.MIN_VALUE;
    }

    /** Forgets all attempts. */
    public void reset() {
        attempt = 0;
    }
}
