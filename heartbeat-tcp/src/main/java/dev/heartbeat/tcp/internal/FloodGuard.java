package dev.heartbeat.tcp.internal;

/**
 * A per-connection rate limit for inbound frames: a token bucket, plus the rule that turns a
 * sustained excess into "close this connection".
 *
 * <h2>The bucket</h2>
 * Credit is kept in nanoseconds: it grows by the time that passed, up to
 * {@code burst × period}, and each frame costs one {@code period} (1 s / rate). A frame that finds
 * less than one period of credit is over the rate ({@link Verdict#DROP}). So a client may send
 * {@code burst} frames back to back after a quiet spell, and {@code rate} per second for ever.
 * The bucket starts full. Only integer arithmetic, no allocation; time differences only (a ticker
 * may be negative).
 *
 * <h2>Persistent excess</h2>
 * A drop opens (or continues) an excess streak; a streak continues while drops are less than
 * {@code gapNanos} apart. A drop that finds the streak at least {@code closeAfterNanos} old is
 * {@link Verdict#CLOSE}: the client has been over the rate, without a pause of {@code gap}, for
 * that long. {@code closeAfterNanos == 0} never closes.
 *
 * <p>Not thread-safe: one instance per connection, used on its event loop.
 */
public final class FloodGuard {

    /** What to do with one frame. */
    public enum Verdict {
        /** Within the rate: handle it. */
        PASS,
        /** Over the rate: drop it unanswered (and count it). */
        DROP,
        /** Over the rate for too long: drop it and close the connection. */
        CLOSE
    }

    private final long closeAfterNanos;
    private final long gapNanos;
    private long periodNanos;
    private long capacityNanos;
    private long credit;
    private long last;
    private boolean inStreak;
    private long streakStart;
    private long lastDrop;

    /**
     * @param periodNanos     the cost of one frame, 1 s / rate; &gt; 0
     * @param burst           frames allowed back to back; &ge; 1
     * @param closeAfterNanos how long an excess may last before {@link Verdict#CLOSE}; 0 = never
     * @param gapNanos        a pause between drops this long ends a streak; &gt; 0
     * @param now             the ticker's time now
     */
    public FloodGuard(long periodNanos, int burst, long closeAfterNanos, long gapNanos, long now) {
        if (closeAfterNanos < 0 || gapNanos <= 0) {
            throw new IllegalArgumentException("closeAfterNanos : " + closeAfterNanos + ", gapNanos : " + gapNanos
                    + " (expected: >= 0, > 0)");
        }
        this.closeAfterNanos = closeAfterNanos;
        this.gapNanos = gapNanos;
        this.last = now;
        rate(periodNanos, burst);
        this.credit = capacityNanos;
    }

    /** Changes the rate (the credit held is kept, within the new capacity). */
    public void rate(long periodNanos, int burst) {
        if (periodNanos <= 0 || burst < 1) {
            throw new IllegalArgumentException("periodNanos : " + periodNanos + ", burst : " + burst
                    + " (expected: > 0, >= 1)");
        }
        this.periodNanos = periodNanos;
        this.capacityNanos = periodNanos > Long.MAX_VALUE / burst ? Long.MAX_VALUE : periodNanos * burst;
        this.credit = Math.min(credit, capacityNanos);
    }

    /** The cost of one frame, in nanoseconds. */
    public long periodNanos() {
        return periodNanos;
    }

    private void refill(long now) {
        long elapsed = now - last;
        last = now;
        if (elapsed > 0) {
            credit = elapsed >= capacityNanos - credit ? capacityNanos : credit + elapsed;
        }
    }

    /** Takes one frame arriving at {@code now}. */
    public Verdict onFrame(long now) {
        refill(now);
        if (credit >= periodNanos) {
            credit -= periodNanos;
            return Verdict.PASS;
        }
        if (!inStreak || now - lastDrop >= gapNanos) {
            inStreak = true;
            streakStart = now;
        }
        lastDrop = now;
        if (closeAfterNanos > 0 && now - streakStart >= closeAfterNanos) {
            return Verdict.CLOSE;
        }
        return Verdict.DROP;
    }

    /**
     * True when the guard has nothing to remember at {@code now}: the bucket is full and no excess
     * streak could go on (the last drop, if any, is at least {@code gap} ago). A fresh guard made
     * at {@code now} would then decide every later frame exactly as this one, so an owner that
     * keeps guards only while they matter may drop it.
     */
    public boolean idle(long now) {
        refill(now);
        return credit == capacityNanos && (!inStreak || now - lastDrop >= gapNanos);
    }

    /** Checks a rate setting: 1..1,000,000 per second, named {@code name} in the error. */
    public static double checkRate(String name, double perSecond) {
        if (!(perSecond >= 1 && perSecond <= 1_000_000)) {
            throw dev.heartbeat.internal.Checks.bad(name, perSecond, "1..1000000 per second");
        }
        return perSecond;
    }

    /** Checks a {@code floodCloseAfter} setting: 0 (never) or 1 s..1 h. */
    public static java.time.Duration checkCloseAfter(java.time.Duration d) {
        if (d == null || !d.isZero() && (d.compareTo(java.time.Duration.ofSeconds(1)) < 0
                || d.compareTo(java.time.Duration.ofHours(1)) > 0)) {
            throw dev.heartbeat.internal.Checks.bad("floodCloseAfter", d, "0 or PT1S..PT1H");
        }
        return d;
    }

    /** 1 s / {@code perSecond} in nanoseconds, at least 1. */
    public static long periodOf(double perSecond) {
        return Math.max(1L, Math.round(1e9 / perSecond));
    }
}
