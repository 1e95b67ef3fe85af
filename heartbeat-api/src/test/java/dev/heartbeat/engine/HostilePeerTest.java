package dev.heartbeat.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.heartbeat.peer.FrameRejection;
import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.PeerEvent;
import dev.heartbeat.peer.Usability;
import dev.heartbeat.protocol.Frame;
import dev.heartbeat.protocol.LoadReport;
import dev.heartbeat.protocol.ServingStatus;
import dev.heartbeat.testing.InMemoryNetwork;
import java.time.Duration;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What a buggy or hostile peer can do to a monitor through its PONGs, and the bounds that hold
 * whatever it sends. Each test failed on commit 8a8e5b8 (before core v2). Virtual time throughout.
 */
class HostilePeerTest {

    private static final long A = 0xAAAA_0001L;
    private static final long B = 0xBBBB_0002L;
    private static final MonitorConfig CFG = MonitorConfig.ofDefaults();

    @Test
    void adviceIsClippedAndCannotSwitchDetectionOff() {
        for (int advice : new int[] {60_000, Integer.MAX_VALUE}) {
            try (Scripted s = new Scripted()) {
                s.answer(s.lastPing(), A);
                Frame p = s.nextPing();
                s.deliver(Scripted.pong(p, A, ServingStatus.SERVING, advice));
                assertThat(s.peer.liveness()).isEqualTo(Liveness.ALIVE);
                int before = s.sent.size();
                // The peer now goes silent. Old behaviour: 60 s advice gave no DEAD in 40 s; 2^31-1 ms
                // made the monitor stop pinging. Now: DEAD within the detection bound, pinging at
                // most every maxAdvisedInterval (plus jitter) meanwhile.
                Duration dead = s.runUntil(Liveness.DEAD, CFG.maxSilence());
                assertThat(dead).isLessThanOrEqualTo(CFG.maxSilence());
                s.scheduler.advance(CFG.maxAdvisedInterval().multipliedBy(4));
                long maxGapMillis = (long) (CFG.maxAdvisedInterval().toMillis() * (1 + CFG.jitter()));
                long elapsed = dead.toMillis() + CFG.maxAdvisedInterval().multipliedBy(4).toMillis();
                assertThat(s.sent.size() - before).isGreaterThanOrEqualTo((int) (elapsed / maxGapMillis) - 1);
            }
        }
    }

    @Test
    void noPongContentStretchesDetectionPastMaxSilence() {
        Random r = new Random(42);
        long worst = 0;
        for (int run = 0; run < 40; run++) {
            try (Scripted s = new Scripted()) {
                long[] epochs = {A, B, 1 + r.nextInt(1000)};
                for (int i = 0; i < 30; i++) {
                    Frame ping = s.nextPing();
                    s.scheduler.advance(Duration.ofMillis(r.nextInt(50)));
                    ServingStatus st = ServingStatus.values()[r.nextInt(ServingStatus.values().length)];
                    int advice = r.nextBoolean() ? r.nextInt(Integer.MAX_VALUE) : r.nextInt(5_000);
                    LoadReport load = LoadReport.builder().cpu(r.nextDouble()).inFlight(r.nextInt(1000)).build();
                    s.deliver(new Frame().pong(epochs[r.nextInt(3)], r.nextInt(), r.nextLong(), "b", ping.sequence(),
                            ping.sendTimeNanos(), st, advice, load));
                }
                if (s.peer.liveness() == Liveness.DEAD) {
                    continue; // already dead (a restart storm can't keep it alive either)
                }
                Duration d = s.runUntil(Liveness.DEAD, CFG.maxSilence().plusSeconds(1));
                worst = Math.max(worst, d.toMillis());
            }
        }
        assertThat(worst).isLessThanOrEqualTo(CFG.maxSilence().toMillis());
    }

    @Test
    void aStrayEpochIsIgnoredAndCannotKeepASilentPeerAlive() {
        try (Scripted s = new Scripted()) {
            s.answer(s.lastPing(), A);
            Frame p = s.nextPing();
            // Foreign epochs that answer no PING of ours: never adopted, counted with a reason.
            s.deliver(new Frame().pong(B, 1, 0, "x", p.sequence() + 500, p.sendTimeNanos(), ServingStatus.SERVING, 0,
                    LoadReport.UNKNOWN));
            s.deliver(new Frame().pong(B, 1, 0, "x", p.sequence(), s.notItsToken(p, p.sendTimeNanos() - 1),
                    ServingStatus.SERVING, 0, LoadReport.UNKNOWN));
            assertThat(s.peer.epoch()).isEqualTo(A);
            assertThat(s.peer.rejectedFrames(FrameRejection.NOT_OUTSTANDING)).isEqualTo(1);
            assertThat(s.peer.rejectedFrames(FrameRejection.ECHO_MISMATCH)).isEqualTo(1);
            assertThat(s.events).noneMatch(e -> e.kind() == PeerEvent.Kind.RESTARTED);
            s.runUntil(Liveness.DEAD, Duration.ofSeconds(2));
        }
    }

