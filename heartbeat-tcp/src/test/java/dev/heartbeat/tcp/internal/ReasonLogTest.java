package dev.heartbeat.tcp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Per-reason log limiting on a scripted clock. */
class ReasonLogTest {

    private static final long S = 1_000_000_000L;

    @Test
    void aRareReasonIsLoggedAtOnceWhateverFloodedBefore() {
        ReasonLog log = new ReasonLog(10 * S);
        int loud = 0;
        for (int i = 0; i < 100_000; i++) {
            if (log.admit("BAD_MAGIC", i * 1_000L) >= 0) { // 100,000 in 0.1 s
                loud++;
            }
        }
        assertThat(loud).isEqualTo(1);
        // With power-of-two sampling over one shared count, the 100,001st error would stay silent.
        assertThat(log.admit("UNSUPPORTED_VERSION", S)).isZero();
    }

    @Test
    void oneLinePerReasonPerPeriodSayingHowManyWereLeftOut() {
        ReasonLog log = new ReasonLog(10 * S);
        assertThat(log.admit("TOO_LARGE", 0)).isZero();
        assertThat(log.admit("TOO_LARGE", 5 * S)).isEqualTo(-1);
        assertThat(log.admit("TOO_LARGE", 9 * S)).isEqualTo(-1);
        assertThat(log.admit("TOO_LARGE", 10 * S)).isEqualTo(2);
        assertThat(log.admit("TOO_LARGE", 31 * S)).isZero();
        assertThat(ReasonLog.skipped(2)).isEqualTo(" (2 more like it since the last line)");
        assertThat(ReasonLog.skipped(0)).isEmpty();
    }

    @Test
    void negativeTickerValuesWork() {
        ReasonLog log = new ReasonLog(10 * S);
        assertThat(log.admit("x", -100 * S)).isZero();
        assertThat(log.admit("x", -95 * S)).isEqualTo(-1);
        assertThat(log.admit("x", -90 * S)).isEqualTo(1);
        assertThatThrownBy(() -> new ReasonLog(0)).hasMessage("periodNanos : 0 (expected: > 0)");
    }
}
