package dev.heartbeat.failover;

import dev.heartbeat.detect.Ticker;
import dev.heartbeat.internal.Checks;
import java.time.Duration;
import java.util.Objects;

/**
 * Bounds retries to a fraction of recent calls, so that retrying on another peer cannot snowball
 * into an overload when many calls fail at once (the shape of Finagle's {@code RetryBudget} and
 * of gRPC's retry throttling). Thread-safe.
 *
 * <p>Over a sliding window (kept as {@value #BUCKETS} buckets), a retry is allowed while
 * <pre>
 *   retries in window + 1  ≤  minRetriesPerSecond × window  +  ratio × calls in window
 * </pre>
 * Only first attempts count as calls; retries don't earn more retries. The reserve
 * ({@code minRetriesPerSecond × window}) lets a client with little traffic still retry; the ratio
 * bounds the extra load a burst of failures can cause to {@code 1 + ratio} times the offered load
 * (plus the reserve).
 *
 * <p>Time is read from the injected {@link Ticker}; nothing runs in the background.
 */
public final class RetryBudget {

    /** Default retries allowed per call in the window: 0.2 (20 % extra load at most). */
    public static final double DEFAULT_RATIO = 0.2;
    /** Default reserve of retries per second, whatever the traffic: 10. */
    public static final int DEFAULT_MIN_RETRIES_PER_SECOND = 10;
    /** Default window over which calls and retries are counted: 10 s. */
    public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(10);

    static final int BUCKETS = 10;

    private final double ratio;
    private final int minRetriesPerSecond;
    private final Duration window;
    private final long bucketNanos;
    private final double reserve;
    private final Ticker ticker;

    // guarded by this
    private final long[] calls = new long[BUCKETS];
    private final long[] retries = new long[BUCKETS];
    private long currentBucket;
    private long callsInWindow;
    private long retriesInWindow;
    private long denied;

    private RetryBudget(Builder b) {
        this.ratio = b.ratio;
        this.minRetriesPerSecond = b.minRetriesPerSecond;
        this.window = b.window;
        this.bucketNanos = Math.max(1, b.window.toNanos() / BUCKETS);
        this.reserve = minRetriesPerSecond * (b.window.toNanos() / 1e9);
        this.ticker = b.ticker;
        this.currentBucket = ticker.nanoTime() / bucketNanos;
    }

    /** A budget with the defaults on the system ticker. */
    public static RetryBudget ofDefaults() {
        return custom().build();
    }

    public static Builder custom() {
        return new Builder();
    }

    /** A builder starting from {@code base}'s settings (not its counts). */
    public static Builder from(RetryBudget base) {
        return custom().ratio(base.ratio).minRetriesPerSecond(base.minRetriesPerSecond).window(base.window)
                .ticker(base.ticker);
    }

    /** Counts a call (a first attempt). */
    public synchronized void recordCall() {
        roll();
        calls[(int) (currentBucket % BUCKETS)]++;
        callsInWindow++;
    }

    /**
     * Takes one retry from the budget if there is one.
     *
     * @return true when the retry may go ahead (it is counted), false when the budget is spent
     */
    public synchronized boolean tryRetry() {
        roll();
        if (retriesInWindow + 1 <= reserve + ratio * callsInWindow) {
            retries[(int) (currentBucket % BUCKETS)]++;
            retriesInWindow++;
            return true;
        }
        denied++;
        return false;
    }

    /** Retries that could be taken now. */
    public synchronized long available() {
        roll();
        return Math.max(0, (long) Math.floor(reserve + ratio * callsInWindow - retriesInWindow));
    }

    /** Retries refused so far, over the budget's life. */
    public synchronized long denied() {
        return denied;
    }

    public double ratio() {
        return ratio;
    }

    public int minRetriesPerSecond() {
        return minRetriesPerSecond;
    }

    public Duration window() {
        return window;
    }

    private void roll() {
        long now = ticker.nanoTime() / bucketNanos;
        if (now <= currentBucket) {
            return;
        }
        long steps = Math.min(BUCKETS, now - currentBucket);
        for (long i = 1; i <= steps; i++) {
            int idx = (int) ((currentBucket + i) % BUCKETS);
            callsInWindow -= calls[idx];
            retriesInWindow -= retries[idx];
            calls[idx] = 0;
            retries[idx] = 0;
        }
        currentBucket = now;
    }

    @Override
    public String toString() {
        return "RetryBudget{ratio=" + ratio + ", minRetriesPerSecond=" + minRetriesPerSecond + ", window=" + window + "}";
    }

    /** Validating builder. */
    public static final class Builder {
        private double ratio = DEFAULT_RATIO;
        private int minRetriesPerSecond = DEFAULT_MIN_RETRIES_PER_SECOND;
        private Duration window = DEFAULT_WINDOW;
        private Ticker ticker = Ticker.system();

        private Builder() {
        }

        /** Retries allowed per call in the window, 0.0..1.0 (0: only the reserve). */
        public Builder ratio(double ratio) {
            this.ratio = Checks.fraction("retryBudget.ratio", ratio);
            return this;
        }

        /** Reserve of retries per second whatever the traffic, 0..1,000,000. */
        public Builder minRetriesPerSecond(int perSecond) {
            this.minRetriesPerSecond = Checks.range("retryBudget.minRetriesPerSecond", perSecond, 0, 1_000_000);
            return this;
        }

        /** The sliding window, 1 s..10 min. */
        public Builder window(Duration window) {
            this.window = Checks.range("retryBudget.window", window, Duration.ofSeconds(1), Duration.ofMinutes(10));
            return this;
        }

        /** The time source (virtual in tests); default the system ticker. */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        public RetryBudget build() {
            return new RetryBudget(this);
        }
    }
}
