package dev.heartbeat.engine;

import dev.heartbeat.engine.spi.ReconnectBackoff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReconnectBackoffTest {

    private static final long MS = 1_000_000L;

    @Test
    void windowsDoubleUpToTheCapAndDelaysAreFullyJittered() {
        ReconnectBackoff b = new ReconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofSeconds(5), new Random(7));
        long[] expectedWindows = {100, 200, 400, 800, 1600, 2000, 2000};
        for (long w : expectedWindows) {
            assertThat(b.windowNanos()).isEqualTo(w * MS);
            assertThat(b.nextDelayNanos()).isBetween(0L, w * MS);
        }
        assertThat(b.attempts()).isEqualTo(7);
    }

    @Test
    void largeAttemptCountsDoNotOverflow() {
        ReconnectBackoff b = new ReconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(10), Duration.ZERO, new Random(1));
        for (int i = 0; i < 200; i++) {
            assertThat(b.nextDelayNanos()).isBetween(0L, 10_000 * MS);
        }
        assertThat(b.windowNanos()).isEqualTo(10_000 * MS);
    }

    @Test
    void resetsOnlyAfterAStableConnection() {
        ReconnectBackoff b = new ReconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(10), Duration.ofSeconds(5), new Random(1));
        b.nextDelayNanos();
        b.nextDelayNanos();
        b.connected(0);
        b.disconnected(1_000 * MS); // flapped after 1 s: keep backing off
        assertThat(b.attempts()).isEqualTo(2);
        b.connected(2_000 * MS);
        b.disconnected(8_000 * MS); // was up 6 s: stable, start over
        assertThat(b.attempts()).isZero();
    }

    /** Many monitors losing one responder spread their reconnects over the window instead of stampeding. */
    @Test
    void manyClientsSpreadOut() {
        Random seed = new Random(99);
        int[] buckets = new int[10];
        for (int i = 0; i < 10_000; i++) {
            ReconnectBackoff b = new ReconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(10), Duration.ofSeconds(5),
                    new Random(seed.nextLong()));
            for (int k = 0; k < 4; k++) {
                b.nextDelayNanos();
            }
            long d = b.nextDelayNanos(); // 5th attempt: window 1.6 s
            buckets[(int) Math.min(9, d / (160 * MS))]++;
        }
        for (int n : buckets) {
            assertThat(n).isBetween(850, 1150); // roughly uniform: no bucket holds the herd
        }
    }

    @Test
    void parametersAreValidated() {
        assertThatThrownBy(() -> new ReconnectBackoff(Duration.ZERO, Duration.ofSeconds(1), Duration.ZERO, new Random()))
                .hasMessage("reconnect base : PT0S (expected: > 0)");
        assertThatThrownBy(() -> new ReconnectBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ZERO, new Random()))
                .hasMessage("reconnect cap : PT1S (expected: >= base PT2S)");
    }
}
