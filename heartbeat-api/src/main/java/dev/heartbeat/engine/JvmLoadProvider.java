package dev.heartbeat.engine;

import dev.heartbeat.internal.Checks;
import dev.heartbeat.detect.Ticker;
import dev.heartbeat.protocol.LoadReport;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.lang.management.OperatingSystemMXBean;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * The default {@link LoadProvider}: this JVM's CPU use and heap use, plus counters the
 * application feeds — requests in flight, queue depth, completed and failed requests (turned into
 * requests/s and error rate), a latency figure, and named custom gauges.
 *
 * <pre>{@code
 * JvmLoadProvider load = JvmLoadProvider.create();
 * load.requestStarted();
 * try { serve(); } catch (Exception e) { load.requestFailed(); throw e; } finally { load.requestFinished(); }
 * }</pre>
 *
 * The report is rebuilt at most once per {@code sampleInterval} (default 500 ms) and cached in
 * between, so answering a PING costs a volatile read. Thread-safe.
 */
public final class JvmLoadProvider implements LoadProvider {

    /** Default refresh period of the cached report. */
    public static final Duration DEFAULT_SAMPLE_INTERVAL = Duration.ofMillis(500);

    private final Ticker ticker;
    private final long sampleNanos;
    private final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    private final AtomicLong inFlight = new AtomicLong();
    private final LongAdder requests = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final Map<String, DoubleSupplier> gauges = new ConcurrentHashMap<>();
    private volatile LongSupplier queueDepth = () -> -1;
    private volatile long latencyMicros = -1;

    private volatile LoadReport cached;
    private volatile long cachedAt;
    private long lastRequests;
    private long lastFailures;
    private long lastSampleAt;

    private JvmLoadProvider(Ticker ticker, Duration sampleInterval) {
        Checks.nonNegative("sampleInterval", sampleInterval);
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.sampleNanos = sampleInterval.toNanos();
        this.lastSampleAt = ticker.nanoTime();
    }

    /** A provider with the system ticker and the default sample interval. */
    public static JvmLoadProvider create() {
        return new JvmLoadProvider(Ticker.system(), DEFAULT_SAMPLE_INTERVAL);
    }

    /** A provider with an injected ticker and sample interval. */
    public static JvmLoadProvider create(Ticker ticker, Duration sampleInterval) {
        return new JvmLoadProvider(ticker, sampleInterval);
    }

    /** A request started (in flight +1). */
    public void requestStarted() {
        inFlight.incrementAndGet();
    }

    /** A request finished, successfully or not (in flight −1, completed +1). */
    public void requestFinished() {
        inFlight.decrementAndGet();
        requests.increment();
    }

    /** A request failed (call in addition to {@link #requestFinished()}). */
    public void requestFailed() {
        failures.increment();
    }

    /** Where the queue depth comes from (e.g. an executor's queue size). */
    public void queueDepth(LongSupplier supplier) {
        this.queueDepth = Objects.requireNonNull(supplier, "supplier");
    }

    /** The latency figure to report (the application chooses: typically its p99), in µs; -1 for unknown. */
    public void latencyMicros(long micros) {
        this.latencyMicros = micros;
    }

    /**
     * Adds a named custom gauge (at most {@link LoadReport#MAX_CUSTOM_METRICS}; names of at most
     * {@link LoadReport#MAX_CUSTOM_NAME_BYTES} UTF-8 bytes — checked now, not on the first PING).
     */
    public void gauge(String name, DoubleSupplier value) {
        LoadReport.builder().custom(name, 0.0); // validates the name
        if (!gauges.containsKey(name) && gauges.size() >= LoadReport.MAX_CUSTOM_METRICS) {
            throw new IllegalArgumentException("gauge : '" + name + "' would be custom metric number "
                    + (gauges.size() + 1) + " (expected: at most " + LoadReport.MAX_CUSTOM_METRICS + ")");
        }
        gauges.put(name, Objects.requireNonNull(value, "value"));
    }

    @Override
    public LoadReport load() {
        LoadReport r = cached;
        long now = ticker.nanoTime();
        if (r != null && now - cachedAt < sampleNanos) {
            return r;
        }
        return sample(now);
    }

    private synchronized LoadReport sample(long now) {
        if (cached != null && now - cachedAt < sampleNanos) {
            return cached;
        }
        LoadReport.Builder b = LoadReport.builder();
        b.cpu(cpu());
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        long max = heap.getMax() > 0 ? heap.getMax() : heap.getCommitted();
        if (max > 0) {
            b.memory(Math.min(1.0, heap.getUsed() / (double) max));
        }
        b.inFlight(clampCount(inFlight.get()));
        b.queueDepth(clampCount(safeLong(queueDepth)));
        long req = requests.sum();
        long fail = failures.sum();
        double seconds = (now - lastSampleAt) / 1e9;
        long dReq = req - lastRequests;
        long dFail = fail - lastFailures;
        if (seconds > 0 && cached != null) {
            b.requestsPerSecond(dReq / seconds);
            if (dReq > 0) {
                b.errorRate(Math.min(1.0, dFail / (double) dReq));
            } else if (dFail == 0) {
                b.errorRate(0.0);
            }
        }
        lastRequests = req;
        lastFailures = fail;
        lastSampleAt = now;
        b.latencyMicros(clampCount(latencyMicros));
        gauges.forEach((name, g) -> {
            double v;
            try {
                v = g.getAsDouble();
            } catch (RuntimeException e) {
                return;
            }
            if (Double.isFinite(v)) {
                b.custom(name, v);
            }
        });
        LoadReport r = b.build();
        cached = r;
        cachedAt = now;
        return r;
    }

    /**
     * This JVM's own CPU use, as a fraction of the CPUs available to it (container-aware), not the
     * host's: a busy neighbour on a shared host does not make this service look overloaded.
     */
    private double cpu() {
        double v = Double.NaN;
        if (os instanceof com.sun.management.OperatingSystemMXBean) {
            v = ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuLoad();
        }
        return Double.isNaN(v) || v < 0 ? Double.NaN : Math.min(1.0, v);
    }

    private static long safeLong(LongSupplier s) {
        try {
            return s.getAsLong();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private static long clampCount(long v) {
        return v < 0 ? -1 : Math.min(v, LoadReport.MAX_COUNT);
    }
}
