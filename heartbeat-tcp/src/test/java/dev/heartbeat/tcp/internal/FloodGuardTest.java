package dev.heartbeat.tcp.internal;

import static dev.heartbeat.tcp.internal.FloodGuard.Verdict.CLOSE;
import static dev.heartbeat.tcp.internal.FloodGuard.Verdict.DROP;
import static dev.heartbeat.tcp.internal.FloodGuard.Verdict.PASS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The token bucket and the persistent-excess rule, on scripted time. */
class FloodGuardTest {

    private static final long MS = 1_000_000L;
    /** A start far from zero and negative: only differences may matter. */
    private static final long T0 = -5_000_000_000L;

    @Test
    void idleOnlyWhenFullAndNoStreakCouldGoOn() {
        FloodGuard g = new FloodGuard(10 * MS, 2, 5_000 * MS, 1_000 * MS, T0); // 100/s, burst 2, gap 1 s
        assertThat(g.idle(T0)).as("fresh: full").isTrue();
        assertThat(g.onFrame(T0)).isEqualTo(PASS);
        assertThat(g.idle(T0 + 5 * MS)).as("half a period short").isFalse();
        assertThat(g.idle(T0 + 10 * MS)).as("refilled, never dropped").isTrue();
        assertThat(g.onFrame(T0 + 10 * MS)).isEqualTo(PASS);
        assertThat(g.onFrame(T0 + 10 * MS)).isEqualTo(PASS);
        assertThat(g.onFrame(T0 + 10 * MS)).isEqualTo(DROP); // a streak opens
        assertThat(g.idle(T0 + 40 * MS)).as("full again, but the streak could go on").isFalse();
        assertThat(g.idle(T0 + 1_010 * MS)).as("full, and the last drop a gap ago").isTrue();
    }

    @Test
    void aBurstPassesThenTheRate() {
        FloodGuard g = new FloodGuard(10 * MS, 3, 0, 1_000 * MS, T0); // 100/s, burst 3
        assertThat(g.onFrame(T0)).isEqualTo(PASS);
        assertThat(g.onFrame(T0)).isEqualTo(PASS);
        assertThat(g.onFrame(T0)).isEqualTo(PASS);
        assertThat(g.onFrame(T0)).isEqualTo(DROP);
        assertThat(g.onFrame(T0 + 9 * MS)).isEqualTo(DROP);
        assertThat(g.onFrame(T0 + 10 * MS)).isEqualTo(PASS); // one period of credit back
        assertThat(g.onFrame(T0 + 10 * MS)).isEqualTo(DROP);
        // a long quiet spell refills to the burst, not beyond
        long t = T0 + 10_000 * MS;
        assertThat(g.onFrame(t)).isEqualTo(PASS);
        assertThat(g.onFrame(t)).isEqualTo(PASS);
        assertThat(g.onFrame(t)).isEqualTo(PASS);
        assertThat(g.onFrame(t)).isEqualTo(DROP);
    }

    @Test
    void aSenderAtExactlyTheRatePassesForever() {
        FloodGuard g = new FloodGuard(MS, 1, 5_000 * MS, 1_000 * MS, T0); // 1000/s, burst 1
        for (int i = 0; i < 100_000; i++) {
            assertThat(g.onFrame(T0 + i * MS)).isEqualTo(PASS);
        }
    }

    @Test
    void aSustainedExcessClosesAfterTheConfiguredTime() {
        FloodGuard g = new FloodGuard(10 * MS, 1, 2_000 * MS, 1_000 * MS, T0); // 100/s, close after 2 s
        long t = T0;
        g.onFrame(t); // the burst
        FloodGuard.Verdict v = PASS;
        int drops = 0;
        // two frames per period: one passes, one is dropped, for a little under 2 s
        for (; t < T0 + 1_990 * MS; t += 5 * MS) {
            v = g.onFrame(t);
            if (v == DROP) {
                drops++;
            }
            assertThat(v).isNotEqualTo(CLOSE);
        }
        assertThat(drops).isGreaterThan(100);
        t += 20 * MS; // 2,010 ms after the first drop: the next drop closes
        assertThat(g.onFrame(t)).isEqualTo(PASS);
        assertThat(g.onFrame(t)).isEqualTo(CLOSE);
    }

    @Test
    void aPauseLongerThanTheGapEndsTheExcess() {
        FloodGuard g = new FloodGuard(10 * MS, 1, 1_500 * MS, 1_000 * MS, T0);
        g.onFrame(T0);
        assertThat(g.onFrame(T0)).isEqualTo(DROP); // excess starts at T0
        long t = T0 + 1_000 * MS;                    // a whole gap without drops
        assertThat(g.onFrame(t)).isEqualTo(PASS);
        assertThat(g.onFrame(t)).isEqualTo(DROP);    // a new excess starts here, not at T0
        t += 900 * MS;
        assertThat(g.onFrame(t)).isEqualTo(PASS);
        assertThat(g.onFrame(t)).as("1.9 s after the first drop, 0.9 s into this excess").isEqualTo(DROP);
        t += 600 * MS;
        assertThat(g.onFrame(t)).isEqualTo(PASS);
        assertThat(g.onFrame(t)).as("1.5 s into this excess").isEqualTo(CLOSE);
    }

    @Test
    void closeAfterZeroNeverCloses() {
        FloodGuard g = new FloodGuard(10 * MS, 1, 0, 1_000 * MS, T0);
        for (long t = T0; t < T0 + 60_000 * MS; t += MS) {
            assertThat(g.onFrame(t)).isNotEqualTo(CLOSE);
        }
    }

    @Test
    void lowerRateKeepsNoMoreCreditThanTheNewBurst() {
        FloodGuard g = new FloodGuard(MS, 100, 0, 1_000 * MS, T0); // full: 100 ms of credit
        g.rate(50 * MS, 1); // capacity now one period of 50 ms
        assertThat(g.periodNanos()).isEqualTo(50 * MS);
        assertThat(g.onFrame(T0)).isEqualTo(PASS);
        assertThat(g.onFrame(T0 + 49 * MS)).isEqualTo(DROP);
        assertThat(g.onFrame(T0 + 100 * MS)).isEqualTo(PASS);
    }

    @Test
    void hugePeriodsDoNotOverflow() {
        FloodGuard g = new FloodGuard(Long.MAX_VALUE / 2, 100_000, 0, 1_000 * MS, T0);
        assertThat(g.onFrame(T0)).isEqualTo(PASS);
        assertThat(g.onFrame(Long.MAX_VALUE)).isEqualTo(PASS);
        assertThat(FloodGuard.periodOf(2_000)).isEqualTo(500_000L);
        assertThat(FloodGuard.periodOf(1e12)).isEqualTo(1L);
    }

    @Test
    void badArgumentsAreRefused() {
        assertThatThrownBy(() -> new FloodGuard(0, 1, 0, 1, 0)).hasMessageContaining("periodNanos : 0");
        assertThatThrownBy(() -> new FloodGuard(1, 0, 0, 1, 0)).hasMessageContaining("burst : 0");
        assertThatThrownBy(() -> new FloodGuard(1, 1, -1, 1, 0)).hasMessageContaining("closeAfterNanos : -1");
    }
}