    /**
     * A PING carries our send time sealed: a peer can echo the token it received (late, never
     * early), but not make one — not for a PING it has not seen, not with another key.
     */
    @Test
    void aPingCarriesItsSendTimeSealedAndOnlyThatTokenAnswersIt() {
        try (Scripted s = new Scripted()) {
            s.answer(s.lastPing(), A);
            Frame p = s.nextPing();
            long sentAt = s.sentAt(p);
            assertThat(p.sendTimeNanos()).isNotEqualTo(sentAt);
            assertThat(EchoSeal.sendTime(p.sendTimeNanos(), sentAt)).isEqualTo(sentAt);
            assertThat(EchoSeal.PROCESS.verifies(p.sequence(), p.sendTimeNanos(), sentAt)).isTrue();
            long otherKeys = new EchoSeal(1, 2).seal(p.sequence(), sentAt);
            long otherPings = EchoSeal.PROCESS.seal(p.sequence() + 1, sentAt);
            for (long forged : new long[] {sentAt, otherKeys, otherPings, p.sendTimeNanos() ^ Long.MIN_VALUE}) {
                s.deliver(new Frame().pong(A, 1, 0, "b", p.sequence(), s.notItsToken(p, forged), ServingStatus.SERVING, 0,
                        LoadReport.UNKNOWN));
            }
            assertThat(s.peer.rejectedFrames(FrameRejection.ECHO_MISMATCH)).isEqualTo(4);
            s.scheduler.advance(Duration.ofMillis(2));
            s.answer(p, A);
            assertThat(s.peer.rttNanos()).isEqualTo(s.scheduler.ticker().nanoTime() - sentAt);
            s.answer(p, A); // the same token again
            assertThat(s.peer.rejectedFrames(FrameRejection.DUPLICATE)).isEqualTo(1);
        }
    }

    @Test
    void epochsABAAreFollowedAndLateAnswersOfAReplacedProcessIgnored() {
        try (Scripted s = new Scripted()) {
            s.answer(s.lastPing(), A);
            Frame p1 = s.nextPing();
            Frame p2 = s.nextPing();
            s.answer(p1, B); // B took over
            assertThat(s.peer.epoch()).isEqualTo(B);
            s.answer(p2, A); // A answering a PING sent before the change: a late answer, ignored
            assertThat(s.peer.epoch()).isEqualTo(B);
            assertThat(s.peer.rejectedFrames(FrameRejection.RETIRED_EPOCH)).isEqualTo(1);
            // A is back (a rollback, or two instances behind one address) and answers every new PING.
            for (int i = 0; i < 20; i++) {
                s.answer(s.nextPing(), A);
            }
            assertThat(s.peer.epoch()).isEqualTo(A);
            assertThat(s.peer.liveness()).isEqualTo(Liveness.ALIVE);
            assertThat(s.events).filteredOn(e -> e.kind() == PeerEvent.Kind.RESTARTED).hasSize(2)
                    .allSatisfy(e -> {
                        assertThat(e.toLiveness()).isEqualTo(Liveness.ALIVE);
                        assertThat(e.state().liveness()).isEqualTo(Liveness.ALIVE); // the resulting state
                        assertThat(e.reason()).contains("epoch changed");
                    });
            assertThat(s.events).noneMatch(e -> e.toLiveness() == Liveness.DEAD);
        }
    }

    @Test
    void aStarvedMonitorStillReachesVerdictsWithinTheDocumentedBound() {
        try (Harness h = new Harness()) {
            InMemoryNetwork.Endpoint e = h.responder("b");
            var b = h.monitor.addPeer("b");
            h.run(Duration.ofSeconds(5));
            e.freeze();
            long start = h.scheduler.ticker().nanoTime();
            long bound = CFG.maxSilence().plus(CFG.maxForgiveness()).plusMillis(400).toNanos();
            // The monitor's loop can only run every 400 ms: every timer is late, every tick a "pause".
            // Old behaviour: each late timer was forgiven without limit; the silent peer stayed ALIVE after 30 s.
            while (b.liveness() != Liveness.DEAD && h.scheduler.ticker().nanoTime() - start < Duration.ofSeconds(30).toNanos()) {
                h.scheduler.freezeFor(Duration.ofMillis(400));
                h.scheduler.runPending();
            }
            long took = h.scheduler.ticker().nanoTime() - start;
            assertThat(b.liveness()).isEqualTo(Liveness.DEAD);
            assertThat(took).isLessThanOrEqualTo(bound);
            assertThat(h.monitor.localHealth().lagging()).isTrue();
            assertThat(h.monitor.localHealth().score()).isPositive();
            assertThat(b.state().reason()).contains("this monitor is lagging");
        }
    }

    @Test
    void aSingleOwnPauseIsStillForgiven() {
        try (Harness h = new Harness()) {
            h.responder("b");
            var b = h.monitor.addPeer("b");
            h.run(Duration.ofSeconds(5));
            h.scheduler.freezeFor(Duration.ofSeconds(1)); // we were stopped, not the peer
            h.run(Duration.ofSeconds(2));
            assertThat(h.transitions("b")).extracting(PeerEvent::toLiveness).containsOnly(Liveness.ALIVE);
            assertThat(h.monitor.localHealth().pauses()).isEqualTo(1);
        }
    }

