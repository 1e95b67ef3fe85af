package dev.heartbeat.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.Peer;
import dev.heartbeat.peer.PeerEvent;
import dev.heartbeat.testing.InMemoryNetwork;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * What stands between the detector's DEAD and the monitor's: PINGs unanswered since the last
 * answer, counted from the one whose answer is missing (regular PINGs in flight and quick probes
 * alike), more of them on a lossy path. Virtual time.
 */
class UnansweredPingsTest {

    private static final long MS = 1_000_000L;

    /** The pure rule: the smallest n ≥ k with loss^n ≤ interval / 1 h, at most k + 3. */
    @Test
    void confirmationsGrowWithThePathsLoss() {
        long t100 = 100 * MS;
        long t1s = 1_000 * MS;
        assertThat(PeerMonitor.confirmations(2, 0, t100)).isEqualTo(2);
        // 0.1% loss: two in a row 1e-6 per beat, under 1/36,000: two suffice.
        assertThat(PeerMonitor.confirmations(2, 0.001, t100)).isEqualTo(2);
        // 1% loss: two in a row 1e-4 > 2.8e-5 at 100 ms (3.6 an hour): three; at 1 s 1e-4 < 2.8e-4: two.
        assertThat(PeerMonitor.confirmations(2, 0.01, t100)).isEqualTo(3);
        assertThat(PeerMonitor.confirmations(2, 0.01, t1s)).isEqualTo(2);
        // 5%: 0.05^3 = 1.25e-4 > 2.8e-5, 0.05^4 = 6e-6: four.
        assertThat(PeerMonitor.confirmations(2, 0.05, t100)).isEqualTo(4);
        // Never more than k + 3, and 0 stays off.
        assertThat(PeerMonitor.confirmations(2, 0.9, t100)).isEqualTo(5);
        assertThat(PeerMonitor.confirmations(0, 0.9, t100)).isZero();
        assertThat(PeerMonitor.confirmations(1, 0, t100)).isEqualTo(1);
        // The most any configuration can ask: the echo window keeps that many send times.
        assertThat(PeerMonitor.confirmations(10, 1.0, t100)).isEqualTo(EchoTracker.PROBES);
    }

    @Test
    void echoTrackerGivesTheKthPingAfterTheLastAnswered() {
        EchoTracker e = EchoTrackerTest.tracker();
        e.recordSent(10, 1_000);
        assertThat(e.sentSinceMatched()).isZero();
        assertThat(e.sentAfterMatched(1)).isEqualTo(Long.MIN_VALUE); // nothing answered yet
        e.recordSent(11, 2_000);
        e.recordSent(12, 3_000);
        assertThat(e.match(10, e.sealSendTime(10, 1_000))).isNull();
        assertThat(e.sentSinceMatched()).isEqualTo(2);
        assertThat(e.sentAfterMatched(1)).isEqualTo(2_000);
        assertThat(e.sentAfterMatched(2)).isEqualTo(3_000);
        assertThat(e.sentAfterMatched(3)).isEqualTo(Long.MIN_VALUE); // not sent yet
        assertThat(e.match(12, e.sealSendTime(12, 3_000))).isNull(); // 11 is missed
        assertThat(e.sentSinceMatched()).isZero();
        // More than a window of PINGs since: the first ones after the answer are still known
        // exactly; past the kept ones, the last sent stands in (sent later, never earlier).
        for (int s = 13; s < 13 + 40; s++) {
            e.recordSent(s, s * 1_000L);
        }
        assertThat(e.sentSinceMatched()).isEqualTo(40);
        assertThat(e.sentAfterMatched(1)).isEqualTo(13_000L);
        assertThat(e.sentAfterMatched(EchoTracker.PROBES)).isEqualTo((12 + EchoTracker.PROBES) * 1_000L);
        assertThat(e.sentAfterMatched(EchoTracker.PROBES + 1)).isEqualTo(52_000L);
        assertThat(e.sentAfterMatched(40)).isEqualTo(52_000L);
    }

