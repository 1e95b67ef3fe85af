package dev.heartbeat.detect;


/**
 * A monotonic nanosecond time source for measuring intervals. All detection reads time through a
 * {@code Ticker} so tests can run on virtual time ({@link dev.heartbeat.testing.ManualTicker}). Wall-clock time, for
 * timestamps shown to people, comes from a {@link java.time.Clock} instead.
 */
@FunctionalInterface
public interface Ticker {

    /** Nanoseconds from an arbitrary origin; only differences are meaningful. */
    long nanoTime();

    /** The system ticker, {@link System#nanoTime()}. */
    static Ticker system() {
        return System::nanoTime;
    }
}
