package dev.heartbeat.udp.internal;

/**
 * A token bucket kept in nanoseconds of credit: credit grows with the time that passed, up to
 * {@code burst × period}, and each event costs one {@code period} (1 s / rate). So a source may
 * send {@code burst} events back to back after a quiet spell, and {@code rate} per second for
 * ever. The bucket starts full. Integer arithmetic on ticker differences only (a ticker may be
 * negative); no allocation.
 *
 * <p>Not thread-safe: callers that share one across threads synchronize on it.
 */
public final class TokenBucket {

    private final long periodNanos;
    private final long capacityNanos;
    private long credit;
    private long last;

    /**
     * @param periodNanos the cost of one event, 1 s / rate; &gt; 0
     * @param burst       events allowed back to back; &ge; 1
     * @param now         the ticker's time now
     */
    public TokenBucket(long periodNanos, int burst, long now) {
        if (periodNanos <= 0 || burst < 1) {
            throw new IllegalArgumentException("periodNanos : " + periodNanos + ", burst : " + burst
                    + " (expected: > 0, >= 1)");
        }
        this.periodNanos = periodNanos;
        this.capacityNanos = periodNanos > Long.MAX_VALUE / burst ? Long.MAX_VALUE : periodNanos * burst;
        this.credit = capacityNanos;
        this.last = now;
    }

    /** 1 s / {@code perSecond} in nanoseconds, at least 1. */
    public static long periodOf(double perSecond) {
        return Math.max(1L, Math.round(1e9 / perSecond));
    }

    private void refill(long now) {
        long elapsed = now - last;
        last = now;
        if (elapsed > 0) {
            credit = elapsed >= capacityNanos - credit ? capacityNanos : credit + elapsed;
        }
    }

    /** True when one event may pass now; takes nothing. */
    public boolean available(long now) {
        refill(now);
        return credit >= periodNanos;
    }

    /** Takes one event if it may pass now. */
    public boolean tryTake(long now) {
        refill(now);
        if (credit >= periodNanos) {
            credit -= periodNanos;
            return true;
        }
        return false;
    }

    /** True when the bucket is full at {@code now} (the source has been quiet long enough to forget). */
    public boolean full(long now) {
        refill(now);
        return credit == capacityNanos;
    }
}
