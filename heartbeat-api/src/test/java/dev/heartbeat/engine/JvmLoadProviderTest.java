package dev.heartbeat.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.heartbeat.detect.Ticker;
import dev.heartbeat.protocol.LoadReport;
import dev.heartbeat.testing.ManualTicker;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The default load provider: figures, sampling off the caller's thread, memory after GC, no leak. */
class JvmLoadProviderTest {

    @Test
    void reportsRealFiguresAndRatesOnVirtualTime() {
        ManualTicker t = new ManualTicker();
        try (JvmLoadProvider p = JvmLoadProvider.create(t, Duration.ZERO)) { // no background sampling
            p.gauge("pool.active", () -> 3);
            p.queueDepth(() -> 12);
            LoadReport first = p.refresh();
            assertThat(first.memory()).isBetween(0.0, 1.0);
            assertThat(first.queueDepth()).isEqualTo(12);
            assertThat(first.customMetrics()).containsEntry("pool.active", 3.0);
            assertThat(p.load()).isSameAs(first); // load() only reads the last sample
            for (int i = 0; i < 10; i++) {
                p.requestStarted();
            }
            for (int i = 0; i < 8; i++) {
                p.requestFinished();
            }
            p.requestFailed();
            p.requestFailed();
            t.advance(Duration.ofSeconds(1));
            assertThat(p.load()).as("nothing sampled yet").isSameAs(first);
            LoadReport second = p.refresh();
            assertThat(p.load()).isSameAs(second);
            assertThat(second.inFlight()).isEqualTo(2);
            assertThat(second.requestsPerSecond()).isEqualTo(8.0);
            assertThat(second.errorRate()).isEqualTo(0.25);
            assertThatThrownBy(() -> p.gauge("", () -> 1)).hasMessageContaining("custom metric name");
        }
        assertThatThrownBy(() -> JvmLoadProvider.create(t, Duration.ofMillis(-1)))
                .hasMessage("sampleInterval : PT-0.001S (expected: >= 0)");
    }

    /** load() is what a PING costs on an event loop: no gauge, no MXBean, no lock. */
    @Test
    void loadNeverSamplesGaugesAndMxBeansRunOnTheSamplerThread() {
        AtomicInteger calls = new AtomicInteger();
        Set<String> threads = ConcurrentHashMap.newKeySet();
        try (JvmLoadProvider p = JvmLoadProvider.create(Ticker.system(), Duration.ofMillis(20))) {
            p.gauge("g", () -> {
                calls.incrementAndGet();
                threads.add(Thread.currentThread().getName());
                return 1.0;
            });
            int before = calls.get();
            LoadReport r = p.load();
            for (int i = 0; i < 10_000; i++) {
                p.load();
            }
            assertThat(calls.get() - before).as("10,000 loads call no gauge").isLessThan(5);
            await().atMost(Duration.ofSeconds(5)).until(() -> p.load() != r && calls.get() >= 3);
            assertThat(threads).containsOnly("heartbeat-load-sampler");
            assertThat(p.load().customMetrics()).containsEntry("g", 1.0);
        }
    }

    @Test
    void aThrowingGaugeLosesOnlyItsOwnFigureAndSamplingGoesOn() {
        AtomicInteger calls = new AtomicInteger();
        try (JvmLoadProvider p = JvmLoadProvider.create(Ticker.system(), Duration.ofMillis(10))) {
            p.gauge("bad", () -> {
                calls.incrementAndGet();
                throw new IllegalStateException("gauge broke");
            });
            p.gauge("good", () -> 2.0);
            await().atMost(Duration.ofSeconds(5)).until(() -> calls.get() >= 3);
            assertThat(p.load().customMetrics()).containsEntry("good", 2.0).doesNotContainKey("bad");
        }
    }

    @Test
    void closeStopsTheSamplingAndAnUnreachableProviderStopsByItself() {
        AtomicInteger closedCalls = new AtomicInteger();
        JvmLoadProvider p = JvmLoadProvider.create(Ticker.system(), Duration.ofMillis(10));
        p.gauge("g", closedCalls::incrementAndGet);
        await().atMost(Duration.ofSeconds(5)).until(() -> closedCalls.get() >= 2);
        p.close();
        p.close(); // idempotent
        assertThat(p.isClosed()).isTrue();
        int settled = closedCalls.get() + 1; // at most one sample already running
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> closedCalls.get() <= settled);
        assertThat(p.load()).isNotNull(); // the last sample stays readable

        AtomicInteger droppedCalls = new AtomicInteger();
        startAndForget(droppedCalls);
        await().atMost(Duration.ofSeconds(5)).until(() -> droppedCalls.get() >= 2);
        // nothing holds the provider but the sampler's weak reference: a GC ends its sampling
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
            System.gc();
            int n = droppedCalls.get();
            Thread.sleep(60); // ≥ 5 sample periods
            return droppedCalls.get() == n;
        });
    }

    private static void startAndForget(AtomicInteger calls) {
        JvmLoadProvider p = JvmLoadProvider.create(Ticker.system(), Duration.ofMillis(10));
        p.gauge("g", calls::incrementAndGet); // the gauge does not reference the provider
    }

    @Test
    void memoryIsTheHeapAfterTheLastCollectionNotTheGarbage() {
        long mb = 1 << 20;
        // G1 just before a young collection: 900 MB in use of 1,000, but only 200 MB survived the last GC
        assertThat(JvmLoadProvider.heapFraction(true, 200 * mb, 900 * mb, 1000 * mb, 1000 * mb)).isEqualTo(0.2);
        // no collection yet: current usage is all there is
        assertThat(JvmLoadProvider.heapFraction(false, 0, 50 * mb, 1000 * mb, 100 * mb)).isEqualTo(0.05);
        // no maximum (-1): the committed heap
        assertThat(JvmLoadProvider.heapFraction(true, 50 * mb, 90 * mb, -1, 100 * mb)).isEqualTo(0.5);
        assertThat(JvmLoadProvider.heapFraction(true, 50 * mb, 90 * mb, -1, 0)).isNaN();
        assertThat(JvmLoadProvider.heapFraction(true, 2000 * mb, 0, 1000 * mb, 0)).isEqualTo(1.0);
    }

    /** On this JVM, right after a full collection, the figure is at most what the heap holds now. */
    @Test
    void theRealFigureIsAtMostCurrentUsageAfterACollection() {
        System.gc();
        try (JvmLoadProvider p = JvmLoadProvider.create(Ticker.system(), Duration.ZERO)) {
            byte[][] garbage = new byte[64][];
            for (int i = 0; i < garbage.length; i++) {
                garbage[i] = new byte[64 * 1024]; // 4 MB, live now, garbage after this test
            }
            java.lang.management.MemoryUsage heap = java.lang.management.ManagementFactory.getMemoryMXBean()
                    .getHeapMemoryUsage();
            double now = heap.getUsed() / (double) (heap.getMax() > 0 ? heap.getMax() : heap.getCommitted());
            double reported = p.refresh().memory();
            assertThat(reported).isBetween(0.0, 1.0);
            assertThat(reported).isLessThanOrEqualTo(now + 0.01);
            assertThat(garbage[63]).hasSize(64 * 1024);
        }
    }
}