    @Test
    void rttComesFromOurOwnSendTimeNotFromATimeThePeerChose() {
        try (Scripted s = new Scripted()) {
            Frame p = s.lastPing();
            s.scheduler.advanceNanos(s.sentAt(p) + Duration.ofMillis(3).toNanos() - s.scheduler.ticker().nanoTime());
            // Echoing a time 1,000 s in the past once gave "rtt 1000071 ms", usable; so would a
            // token whose time bits were moved back, were it not sealed.
            s.deliver(new Frame().pong(A, 1, 0, "b", p.sequence(), s.notItsToken(p, s.sentAt(p) - 1_000_000_000_000L),
                    ServingStatus.SERVING, 0, LoadReport.UNKNOWN));
            s.deliver(new Frame().pong(A, 1, 0, "b", p.sequence(), s.notItsToken(p, p.sendTimeNanos() - 1_000_000_000_000L),
                    ServingStatus.SERVING, 0, LoadReport.UNKNOWN));
            assertThat(s.peer.rttNanos()).isEqualTo(-1);
            assertThat(s.peer.rejectedFrames(FrameRejection.ECHO_MISMATCH)).isEqualTo(2);
            s.answer(p, A);
            assertThat(s.peer.rttNanos()).isEqualTo(Duration.ofMillis(3).toNanos());
        }
    }

    @Test
    void aColdFirstSampleDoesNotSetTheBaselineAndALastingShiftBecomesTheNewNormal() {
        try (Scripted s = new Scripted()) {
            s.scheduler.advance(Duration.ofMillis(150)); // JVM warming up: the first answer is slow
            s.answer(s.lastPing(), A);
            s.answerAfter(s.nextPing(), Duration.ofMillis(1), A);
            assertThat(s.peer.rttBaselineNanos()).isEqualTo(RttWindow.kept(Duration.ofMillis(1).toNanos())); // kept to 0.1%
            for (int i = 0; i < 20; i++) {
                s.answerAfter(s.nextPing(), Duration.ofMillis(1), A);
            }
            assertThat(s.peer.usability()).isEqualTo(Usability.USABLE);
            // The path moves for good (a failover to a farther zone): 40 ms from now on.
            for (int i = 0; i < 40; i++) {
                s.answerAfter(s.nextPing(), Duration.ofMillis(40), A);
            }
            assertThat(s.events).anyMatch(e -> e.toUsability() == Usability.DEGRADED);
            assertThat(s.peer.usability()).isEqualTo(Usability.USABLE); // not DEGRADED for ever
            assertThat(s.peer.rttBaselineNanos()).isEqualTo(RttWindow.kept(Duration.ofMillis(40).toNanos()));
        }
    }

    @Test
    void theEventsPhiIsTheOneInItsReason() {
        try (Harness h = new Harness()) {
            InMemoryNetwork.Endpoint e = h.responder("b");
            var b = h.monitor.addPeer("b");
            h.run(Duration.ofSeconds(5));
            e.freeze();
            h.runUntil(b, Liveness.DEAD, Duration.ofSeconds(5));
            Pattern phi = Pattern.compile("φ (\\d+\\.\\d\\d)");
            for (PeerEvent ev : h.transitions("b")) {
                Matcher m = phi.matcher(ev.reason());
                if (m.find()) {
                    assertThat(String.format(java.util.Locale.ROOT, "%.2f", ev.state().phi()))
                            .as("φ of %s", ev).isEqualTo(m.group(1));
                }
            }
            assertThat(h.transitions("b")).anyMatch(ev -> ev.reason().startsWith("φ"));
        }
    }

    @Test
    void sustainedLossDegradesBeforeItKillsAndRandomTenPercentDoesNot() {
        Random r = new Random(7);
        try (Scripted s = new Scripted()) {
            for (int i = 0; i < 2_000; i++) { // 10% of PINGs lost at random, for 400 s
                Frame p = s.nextPing();
                if (r.nextInt(10) != 0) {
                    s.answerAfter(p, Duration.ofMillis(1), A);
                }
            }
            assertThat(s.peer.lossRate()).isBetween(0.02, 0.2);
            assertThat(s.events).noneMatch(e -> e.toUsability() == Usability.DEGRADED || e.toLiveness() == Liveness.DEAD);
            for (int i = 0; i < 60; i++) { // now one PING in two is lost
                Frame p = s.nextPing();
                if (i % 2 == 0) {
                    s.answerAfter(p, Duration.ofMillis(1), A);
                }
            }
            assertThat(s.peer.usability()).isEqualTo(Usability.DEGRADED);
            assertThat(s.peer.liveness()).isNotEqualTo(Liveness.DEAD);
            assertThat(s.peer.state().reason()).matches("unanswered PINGs [0-9]+% >= 25% for 3 heartbeats");
        }
    }
}