    /**
     * A long, steady path: RTT 170 ms at a 100 ms interval, so two PINGs are always in flight. When
     * the peer goes silent, the PING whose answer is missing and the next regular one (already in
     * flight) are the two unanswered PINGs: DEAD one probe wait (about one RTT) after the second was
     * sent — not a probe wait after probes sent at SUSPECT, which would add most of an RTT again.
     */
    @Test
    void regularPingsInFlightCountOnALongPath() {
        MonitorConfig cfg = MonitorConfig.custom().interval(Duration.ofMillis(100)).build();
        Random phase = new Random(13);
        long worst = 0;
        for (int i = 0; i < 8; i++) {
            try (Harness h = new Harness(cfg, i)) {
                InMemoryNetwork.Endpoint e = h.responder("far");
                e.path(InMemoryNetwork.PathModel.fixed(Duration.ofMillis(85)));
                Peer p = h.monitor.addPeer("far");
                h.run(Duration.ofSeconds(120).plusMillis(phase.nextInt(100)));
                assertThat(p.liveness()).isEqualTo(Liveness.ALIVE);
                e.blackhole(true);
                long ms = h.runUntil(p, Liveness.DEAD, Duration.ofSeconds(5)).toMillis();
                worst = Math.max(worst, ms);
                PeerEvent dead = h.transitions("far").get(h.transitions("far").size() - 1);
                assertThat(dead.reason()).containsPattern("; \\d+ probes unanswered");
            }
        }
        // The last answer came at most an interval before the blackhole; the next was due an interval
        // after it; the second unanswered PING was sent an interval after the first and waits one
        // RTT (+ its spread, at least 1/8, + 1 ms): about 100 + 100 + 193 − 170 ms past the blackhole at worst,
        // plus the detector's own short timeout on this steady path (214 ms measured at worst).
        // Counting only probes sent at SUSPECT, each waiting 1.25 RTT, it took up to 360 ms.
        assertThat(worst).isLessThan(260);
    }

    /**
     * A very long path: RTT 600 ms at the default 200 ms interval, three PINGs in flight. A probe
     * waits about 680 ms, in which a dozen more probes go out at the 50 ms probe interval: the wait
     * is still counted from the second unanswered PING's own send time (kept among the first 13
     * after the last answer), not from the latest PING sent, which would move on with every probe
     * and hold DEAD off until maxSilence (6 s).
     */
    @Test
    void probesOnAVeryLongPathWaitFromTheirOwnSendTimesHoweverManyFollow() {
        Random phase = new Random(17);
        long worst = 0;
        for (int i = 0; i < 4; i++) {
            try (Harness h = new Harness(MonitorConfig.ofDefaults(), i)) {
                InMemoryNetwork.Endpoint e = h.responder("far");
                e.path(InMemoryNetwork.PathModel.fixed(Duration.ofMillis(300)));
                Peer p = h.monitor.addPeer("far");
                h.run(Duration.ofSeconds(60).plusMillis(phase.nextInt(200)));
                assertThat(p.liveness()).isEqualTo(Liveness.ALIVE);
                e.blackhole(true);
                long ms = h.runUntil(p, Liveness.DEAD, Duration.ofSeconds(10)).toMillis();
                worst = Math.max(worst, ms);
                PeerEvent dead = h.transitions("far").get(h.transitions("far").size() - 1);
                assertThat(dead.reason()).containsPattern("; \\d+ probes unanswered");
            }
        }
        // 396 ms measured at worst; counted from the last PING sent, it took maxSilence (6 s).
        assertThat(worst).isLessThan(1_000);
    }

