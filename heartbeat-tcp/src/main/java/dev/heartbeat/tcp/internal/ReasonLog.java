package dev.heartbeat.tcp.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A rate limit for log lines that clients can trigger at will, kept per reason: at most one line
 * per reason per {@code period}, and the line that is let through says how many were left out
 * before it. Unlike sampling by count (the 1st, 2nd, 4th… occurrence of any protocol error), a
 * rare reason is always logged the first time it happens, however many other errors flooded in
 * before; and a flood of one reason costs one line per period, not one per doubling.
 *
 * <pre>{@code
 * long skipped = limit.admit(reason, ticker.nanoTime());
 * if (skipped >= 0) {
 *     log.warn("{}: invalid frame ({}){}", remote, message, ReasonLog.skipped(skipped));
 * }
 * }</pre>
 *
 * Time is the caller's ticker, so tests run it on virtual time. Thread-safe and lock-free; one
 * small object per reason, made the first time the reason is seen (reasons are a small fixed set:
 * enum constants or constant strings). Internal use only.
 */
public final class ReasonLog {

    /** The default: one line per reason every 10 s. */
    public static final long DEFAULT_PERIOD_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final long periodNanos;
    private final ConcurrentHashMap<Object, Slot> slots = new ConcurrentHashMap<>();

    private static final class Slot {
        /** When the next line may be logged; Long.MIN_VALUE until the first. */
        final AtomicLong nextAt = new AtomicLong(Long.MIN_VALUE);
        final AtomicLong skipped = new AtomicLong();
    }

    public ReasonLog(long periodNanos) {
        if (periodNanos <= 0) {
            throw new IllegalArgumentException("periodNanos : " + periodNanos + " (expected: > 0)");
        }
        this.periodNanos = periodNanos;
    }

    /**
     * One occurrence of {@code reason} at {@code nowNanos}: returns how many occurrences of this
     * reason were left out since its last line (0 or more) when this one should be logged, or -1
     * when it should not.
     */
    public long admit(Object reason, long nowNanos) {
        Slot s = slots.computeIfAbsent(reason, r -> new Slot());
        long next = s.nextAt.get();
        if ((next == Long.MIN_VALUE || nowNanos - next >= 0) && s.nextAt.compareAndSet(next, nowNanos + periodNanos)) {
            return s.skipped.getAndSet(0);
        }
        s.skipped.incrementAndGet();
        return -1;
    }

    /** The period between two lines of one reason. */
    public long periodNanos() {
        return periodNanos;
    }

    /** "" or " (41 more like it since the last line)", for the end of a log line. */
    public static String skipped(long n) {
        return n <= 0 ? "" : " (" + n + " more like it since the last line)";
    }
}
