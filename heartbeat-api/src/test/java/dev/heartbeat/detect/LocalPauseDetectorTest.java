package dev.heartbeat.detect;

import dev.heartbeat.testing.ManualTicker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LocalPauseDetectorTest {

    private static final long MS = 1_000_000L;

    @Test
    void lateTimersArePausesAndAreCountedOnce() {
        ManualTicker t = new ManualTicker();
        LocalPauseDetector p = new LocalPauseDetector(t, Duration.ofMillis(100));
        assertThat(p.observeTimer(1000 * MS, 1050 * MS)).isZero();
        assertThat(p.observeTimer(1000 * MS, 1500 * MS)).isEqualTo(500 * MS);
        assertThat(p.observeTimer(1100 * MS, 1500 * MS)).isEqualTo(400 * MS); // same pause seen by another tick
        assertThat(p.pauseCount()).isEqualTo(1);
        assertThat(p.pausedSince(1400 * MS)).isEqualTo(500 * MS);
        assertThat(p.pausedSince(1500 * MS)).isZero();
        p.record(3000 * MS, 200 * MS);
        assertThat(p.pauseCount()).isEqualTo(2);
    }

    @Test
    void gcWatchCanBeOpenedAndClosed() throws Exception {
        LocalPauseDetector p = new LocalPauseDetector(Ticker.system(), Duration.ofMillis(100));
        try (AutoCloseable watch = p.watchGarbageCollector()) {
            System.gc();
        }
        assertThat(p.pauseCount()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void thresholdMustBePositive() {
        assertThatThrownBy(() -> new LocalPauseDetector(Ticker.system(), Duration.ZERO))
                .hasMessage("pauseThreshold : PT0S (expected: > 0)");
    }

    @Test
    void manualTickerNeverGoesBack() {
        ManualTicker t = new ManualTicker(5);
        assertThatThrownBy(() -> t.advanceNanos(-1)).hasMessage("nanos : -1 (expected: >= 0, a ticker never goes back)");
        t.advance(Duration.ofNanos(10));
        assertThat(t.nanoTime()).isEqualTo(15);
    }
}
