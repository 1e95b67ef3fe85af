package dev.heartbeat.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.heartbeat.peer.Usability;
import dev.heartbeat.protocol.LoadReport;
import dev.heartbeat.protocol.ServingStatus;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class UsabilityTest {

    private static final long MS = 1_000_000L;
    private final ThresholdUsabilityPolicy policy = ThresholdUsabilityPolicy.ofDefaults();
    private final UsabilityVerdict v = new UsabilityVerdict();

    private UsabilityVerdict eval(ServingStatus s, LoadReport l, long rtt, long baseline) {
        policy.evaluate(s, l, rtt, baseline, v);
        return v;
    }

    @Test
    void statusComesFirstAndIsImmediate() {
        assertThat(eval(ServingStatus.DRAINING, LoadReport.UNKNOWN, MS, MS))
                .satisfies(x -> {
                    assertThat(x.usability()).isEqualTo(Usability.UNUSABLE);
                    assertThat(x.immediate()).isTrue();
                    assertThat(x.reason()).isEqualTo("status DRAINING");
                });
        assertThat(eval(ServingStatus.NOT_SERVING, LoadReport.UNKNOWN, MS, MS).usability()).isEqualTo(Usability.UNUSABLE);
        assertThat(eval(ServingStatus.DEGRADED, LoadReport.UNKNOWN, MS, MS).usability()).isEqualTo(Usability.DEGRADED);
        assertThat(eval(ServingStatus.SERVING, LoadReport.UNKNOWN, MS, -1).usability()).isEqualTo(Usability.USABLE);
    }

    @Test
    void loadThresholdsGiveReasonsWithValueAndLimit() {
        assertThat(eval(ServingStatus.SERVING, LoadReport.builder().cpu(0.97).build(), MS, MS).reason())
                .isEqualTo("cpu 0.97 > 0.95");
        assertThat(eval(ServingStatus.SERVING, LoadReport.builder().cpu(0.9).build(), MS, MS).usability())
                .isEqualTo(Usability.DEGRADED);
        assertThat(eval(ServingStatus.SERVING, LoadReport.builder().memory(0.99).build(), MS, MS).reason())
                .isEqualTo("memory 0.99 > 0.98");
        assertThat(eval(ServingStatus.SERVING, LoadReport.builder().errorRate(0.6).build(), MS, MS).reason())
                .isEqualTo("error rate 0.60 > 0.50");
        // An overloaded peer that only says DEGRADED is still unusable.
        assertThat(eval(ServingStatus.DEGRADED, LoadReport.builder().cpu(0.99).build(), MS, MS).usability())
                .isEqualTo(Usability.UNUSABLE);
        ThresholdUsabilityPolicy q = ThresholdUsabilityPolicy.custom().unusableQueueDepth(100).build();
        q.evaluate(ServingStatus.SERVING, LoadReport.builder().queueDepth(101).build(), MS, MS, v);
        assertThat(v.reason()).isEqualTo("queue depth 101 > 100");
    }

    @Test
    void rttIsJudgedAgainstThePeersOwnBaseline() {
        assertThat(eval(ServingStatus.SERVING, LoadReport.UNKNOWN, 60 * MS, 50 * MS).usability()).isEqualTo(Usability.USABLE);
        assertThat(eval(ServingStatus.SERVING, LoadReport.UNKNOWN, 300 * MS, 50 * MS).reason())
                .isEqualTo("rtt 300.0 ms > 250.0 ms (5.0 × baseline)");
        // 5× a tiny loopback baseline, but only 0.4 ms slower: not degraded (min excess 20 ms).
        assertThat(eval(ServingStatus.SERVING, LoadReport.UNKNOWN, 500_000, 100_000).usability()).isEqualTo(Usability.USABLE);
    }

    /** One peer's side of a shared hysteresis, kept as the engine keeps it: one int of state. */
    private static final class PeerSide {
        final UsabilityHysteresis rule;
        int state = UsabilityHysteresis.INITIAL;
        String reason;

        PeerSide(UsabilityHysteresis rule) {
            this.rule = rule;
        }

        boolean offer(UsabilityVerdict v) {
            int next = rule.offer(state, v);
            boolean changed = UsabilityHysteresis.changed(state, next);
            if (changed) {
                reason = UsabilityHysteresis.reason(next, v);
            }
            state = next;
            return changed;
        }

        boolean force(Usability u) {
            int next = UsabilityHysteresis.force(state, u);
            boolean changed = UsabilityHysteresis.changed(state, next);
            state = next;
            return changed;
        }

        Usability current() {
            return UsabilityHysteresis.current(state);
        }
    }

    @Test
    void hysteresisNeedsConsecutiveVerdicts() {
        PeerSide h = new PeerSide(new UsabilityHysteresis(3, 2));
        UsabilityVerdict ok = new UsabilityVerdict().set(Usability.USABLE, UsabilityVerdict.Cause.OK, "", 0, 0, false);
        UsabilityVerdict hot = new UsabilityVerdict().set(Usability.UNUSABLE, UsabilityVerdict.Cause.CPU, "cpu", 0.97, 0.95, false);
        UsabilityVerdict drain = new UsabilityVerdict().set(Usability.UNUSABLE, UsabilityVerdict.Cause.STATUS, "status DRAINING", 0, 0, true);
        assertThat(h.offer(ok)).isTrue(); // first verdict applies at once
        assertThat(h.offer(hot)).isFalse();
        assertThat(h.offer(hot)).isFalse();
        assertThat(h.offer(ok)).isFalse(); // streak broken
        assertThat(h.offer(hot)).isFalse();
        assertThat(h.offer(hot)).isFalse();
        assertThat(h.offer(hot)).isTrue();
        assertThat(h.reason).isEqualTo("cpu 0.97 > 0.95 for 3 heartbeats");
        assertThat(h.offer(ok)).isFalse();
        assertThat(h.offer(ok)).isTrue();
        assertThat(h.reason).isEqualTo("healthy for 2 heartbeats");
        assertThat(h.current()).isEqualTo(Usability.USABLE);
        assertThat(h.offer(drain)).isTrue(); // the peer said so: immediate
        assertThat(h.reason).isEqualTo("status DRAINING");
        assertThatThrownBy(() -> new UsabilityHysteresis(0, 1)).hasMessage("degradeAfter : 0 (expected: >= 1)");
        assertThatThrownBy(() -> new UsabilityHysteresis(1, 40_000)).hasMessage("recoverAfter : 40000 (expected: <= 32767)");
        PeerSide most = new PeerSide(new UsabilityHysteresis(UsabilityHysteresis.MAX_COUNT, 1));
        most.offer(new UsabilityVerdict().set(Usability.USABLE, UsabilityVerdict.Cause.OK, "", 0, 0, false));
        UsabilityVerdict worse = new UsabilityVerdict().set(Usability.DEGRADED, UsabilityVerdict.Cause.CPU, "cpu", 0.8, 0.7,
                false);
        for (int i = 1; i < UsabilityHysteresis.MAX_COUNT; i++) {
            assertThat(most.offer(worse)).isFalse();
        }
        assertThat(most.offer(worse)).isTrue(); // the 32,767th in a row: the count did not wrap
        assertThat(most.current()).isEqualTo(Usability.DEGRADED);
        assertThat(most.reason).isEqualTo("cpu 0.80 > 0.70 for 32767 heartbeats");
    }

    @Test
    void aStreakIsOfOneUsabilityAndForcingResetsIt() {
        PeerSide h = new PeerSide(new UsabilityHysteresis(3, 2));
        assertThat(h.current()).isEqualTo(Usability.UNKNOWN);
        UsabilityVerdict ok = new UsabilityVerdict().set(Usability.USABLE, UsabilityVerdict.Cause.OK, "status SERVING", 0, 0, false);
        UsabilityVerdict warm = new UsabilityVerdict().set(Usability.DEGRADED, UsabilityVerdict.Cause.CPU, "cpu", 0.8, 0.7, false);
        UsabilityVerdict hot = new UsabilityVerdict().set(Usability.UNUSABLE, UsabilityVerdict.Cause.CPU, "cpu", 0.97, 0.95, false);
        assertThat(h.offer(ok)).isTrue();
        assertThat(h.reason).isSameAs(ok.reason());
        assertThat(h.offer(warm)).isFalse();
        assertThat(h.offer(warm)).isFalse();
        assertThat(h.offer(hot)).isFalse();  // another usability: its own streak starts at 1
        assertThat(h.offer(hot)).isFalse();
        assertThat(h.offer(hot)).isTrue();
        assertThat(h.current()).isEqualTo(Usability.UNUSABLE);
        assertThat(h.offer(warm)).isFalse(); // better: recoverAfter 2
        assertThat(h.force(Usability.UNKNOWN)).isTrue();
        assertThat(h.current()).isEqualTo(Usability.UNKNOWN);
        assertThat(h.force(Usability.UNKNOWN)).isFalse();
        assertThat(h.offer(warm)).isTrue();  // the first verdict after UNKNOWN applies at once; no streak left over
        assertThat(h.reason).isEqualTo("cpu 0.80 > 0.70");
        assertThat(h.current()).isEqualTo(Usability.DEGRADED);
        assertThat(h.offer(ok)).isFalse();
        assertThat(h.offer(ok)).isTrue();
        assertThat(h.current()).isEqualTo(Usability.USABLE);
    }

    @Test
    void oneRuleServesManyPeersEachWithItsOwnState() {
        UsabilityHysteresis rule = new UsabilityHysteresis(2, 2);
        PeerSide a = new PeerSide(rule);
        PeerSide b = new PeerSide(rule);
        UsabilityVerdict ok = new UsabilityVerdict().set(Usability.USABLE, UsabilityVerdict.Cause.OK, "status SERVING", 0, 0, false);
        UsabilityVerdict hot = new UsabilityVerdict().set(Usability.UNUSABLE, UsabilityVerdict.Cause.CPU, "cpu", 0.97, 0.95, false);
        assertThat(a.offer(ok)).isTrue();
        assertThat(b.offer(ok)).isTrue();
        assertThat(a.offer(hot)).isFalse();
        assertThat(b.offer(ok)).isFalse(); // b's streak is its own: a's first hot verdict is not b's
        assertThat(b.offer(hot)).isFalse();
        assertThat(a.offer(hot)).isTrue();
        assertThat(a.current()).isEqualTo(Usability.UNUSABLE);
        assertThat(b.current()).isEqualTo(Usability.USABLE);
        assertThat(UsabilityHysteresis.current(UsabilityHysteresis.INITIAL)).isEqualTo(Usability.UNKNOWN);
        assertThat(rule).hasToString("UsabilityHysteresis{degradeAfter=2, recoverAfter=2}");
    }

    @Test
    void policyConfigIsValidated() {
        assertThatThrownBy(() -> ThresholdUsabilityPolicy.custom().unusableCpu(1.5))
                .hasMessage("unusableCpu : 1.5 (expected: 0.0..1.0)");
        assertThatThrownBy(() -> ThresholdUsabilityPolicy.custom().degradedCpu(0.9).unusableCpu(0.8).build())
                .hasMessage("degradedCpu : 0.9 (expected: <= unusableCpu 0.8)");
        assertThatThrownBy(() -> ThresholdUsabilityPolicy.custom().rttFactor(1.0))
                .hasMessage("rttFactor : 1.0 (expected: finite > 1.0)");
        assertThatThrownBy(() -> ThresholdUsabilityPolicy.custom().rttMinExcess(Duration.ofMillis(-1)))
                .hasMessage("rttMinExcess : PT-0.001S (expected: >= 0)");
    }
}
