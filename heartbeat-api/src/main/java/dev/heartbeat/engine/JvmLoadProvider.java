package dev.heartbeat.engine;

import dev.heartbeat.internal.Checks;
import dev.heartbeat.detect.Ticker;
import dev.heartbeat.protocol.LoadReport;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.lang.management.OperatingSystemMXBean;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default {@link LoadProvider}: this JVM's CPU use and heap use, plus counters the
 * application feeds — requests in flight, queue depth, completed and failed requests (turned into
 * requests/s and error rate), a latency figure, and named custom gauges.
 *
 * <pre>{@code
 * JvmLoadProvider load = JvmLoadProvider.create();
 * load.requestStarted();
 * try { serve(); } catch (Exception e) { load.requestFailed(); throw e; } finally { load.requestFinished(); }
 * ...
 * load.close();   // optional: stops its sampling (an unreachable provider stops by itself)
 * }</pre>
 *
 * <h2>Sampling off the hot path</h2>
 * The report is built every {@code sampleInterval} (default 500 ms) on one background daemon
 * thread, {@code heartbeat-load-sampler}, shared by every provider of the JVM, and published
 * through a volatile field: {@link #load()}, called for every PING on an event loop, is a plain
 * read with no lock, no MXBean call and no user code. A gauge that is slow or throws delays or
 * loses only its own figure, never a PONG. The sampler holds each provider weakly: a provider
 * that is closed, or no longer reachable, stops being sampled, and the thread ends a few seconds
 * after the last provider is gone. A sample interval of zero starts no sampling at all: the
 * report then changes only on {@link #refresh()} (virtual-time tests).
 *
 * <h2>Memory: live heap, not garbage</h2>
 * {@code memory} is the heap in use <em>after the last garbage collection</em> (what the most
 * recent collection left in the heap pools, from its {@code GcInfo}), divided by the maximum heap (the committed heap when no maximum is set). Current usage includes garbage not yet
 * collected: with G1 it climbs towards 90 % before every young collection, which would trip the
 * default degraded threshold on a healthy service. Before the first collection, current usage is
 * reported (the young generation then still holds everything ever allocated, which is small).
 *
 * <p>Thread-safe.
 */
public final class JvmLoadProvider implements LoadProvider, AutoCloseable {

    /** Default period of the background sample. */
    public static final Duration DEFAULT_SAMPLE_INTERVAL = Duration.ofMillis(500);

    private static final Logger log = LoggerFactory.getLogger(JvmLoadProvider.class);

    private final Ticker ticker;
    private final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    private final AtomicLong inFlight = new AtomicLong();
    private final LongAdder requests = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final Map<String, DoubleSupplier> gauges = new ConcurrentHashMap<>();
    private volatile LongSupplier queueDepth = () -> -1;
    private volatile long latencyMicros = -1;

    /** The last report; written by whoever samples, read by every PING. */
    private volatile LoadReport current;
    private final ScheduledFuture<?> task;
    private volatile boolean closed;

    // Sampling state: guarded by 'this', touched only by the sampler thread and refresh().
    private long lastRequests;
    private long lastFailures;
    private long lastSampleAt;
    private boolean sampled;

    private JvmLoadProvider(Ticker ticker, Duration sampleInterval) {
        Checks.nonNegative("sampleInterval", sampleInterval);
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.lastSampleAt = ticker.nanoTime();
        refresh(); // on the creating thread: load() never returns null
        this.task = sampleInterval.isZero() ? null : Sampler.schedule(this, sampleInterval.toNanos());
    }

    /** A provider with the system ticker and the default sample interval. */
    public static JvmLoadProvider create() {
        return new JvmLoadProvider(Ticker.system(), DEFAULT_SAMPLE_INTERVAL);
    }

    /**
     * A provider with an injected ticker (it measures the time between samples for
     * requests/s) and sample interval (≥ 0; zero: no background sampling, only {@link #refresh()}).
     */
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

    /** Where the queue depth comes from (e.g. an executor's queue size); called on the sampler thread. */
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
     * The gauge is read on the sampler thread; one that throws or returns a non-finite value is
     * left out of that report.
     */
    public void gauge(String name, DoubleSupplier value) {
        LoadReport.builder().custom(name, 0.0); // validates the name
        if (!gauges.containsKey(name) && gauges.size() >= LoadReport.MAX_CUSTOM_METRICS) {
            throw new IllegalArgumentException("gauge : '" + name + "' would be custom metric number "
                    + (gauges.size() + 1) + " (expected: at most " + LoadReport.MAX_CUSTOM_METRICS + ")");
        }
        gauges.put(name, Objects.requireNonNull(value, "value"));
    }

    /** The last sample: a volatile read, no lock, nothing computed. */
    @Override
    public LoadReport load() {
        return current;
    }

    /**
     * Samples now, on the calling thread, and publishes the result (the background sampler calls
     * this; tests call it after advancing their ticker). Reads MXBeans and the gauges: never call
     * it on an event loop.
     */
    public synchronized LoadReport refresh() {
        long now = ticker.nanoTime();
        LoadReport.Builder b = LoadReport.builder();
        b.cpu(cpu());
        double mem = memoryAfterGc();
        if (!Double.isNaN(mem)) {
            b.memory(mem);
        }
        b.inFlight(clampCount(inFlight.get()));
        b.queueDepth(clampCount(safeLong(queueDepth)));
        long req = requests.sum();
        long fail = failures.sum();
        double seconds = (now - lastSampleAt) / 1e9;
        long dReq = req - lastRequests;
        long dFail = fail - lastFailures;
        if (seconds > 0 && sampled) {
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
        sampled = true;
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
        current = r;
        return r;
    }

    /**
     * Stops the background sampling of this provider (idempotent). {@link #load()} keeps returning
     * the last sample; {@link #refresh()} still works.
     */
    @Override
    public void close() {
        closed = true;
        if (task != null) {
            task.cancel(false);
        }
    }

    /** True once {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
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

    /** Heap in use after the last collection over max heap; see the class comment. */
    private static double memoryAfterGc() {
        long afterGc = heapAfterLastGc();
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return heapFraction(afterGc >= 0, afterGc, heap.getUsed(), heap.getMax(), heap.getCommitted());
    }

    /**
     * The heap in use at the end of the most recent collection, or -1 before the first one (or
     * where the JDK does not say). Taken from that collection's own record of usage after GC
     * ({@code GcInfo.getMemoryUsageAfterGc}); a heap pool that collection did not cover (the old
     * generation after a Parallel young GC) counts with its current usage, which only promotion
     * has changed since. Pool collection usage would be simpler but is stale: on JDK 17's G1 the
     * old generation's collection usage stays 0 until an old or full collection.
     */
    private static long heapAfterLastGc() {
        com.sun.management.GcInfo latest = null;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof com.sun.management.GarbageCollectorMXBean) {
                com.sun.management.GcInfo i = ((com.sun.management.GarbageCollectorMXBean) gc).getLastGcInfo();
                if (i != null && (latest == null || i.getEndTime() > latest.getEndTime())) {
                    latest = i;
                }
            }
        }
        if (latest == null) {
            return -1;
        }
        Map<String, MemoryUsage> after = latest.getMemoryUsageAfterGc();
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() != MemoryType.HEAP) {
                continue;
            }
            MemoryUsage u = after.get(p.getName());
            sum += u != null ? u.getUsed() : p.getUsage().getUsed();
        }
        return sum;
    }

    /**
     * The memory figure: {@code afterGcUsed} once a collection has run, else {@code currentUsed},
     * over {@code max} (or {@code committed} when max is undefined, -1); NaN when neither is known.
     */
    static double heapFraction(boolean collected, long afterGcUsed, long currentUsed, long max, long committed) {
        long limit = max > 0 ? max : committed;
        if (limit <= 0) {
            return Double.NaN;
        }
        long used = collected ? afterGcUsed : currentUsed;
        return Math.max(0.0, Math.min(1.0, used / (double) limit));
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

    /** Background samples currently scheduled in this JVM (tests: no leak). */
    static int scheduledSamplers() {
        return Sampler.EXECUTOR.getQueue().size();
    }

    /**
     * The one background thread. It holds providers weakly; a task whose provider is gone or
     * closed cancels itself, and the thread ends {@value #KEEP_ALIVE_SECONDS} s after the last
     * task.
     */
    private static final class Sampler implements Runnable {
        static final int KEEP_ALIVE_SECONDS = 5;
        static final ScheduledThreadPoolExecutor EXECUTOR = newExecutor();

        private final WeakReference<JvmLoadProvider> ref;
        private volatile ScheduledFuture<?> self;

        private Sampler(JvmLoadProvider p) {
            this.ref = new WeakReference<>(p);
        }

        private static ScheduledThreadPoolExecutor newExecutor() {
            ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "heartbeat-load-sampler");
                t.setDaemon(true);
                return t;
            });
            e.setRemoveOnCancelPolicy(true);
            e.setKeepAliveTime(KEEP_ALIVE_SECONDS, TimeUnit.SECONDS);
            e.allowCoreThreadTimeOut(true);
            return e;
        }

        static ScheduledFuture<?> schedule(JvmLoadProvider p, long periodNanos) {
            Sampler s = new Sampler(p);
            ScheduledFuture<?> f = EXECUTOR.scheduleWithFixedDelay(s, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
            s.self = f;
            return f;
        }

        @Override
        public void run() {
            JvmLoadProvider p = ref.get();
            if (p == null || p.closed) {
                ScheduledFuture<?> f = self;
                if (f != null) {
                    f.cancel(false);
                }
                return;
            }
            try {
                p.refresh();
            } catch (RuntimeException | LinkageError e) {
                // never let one bad sample end the periodic task (a thrown exception would)
                log.warn("load sample failed; keeping the previous report", e);
            }
        }
    }
}
