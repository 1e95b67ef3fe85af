package dev.heartbeat.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.heartbeat.testing.ManualTicker;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The pure policy pieces on virtual time: the slow-start ramp and the retry budget. */
class SlowStartAndBudgetTest {

    private static final long MS = 1_000_000L;

    @Test
    void rampIsZeroBeforeItsStartThenLinearFromMinShareToOne() {
        SlowStart s = SlowStart.custom().window(Duration.ofSeconds(10)).minShare(0.1).build();
        assertThat(s.share(-1)).isZero();
        assertThat(s.share(0)).isCloseTo(0.1, within(1e-12));
        assertThat(s.share(2_500 * MS)).isCloseTo(0.325, within(1e-12));
        assertThat(s.share(5_000 * MS)).isCloseTo(0.55, within(1e-12));
        assertThat(s.share(9_999 * MS)).isLessThan(1.0);
        assertThat(s.share(10_000 * MS)).isEqualTo(1.0);
        assertThat(s.share(Long.MAX_VALUE)).isEqualTo(1.0);
    }

    @Test
    void defaultsAndDisabled() {
        SlowStart d = SlowStart.ofDefaults();
        assertThat(d.window()).isEqualTo(SlowStart.DEFAULT_WINDOW);
        assertThat(d.minShare()).isEqualTo(SlowStart.DEFAULT_MIN_SHARE);
        assertThat(d.readmissionJitter()).isEqualTo(SlowStart.DEFAULT_READMISSION_JITTER);
        assertThat(d.isDisabled()).isFalse();
        assertThat(SlowStart.disabled().isDisabled()).isTrue();
        assertThat(SlowStart.disabled().share(0)).isEqualTo(1.0);
        assertThat(SlowStart.disabled().jitterNanos(new Random(1))).isZero();
        assertThat(SlowStart.from(d).minShare(0.5).build().window()).isEqualTo(d.window());
    }

    @Test
    void jitterIsUniformWithinItsBoundAndSpreadsClients() {
        SlowStart s = SlowStart.custom().readmissionJitter(Duration.ofMillis(1000)).build();
        Random r = new Random(3);
        long min = Long.MAX_VALUE;
        long max = 0;
        double sum = 0;
        int n = 10_000;
        for (int i = 0; i < n; i++) {
            long j = s.jitterNanos(r);
            assertThat(j).isBetween(0L, 1000 * MS);
            min = Math.min(min, j);
            max = Math.max(max, j);
            sum += j;
        }
        assertThat(min).isLessThan(10 * MS);
        assertThat(max).isGreaterThan(990 * MS);
        assertThat(sum / n / MS).isCloseTo(500, within(15.0));
    }

    @Test
    void slowStartBuilderNamesTheBadValueAndTheRule() {
        assertThatThrownBy(() -> SlowStart.custom().minShare(0))
                .hasMessage("slowStart.minShare : 0.0 (expected: 0.01..1.0)");
        assertThatThrownBy(() -> SlowStart.custom().window(Duration.ofMillis(-1)))
                .hasMessage("slowStart.window : PT-0.001S (expected: PT0S..PT1H)");
        assertThatThrownBy(() -> SlowStart.custom().readmissionJitter(Duration.ofHours(2)))
                .hasMessage("slowStart.readmissionJitter : PT2H (expected: PT0S..PT1H)");
    }

    @Test
    void budgetAllowsTheReserveThenARatioOfCalls() {
        ManualTicker t = new ManualTicker();
        RetryBudget b = RetryBudget.custom().ratio(0.2).minRetriesPerSecond(1).window(Duration.ofSeconds(10)).ticker(t).build();
        // reserve: 1/s × 10 s = 10 retries with no traffic at all
        for (int i = 0; i < 10; i++) {
            assertThat(b.tryRetry()).as("reserve retry %d", i).isTrue();
        }
        assertThat(b.tryRetry()).isFalse();
        assertThat(b.denied()).isEqualTo(1);
        // 100 calls earn 20 more
        for (int i = 0; i < 100; i++) {
            b.recordCall();
        }
        assertThat(b.available()).isEqualTo(20);
        for (int i = 0; i < 20; i++) {
            assertThat(b.tryRetry()).isTrue();
        }
        assertThat(b.tryRetry()).isFalse();
        assertThat(b.denied()).isEqualTo(2);
    }

    @Test
    void budgetForgetsWhatLeftTheWindow() {
        ManualTicker t = new ManualTicker(0);
        RetryBudget b = RetryBudget.custom().ratio(0.5).minRetriesPerSecond(0).window(Duration.ofSeconds(10)).ticker(t).build();
        for (int i = 0; i < 10; i++) {
            b.recordCall();
        }
        for (int i = 0; i < 5; i++) {
            assertThat(b.tryRetry()).isTrue();
        }
        assertThat(b.tryRetry()).isFalse();
        t.advance(Duration.ofSeconds(5));
        assertThat(b.tryRetry()).as("still inside the window").isFalse();
        t.advance(Duration.ofSeconds(6));
        assertThat(b.available()).as("calls and retries both expired").isZero();
        for (int i = 0; i < 4; i++) {
            b.recordCall();
        }
        assertThat(b.available()).isEqualTo(2);
        t.advance(Duration.ofHours(1)); // a long silence clears everything, not just 10 buckets' worth of time
        assertThat(b.available()).isZero();
    }

    @Test
    void retriesDoNotEarnRetries() {
        ManualTicker t = new ManualTicker();
        RetryBudget b = RetryBudget.custom().ratio(1.0).minRetriesPerSecond(0).ticker(t).build();
        b.recordCall();
        assertThat(b.tryRetry()).isTrue();
        assertThat(b.tryRetry()).as("one call, ratio 1: one retry, however many retries fail").isFalse();
    }

    @Test
    void budgetDefaultsAndErrors() {
        RetryBudget d = RetryBudget.ofDefaults();
        assertThat(d.ratio()).isEqualTo(RetryBudget.DEFAULT_RATIO);
        assertThat(d.minRetriesPerSecond()).isEqualTo(RetryBudget.DEFAULT_MIN_RETRIES_PER_SECOND);
        assertThat(d.window()).isEqualTo(RetryBudget.DEFAULT_WINDOW);
        assertThat(d.available()).isEqualTo(100);
        assertThatThrownBy(() -> RetryBudget.custom().ratio(1.5)).hasMessage("retryBudget.ratio : 1.5 (expected: 0.0..1.0)");
        assertThatThrownBy(() -> RetryBudget.custom().ratio(Double.NaN)).hasMessage("retryBudget.ratio : NaN (expected: 0.0..1.0)");
        assertThatThrownBy(() -> RetryBudget.custom().minRetriesPerSecond(-1))
                .hasMessage("retryBudget.minRetriesPerSecond : -1 (expected: 0..1000000)");
        assertThatThrownBy(() -> RetryBudget.custom().window(Duration.ofMillis(10)))
                .hasMessage("retryBudget.window : PT0.01S (expected: PT1S..PT10M)");
    }
}
