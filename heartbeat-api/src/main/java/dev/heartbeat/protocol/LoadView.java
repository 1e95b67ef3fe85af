package dev.heartbeat.protocol;

/**
 * The figures of a responder's load report, read-only: what a {@link dev.heartbeat.detect.UsabilityPolicy}
 * and a {@link dev.heartbeat.engine.PeerObserver} are handed for each PONG. Either an immutable
 * {@link LoadReport} or a {@link LoadFigures} holder that the decoder refills with every frame —
 * so a view is valid only during the call it is passed to: read the figures there, and keep
 * {@link #toReport()} (an immutable copy) if you need them later.
 *
 * <p>Unknown figures read as {@code NaN} (fractions and rates) or {@code -1} (counts), as in
 * {@link LoadReport}.
 */
public interface LoadView {

    /** CPU utilisation, 0..1, or {@code NaN}. */
    double cpu();

    /** Memory utilisation, 0..1, or {@code NaN}. */
    double memory();

    /** Requests being served right now, or -1. */
    long inFlight();

    /** Work waiting for a worker, or -1. */
    long queueDepth();

    /** Recent request rate, per second, or {@code NaN}. */
    double requestsPerSecond();

    /** Recent fraction of requests that failed, 0..1, or {@code NaN}. */
    double errorRate();

    /** A recent latency figure in microseconds, or -1. */
    long latencyMicros();

    /** Number of custom metrics. */
    int customCount();

    /** Name of custom metric {@code i}. */
    String customName(int i);

    /** Value of custom metric {@code i}. */
    double customValue(int i);

    /** These figures as an immutable report: the report itself, or a new copy of a mutable view. */
    LoadReport toReport();
}
