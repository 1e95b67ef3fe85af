package dev.heartbeat.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.heartbeat.peer.Liveness;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PhiAccrualDetectorTest {

    private static final long MS = 1_000_000L;

    /** φ = −log10(1 − Φ(y)) for known points of the standard normal distribution. */
    @ParameterizedTest(name = "y={0}")
    @CsvSource({
        // y,   1 - Φ(y)
        "0.0, 0.5",
        "1.0, 0.15865525",
        "2.0, 0.02275013",
        "3.0, 0.0013499",
        "4.0, 0.00003167",
    })
    void phiMatchesTheNormalTail(double y, double tail) {
        double expected = -Math.log10(tail);
        double phi = PhiAccrualDetector.phi(1000 + y * 100, 1000, 100);
        // The logistic approximation is good to ~1.4e-4 in F; in φ (log space) the relative error
        // grows in the far tail: about 5% at y = 4 (φ 4.74 against 4.50), documented in the class.
        assertThat(phi).isCloseTo(expected, within(Math.max(0.02, expected * 0.06)));
    }

    @Test
    void phiIsMonotonicFiniteAndNonNegative() {
        double prev = -1;
        for (int t = 0; t <= 100_000; t += 7) {
            double phi = PhiAccrualDetector.phi(t, 1000, 100);
            assertThat(phi).isFinite().isGreaterThanOrEqualTo(0).isGreaterThanOrEqualTo(prev);
            prev = phi;
        }
        assertThat(PhiAccrualDetector.phi(1e12, 1000, 1)).isFinite();
        // Right after a heartbeat φ is 0, never "-0.00" in a reason.
        assertThat(Double.doubleToRawLongBits(PhiAccrualDetector.phi(0, 1e9, 1))).isEqualTo(Double.doubleToRawLongBits(0.0));
    }

    @Test
    void noHistoryMeansNoSuspicion() {
        PhiAccrualDetector d = new PhiAccrualDetector(PhiAccrualDetector.Config.ofDefaults(), Duration.ofMillis(200));
        assertThat(d.suspicion(123456789L)).isZero();
        assertThat(d.assess(123456789L)).isEqualTo(Liveness.UNKNOWN);
        assertThat(d.explain(0)).isEqualTo("no heartbeat yet");
    }

    @Test
    void regularHeartbeatsThenSilenceGoesSuspectThenDead() {
        PhiAccrualDetector d = new PhiAccrualDetector(PhiAccrualDetector.Config.ofDefaults(), Duration.ofMillis(200));
        long t = 0;
        for (int i = 0; i < 100; i++) {
            d.heartbeat(t, true);
            t += 200 * MS;
        }
        long last = t - 200 * MS;
        assertThat(d.assess(last + 300 * MS)).isEqualTo(Liveness.ALIVE);
        long suspectAt = firstTime(d, last, Liveness.SUSPECT);
        long deadAt = firstTime(d, last, Liveness.DEAD);
        // mean 200 + pause 400, σ floored at 50 ms: suspect ≈ +145 ms, dead ≈ +265 ms beyond 600 ms.
        assertThat((suspectAt - last) / MS).isBetween(700L, 800L);
        assertThat((deadAt - last) / MS).isBetween(820L, 900L);
        assertThat(d.explain(deadAt)).startsWith("φ 8.");
    }

    private static long firstTime(LivenessDetector d, long from, Liveness state) {
        for (long t = from; ; t += MS) {
            Liveness l = d.assess(t);
            if (l.ordinal() >= state.ordinal()) {
                return t;
            }
        }
    }

    /**
     * Jittered arrivals (200 ms ± 60 ms) with an occasional long gap (a GC pause of the peer,
     * 500–800 ms, one beat in 40), for ten simulated hours: no DEAD verdict at the defaults.
     */
    @Test
    void jitteredArrivalsWithOccasionalLongGapsNeverLookDead() {
        PhiAccrualDetector d = new PhiAccrualDetector(PhiAccrualDetector.Config.ofDefaults(), Duration.ofMillis(200));
        SplittableRandom rnd = new SplittableRandom(42);
        long t = 0;
        d.heartbeat(t, true);
        int suspects = 0;
        for (int i = 0; i < 180_000; i++) {
            long gap = (140 + rnd.nextInt(121)) * MS;
            if (rnd.nextInt(40) == 0) {
                gap = (500 + rnd.nextInt(301)) * MS;
            }
            // Evaluate every 20 ms of the gap, like a monitor's ticks would.
            for (long s = 20 * MS; s < gap; s += 20 * MS) {
                Liveness l = d.assess(t + s);
                assertThat(l).as("beat %d, %d ms into a %d ms gap", i, s / MS, gap / MS).isNotEqualTo(Liveness.DEAD);
                if (l == Liveness.SUSPECT && s + 20 * MS >= gap) {
                    suspects++;
                }
            }
            t += gap;
            d.heartbeat(t, true);
        }
        assertThat(suspects).isLessThan(180_000 / 40);
    }

    /** A silence that outlived the DEAD verdict is learned (the peer survived it), capped at twice the verdict's silence. */
    @Test
    void aSilenceThatOutlivedTheVerdictIsLearnedButCapped() {
        PhiAccrualDetector d = new PhiAccrualDetector(PhiAccrualDetector.Config.custom().maxSampleSize(100).build(),
                Duration.ofMillis(200));
        long t = 0;
        for (int i = 0; i < 300; i++) { // the seeds have left the ring
            d.heartbeat(t, true);
            t += 200 * MS;
        }
        double sumBefore = d.meanNanos() * 100;
        long cap = 2 * d.deadAfterNanos();
        d.heartbeat(t + 60_000 * MS, true); // back after a minute of being dead
        // One 200 ms sample left the ring, one capped sample came in.
        assertThat(d.meanNanos() * 100).isCloseTo(sumBefore - 200 * MS + cap, within(1e3));
    }

    /** The rhythm steps from 100 ms to 1 s: the model learns the survived gaps and stops flapping. */
    @Test
    void afterTheRhythmStepsUpTheDetectorAdapts() {
        PhiAccrualDetector d = new PhiAccrualDetector(PhiAccrualDetector.Config.ofDefaults(), Duration.ofMillis(100));
        long t = 0;
        for (int i = 0; i < 1_000; i++) {
            d.heartbeat(t, true);
            t += 100 * MS;
        }
        int dead = 0;
        for (int i = 0; i < 2_000; i++) {
            if (d.assess(t + 999 * MS) == Liveness.DEAD) {
                dead++;
            }
            t += 1_000 * MS;
            d.heartbeat(t, true);
        }
        assertThat(dead).isLessThan(20); // was 2,000 of 2,000 when gaps past the threshold were dropped
    }

    /** φ is computed in log space: it keeps growing where 1 − F underflows (thresholds above ~324 work). */
    @Test
    void phiDoesNotSaturate() {
        double prev = 0;
        for (double y = 15; y <= 60; y += 0.5) {
            double phi = PhiAccrualDetector.phi(y, 0, 1);
            assertThat(phi).isFinite().isGreaterThan(prev);
            prev = phi;
        }
        assertThat(PhiAccrualDetector.phi(25, 0, 1)).isBetween(400.0, 600.0);
        PhiAccrualDetector d = new PhiAccrualDetector(PhiAccrualDetector.Config.custom().threshold(1_000).build(),
                Duration.ofMillis(100));
        d.heartbeat(0, true);
        assertThat(d.assess(2_000 * MS)).isNotEqualTo(Liveness.DEAD);
        assertThat(d.assess(60_000 * MS)).isEqualTo(Liveness.DEAD);
    }

    @Test
    void forgivingALocalPauseShiftsTheLastArrival() {
        PhiAccrualDetector d = new PhiAccrualDetector(PhiAccrualDetector.Config.ofDefaults(), Duration.ofMillis(200));
        long t = 0;
        for (int i = 0; i < 50; i++) {
            d.heartbeat(t, true);
            t += 200 * MS;
        }
        long last = t - 200 * MS;
        long now = last + 3_000 * MS; // we were frozen for ~2.9 s
        assertThat(d.assess(now)).isEqualTo(Liveness.DEAD);
        d.forgive(2_900 * MS, now);
        assertThat(d.assess(now)).isEqualTo(Liveness.ALIVE);
        double mean = d.meanNanos();
        d.heartbeat(now + 10 * MS, true); // the distorted interval is not recorded
        assertThat(d.meanNanos()).isEqualTo(mean);
    }

    @Test
    void resetForgetsHistory() {
        PhiAccrualDetector d = new PhiAccrualDetector(PhiAccrualDetector.Config.ofDefaults(), Duration.ofMillis(200));
        for (int i = 0; i < 50; i++) {
            d.heartbeat(i * 1000 * MS, true);
        }
        d.reset();
        assertThat(d.hasHeartbeat()).isFalse();
        assertThat(d.meanNanos()).isEqualTo(200 * MS);
    }

    @Test
    void historyIsBoundedAndRunningSumsStayExact() {
        PhiAccrualDetector d = new PhiAccrualDetector(PhiAccrualDetector.Config.custom().maxSampleSize(10).build(),
                Duration.ofMillis(200));
        long t = 0;
        for (int i = 0; i < 1000; i++) {
            d.heartbeat(t, true);
            t += 300 * MS;
        }
        assertThat(d.meanNanos()).isCloseTo(300 * MS, within(1.0));
        assertThat(d.stdDeviationNanos()).isLessThan(1_000);
    }

    @Test
    void configRejectsBadValuesNamingParameterAndRule() {
        assertThatThrownBy(() -> PhiAccrualDetector.Config.custom().threshold(0))
                .hasMessage("threshold : 0.0 (expected: finite > 0)");
        assertThatThrownBy(() -> PhiAccrualDetector.Config.custom().threshold(Double.NaN))
                .hasMessage("threshold : NaN (expected: finite > 0)");
        assertThatThrownBy(() -> PhiAccrualDetector.Config.custom().maxSampleSize(1))
                .hasMessage("maxSampleSize : 1 (expected: 2..100000)");
        assertThatThrownBy(() -> PhiAccrualDetector.Config.custom().minStdDeviation(Duration.ZERO))
                .hasMessage("minStdDeviation : PT0S (expected: > 0)");
        assertThatThrownBy(() -> PhiAccrualDetector.Config.custom().acceptablePause(Duration.ofMillis(-1)))
                .hasMessage("acceptablePause : PT-0.001S (expected: >= 0)");
        assertThatThrownBy(() -> PhiAccrualDetector.Config.custom().threshold(3).suspectThreshold(3).build())
                .hasMessage("suspectThreshold : 3.0 (expected: < threshold 3.0)");
        PhiAccrualDetector.Config c = PhiAccrualDetector.Config.custom().threshold(10).build();
        assertThat(PhiAccrualDetector.Config.from(c).build().threshold()).isEqualTo(10);
    }
}