    /**
     * The same very long path, silent long enough for the probes of a SUSPECT burst to outnumber the
     * send times kept, then back for 30 s with three PINGs always in flight: the kept times come
     * back with the answers (the PINGs outstanding beyond them stand at the last send time when an
     * answer came, not at the latest PING sent), so the second silence is judged as fast as the
     * first. Before, they never came back while two or more PINGs stayed in flight, and every probe
     * wait was counted from the latest probe: DEAD only at maxSilence (6 s).
     */
    @Test
    void probesOnAVeryLongPathWaitFromTheirOwnSendTimesAfterASilenceThatOutnumberedThem() {
        Random phase = new Random(19);
        long worst = 0;
        for (int i = 0; i < 4; i++) {
            try (Harness h = new Harness(MonitorConfig.ofDefaults(), i)) {
                InMemoryNetwork.Endpoint e = h.responder("far");
                e.path(InMemoryNetwork.PathModel.fixed(Duration.ofMillis(300)));
                Peer p = h.monitor.addPeer("far");
                h.run(Duration.ofSeconds(60).plusMillis(phase.nextInt(200)));
                assertThat(p.liveness()).isEqualTo(Liveness.ALIVE);
                e.blackhole(true);
                h.run(Duration.ofMillis(1_500));
                e.blackhole(false);
                h.run(Duration.ofSeconds(30).plusMillis(phase.nextInt(200)));
                assertThat(p.liveness()).isEqualTo(Liveness.ALIVE);
                e.blackhole(true);
                long ms = h.runUntil(p, Liveness.DEAD, Duration.ofSeconds(10)).toMillis();
                worst = Math.max(worst, ms);
                PeerEvent dead = h.transitions("far").get(h.transitions("far").size() - 1);
                assertThat(dead.reason()).containsPattern("; \\d+ probes unanswered");
            }
        }
        assertThat(worst).isLessThan(1_000);
    }

    /**
     * More confirmations than the default: deadAfterProbes 8 on a 100 ms path, where a probe waits
     * about 114 ms, longer than the 50 ms between probes. The wait of the eighth unanswered PING is
     * counted from its own send time; counted from the latest probe, it never ended and DEAD came
     * only at maxSilence (6 s).
     */
    @Test
    void eightConfirmationsWaitFromTheEighthPingsOwnSendTime() {
        MonitorConfig cfg = MonitorConfig.custom().deadAfterProbes(8).build();
        Random phase = new Random(23);
        long worst = 0;
        for (int i = 0; i < 4; i++) {
            try (Harness h = new Harness(cfg, i)) {
                InMemoryNetwork.Endpoint e = h.responder("near");
                e.path(InMemoryNetwork.PathModel.fixed(Duration.ofMillis(50)));
                Peer p = h.monitor.addPeer("near");
                h.run(Duration.ofSeconds(60).plusMillis(phase.nextInt(200)));
                assertThat(p.liveness()).isEqualTo(Liveness.ALIVE);
                e.blackhole(true);
                long ms = h.runUntil(p, Liveness.DEAD, Duration.ofSeconds(10)).toMillis();
                worst = Math.max(worst, ms);
                PeerEvent dead = h.transitions("near").get(h.transitions("near").size() - 1);
                assertThat(dead.reason()).containsPattern("; (8|9|10|11) probes unanswered");
            }
        }
        assertThat(worst).isLessThan(1_500);
    }

    /**
     * On the same long path a single lost answer is no DEAD: the next regular PING, already in
     * flight, answers.
     */
    @Test
    void aLostAnswerOnALongPathIsRescuedByThePingInFlight() {
        MonitorConfig cfg = MonitorConfig.custom().interval(Duration.ofMillis(100)).build();
        try (Harness h = new Harness(cfg, 3)) {
            InMemoryNetwork.Endpoint e = h.responder("far");
            long[] dropAt = {Long.MAX_VALUE};
            boolean[] dropped = {false};
            e.path((now, toResponder) -> {
                if (!toResponder && !dropped[0] && now >= dropAt[0]) {
                    dropped[0] = true;
                    return -1; // lose exactly one PONG
                }
                return 85 * MS;
            });
            Peer p = h.monitor.addPeer("far");
            h.run(Duration.ofSeconds(120));
            for (int i = 0; i < 20; i++) {
                dropped[0] = false;
                dropAt[0] = h.scheduler.ticker().nanoTime() + i * 7 * MS; // at different phases
                h.run(Duration.ofSeconds(3));
                assertThat(dropped[0]).isTrue();
            }
            assertThat(h.transitions("far")).noneMatch(t -> t.toLiveness() == Liveness.DEAD);
            assertThat(p.liveness()).isEqualTo(Liveness.ALIVE);
        }
    }
}
