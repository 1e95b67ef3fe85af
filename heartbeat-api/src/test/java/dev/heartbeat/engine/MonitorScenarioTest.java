package dev.heartbeat.engine;

import dev.heartbeat.testing.InMemoryNetwork;

import static org.assertj.core.api.Assertions.assertThat;

import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.Peer;
import dev.heartbeat.peer.PeerEvent;
import dev.heartbeat.peer.Usability;
import dev.heartbeat.protocol.Frame;
import dev.heartbeat.protocol.LoadReport;
import dev.heartbeat.protocol.ServingStatus;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** End-to-end scenarios of monitor + responders on virtual time (no sockets, no sleeps). */
class MonitorScenarioTest {

    private static final Duration INTERVAL = MonitorConfig.DEFAULT_INTERVAL;

    @Test
    void healthyPeerBecomesAliveAndUsableOnFirstHeartbeat() {
        try (Harness h = new Harness()) {
            h.responder("b");
            Peer b = h.monitor.addPeer("b");
            h.run(Duration.ofMillis(10));
            assertThat(b.liveness()).isEqualTo(Liveness.ALIVE);
            assertThat(b.usability()).isEqualTo(Usability.USABLE);
            assertThat(b.state().rttNanos()).isEqualTo(Duration.ofMillis(2).toNanos());
            assertThat(b.state().load().cpu()).isEqualTo(0.2);
            assertThat(h.transitions("b")).singleElement().satisfies(e -> {
                assertThat(e.fromLiveness()).isEqualTo(Liveness.UNKNOWN);
                assertThat(e.toLiveness()).isEqualTo(Liveness.ALIVE);
                assertThat(e.reason()).isEqualTo("first heartbeat; status SERVING");
            });
        }
    }

    @Test
    void peersInTheCommonSteadyStateShareOneReasonText() {
        try (Harness h = new Harness()) {
            h.responder("b");
            h.responder("c");
            Peer b = h.monitor.addPeer("b");
            Peer c = h.monitor.addPeer("c");
            h.run(Duration.ofMillis(10));
            assertThat(b.state().reason()).isEqualTo("first heartbeat; status SERVING");
            // Not a text per peer: the same constant, while each keeps its own RTT in its own field.
            assertThat(c.state().reason()).isSameAs(b.state().reason());
            assertThat(h.transitions("c").get(0).reason()).isSameAs(h.transitions("b").get(0).reason());
            assertThat(b.state().rttNanos()).isPositive();
        }
    }

    @Test
    void healthyPeerStaysAliveForAnHour() {
        try (Harness h = new Harness()) {
            h.responder("b");
            Peer b = h.monitor.addPeer("b");
            h.run(Duration.ofHours(1));
            assertThat(b.liveness()).isEqualTo(Liveness.ALIVE);
            assertThat(h.transitions("b")).hasSize(1);
        }
    }

    @Test
    void frozenPeerIsDeadWithinAFewIntervalsAndComesBackOnResume() {
        try (Harness h = new Harness()) {
            InMemoryNetwork.Endpoint e = h.responder("b");
            Peer b = h.monitor.addPeer("b");
            h.run(Duration.ofSeconds(10));
            e.freeze();
            Duration detected = h.runUntil(b, Liveness.DEAD, Duration.ofSeconds(5));
            // φ threshold 8, acceptable pause 400 ms, σ floor 50 ms: about 0.9 s after the last beat.
            assertThat(detected).isLessThan(INTERVAL.multipliedBy(6));
            PeerEvent dead = h.transitions("b").get(h.transitions("b").size() - 1);
            assertThat(dead.reason()).startsWith("φ ");
            assertThat(dead.toUsability()).isEqualTo(Usability.UNKNOWN);
            // SUSPECT came first, with extra probes.
            assertThat(h.transitions("b")).extracting(PeerEvent::toLiveness).contains(Liveness.SUSPECT);

            e.resume();
            h.run(Duration.ofMillis(20));
            assertThat(b.liveness()).isEqualTo(Liveness.ALIVE);
            // The PINGs queued during the freeze are answered in a burst with huge RTTs; those
            // stale RTTs are not held against the peer: it is USABLE at once, never DEGRADED.
            assertThat(b.usability()).isEqualTo(Usability.USABLE);
            assertThat(h.transitions("b").get(h.transitions("b").size() - 1).reason()).startsWith("answering again after");
            h.run(INTERVAL.multipliedBy(5));
            assertThat(h.transitions("b").get(h.transitions("b").size() - 1).toUsability()).isEqualTo(Usability.USABLE);
            assertThat(h.events).noneMatch(ev -> ev.toUsability() == Usability.DEGRADED);
        }
    }

    /** PINGs lost while a peer was DEAD are not held against it as path loss when it answers again. */
    @Test
    void aLongFreezeDoesNotLeaveTheRevivedPeerDegradedByLoss() {
        try (Harness h = new Harness()) {
            InMemoryNetwork.Endpoint e = h.responder("b");
            Peer b = h.monitor.addPeer("b");
            h.run(Duration.ofSeconds(5));
            e.freeze();
            h.run(Duration.ofSeconds(10)); // far more PINGs than the monitor remembers
            assertThat(b.liveness()).isEqualTo(Liveness.DEAD);
            e.resume();
            h.run(Duration.ofSeconds(2));
            assertThat(b.liveness()).isEqualTo(Liveness.ALIVE);
            assertThat(b.usability()).isEqualTo(Usability.USABLE);
            assertThat(b.lossRate()).isLessThan(MonitorConfig.DEFAULT_DEGRADED_LOSS);
            assertThat(h.events).noneMatch(ev -> ev.toUsability() == Usability.DEGRADED);
        }
    }

    /** System.nanoTime may be negative (its origin is arbitrary): only differences may be compared. */
    @Test
    void negativeTickerValuesChangeNothing() {
        try (Harness h = new Harness(MonitorConfig.ofDefaults(), 1L, new dev.heartbeat.testing.ManualTicker(-7_000_000_000L))) {
            InMemoryNetwork.Endpoint e = h.responder("b");
            Peer b = h.monitor.addPeer("b");
            h.run(Duration.ofSeconds(2));
            assertThat(b.liveness()).isEqualTo(Liveness.ALIVE);
            e.freeze();
            assertThat(h.runUntil(b, Liveness.DEAD, Duration.ofSeconds(5))).isLessThan(INTERVAL.multipliedBy(6));
        }
    }

    @Test
    void crashedPeerIsDeadAtOnce() {
        try (Harness h = new Harness()) {
            InMemoryNetwork.Endpoint e = h.responder("b");
            Peer b = h.monitor.addPeer("b");
            h.run(Duration.ofSeconds(2));
            e.crash();
            h.run(Duration.ofMillis(1));
            assertThat(b.liveness()).isEqualTo(Liveness.DEAD);
            assertThat(b.state().reason()).isEqualTo("connection reset by peer");
        }
    }

    @Test
    void blackholedPeerIsDeadWithinAFewIntervals() {
        try (Harness h = new Harness()) {
            InMemoryNetwork.Endpoint e = h.responder("b");
            Peer b = h.monitor.addPeer("b");
            h.run(Duration.ofSeconds(5));
            e.blackhole(true);
            assertThat(h.runUntil(b, Liveness.DEAD, Duration.ofSeconds(5))).isLessThan(INTERVAL.multipliedBy(6));
            e.blackhole(false);
            h.run(Duration.ofMillis(300));
            assertThat(b.liveness()).isEqualTo(Liveness.ALIVE);
        }
    }

    @Test
    void restartIsDetectedByEpochAndResetsHistory() {
        try (Harness h = new Harness()) {
            AtomicReference<LoadReport> load = new AtomicReference<>(LoadReport.builder().cpu(0.1).build());
            InMemoryNetwork.Endpoint e = h.responder("b", load);
            Peer b = h.monitor.addPeer("b");
            h.run(Duration.ofSeconds(2));
            long oldEpoch = b.state().epoch();
            e.crash();
            e.restart(h.newResponder("b", load));
            h.run(Duration.ofMillis(500));
            assertThat(b.liveness()).isEqualTo(Liveness.ALIVE);
            assertThat(b.state().epoch()).isNotEqualTo(oldEpoch).isNotZero();
            // The revival reason measures the real silence, not the reset detector's.
            assertThat(b.state().reason()).matches("answering again after [1-9][0-9]* ms.*");
            assertThat(h.events).filteredOn(ev -> ev.kind() == PeerEvent.Kind.RESTARTED).singleElement()
                    .satisfies(ev -> assertThat(ev.reason()).contains("epoch changed").endsWith("restart"));
        }
    }

    @Test
    void restartWithoutDisconnectIsStillDetected() {
        try (Harness h = new Harness()) {
            AtomicReference<LoadReport> load = new AtomicReference<>(LoadReport.UNKNOWN);
            InMemoryNetwork.Endpoint e = h.responder("b", load);
            Peer b = h.monitor.addPeer("b");
            h.run(Duration.ofSeconds(1));
            e.restart(h.newResponder("b", load)); // e.g. a UDP peer: no connection to lose
            h.run(Duration.ofMillis(250));
            assertThat(h.events).extracting(PeerEvent::kind).contains(PeerEvent.Kind.RESTARTED);
            assertThat(b.liveness()).isEqualTo(Liveness.ALIVE);
            assertThat(b.usability()).isEqualTo(Usability.USABLE);
        }
    }

    @Test
    void drainingMakesPeerUnusableWithinOneHeartbeatWhileItStaysAlive() {
        try (Harness h = new Harness()) {
            InMemoryNetwork.Endpoint e = h.responder("b");
            Peer b = h.monitor.addPeer("b");
            h.run(Duration.ofSeconds(1));
            Harness.setStatus(e, ServingStatus.DRAINING);
            h.run(INTERVAL.multipliedBy(11).dividedBy(10).plusMillis(5)); // one interval plus jitter and RTT
            assertThat(b.usability()).isEqualTo(Usability.UNUSABLE);
            assertThat(b.liveness()).isEqualTo(Liveness.ALIVE);
            assertThat(b.state().reason()).isEqualTo("status DRAINING");
            assertThat(b.available()).isFalse();

            Harness.setStatus(e, ServingStatus.SERVING);
            h.run(INTERVAL.multipliedBy(5));
            assertThat(b.usability()).isEqualTo(Usability.USABLE);
        }
    }

    @Test
    void goodbyeMakesPeerUnusableAtOnce() {
        try (Harness h = new Harness()) {
            InMemoryNetwork.Endpoint e = h.responder("b");
            Peer b = h.monitor.addPeer("b");
            h.run(Duration.ofSeconds(1));
            e.goodbye(Duration.ofSeconds(30));
            h.run(Duration.ofMillis(2));
            assertThat(b.usability()).isEqualTo(Usability.UNUSABLE);
            assertThat(b.state().reason()).isEqualTo("GOODBYE: peer is leaving, back in about 30000 ms");
        }
    }

    @Test
    void overloadNeedsThreeHeartbeatsAndHysteresisStopsFlapping() {
        try (Harness h = new Harness()) {
            LoadReport hot = LoadReport.builder().cpu(0.97).build();
            LoadReport cool = LoadReport.builder().cpu(0.5).build();
            java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicBoolean flapping = new java.util.concurrent.atomic.AtomicBoolean(true);
            HeartbeatResponder r = HeartbeatResponder.builder().nodeId("b").ticker(h.scheduler.ticker())
                    .loadProvider(() -> flapping.get() && calls.getAndIncrement() % 2 == 0 ? cool : hot).build();
            h.network.bind("b", r);
            Peer b = h.monitor.addPeer("b");
            // Flapping load: hot on every other heartbeat, never three in a row: no transition.
            h.run(Duration.ofSeconds(10));
            assertThat(h.transitions("b")).hasSize(1);
            assertThat(b.usability()).isEqualTo(Usability.USABLE);
            // Sustained overload: UNUSABLE after three heartbeats, with a reason saying so.
            flapping.set(false);
            h.run(INTERVAL.multipliedBy(4));
            assertThat(b.usability()).isEqualTo(Usability.UNUSABLE);
            assertThat(b.state().reason()).isEqualTo("cpu 0.97 > 0.95 for 3 heartbeats");
        }
    }

    @Test
    void monitorPauseDoesNotKillHealthyPeers() {
        try (Harness h = new Harness()) {
            h.responder("b");
            h.responder("c");
            Peer b = h.monitor.addPeer("b");
            Peer c = h.monitor.addPeer("c");
            h.run(Duration.ofSeconds(5));
            for (int i = 0; i < 5; i++) {
                h.scheduler.freezeFor(Duration.ofSeconds(3)); // a 3 s stop-the-world pause of the monitor
                h.run(Duration.ofSeconds(2));
            }
            assertThat(h.events).filteredOn(e -> e.toLiveness() == Liveness.DEAD).isEmpty();
            assertThat(b.liveness()).isEqualTo(Liveness.ALIVE);
            assertThat(c.liveness()).isEqualTo(Liveness.ALIVE);
            assertThat(h.monitor.pauses().pauseCount()).isGreaterThanOrEqualTo(5);
        }
    }

    @Test
    void peerThatNeverAnswersIsDeadAfterInitialTimeout() {
        try (Harness h = new Harness()) {
            InMemoryNetwork.Endpoint e = h.responder("b");
            e.blackhole(true);
            Peer b = h.monitor.addPeer("b");
            h.run(MonitorConfig.DEFAULT_INITIAL_TIMEOUT.minusMillis(300));
            assertThat(b.liveness()).isEqualTo(Liveness.UNKNOWN);
            h.run(Duration.ofMillis(600));
            assertThat(b.liveness()).isEqualTo(Liveness.DEAD);
            assertThat(b.state().reason()).isEqualTo("no answer within 2000 ms");
        }
    }

    @Test
    void refusedConnectionIsDeadAtOnceThenAliveWhenTheResponderAppears() {
        try (Harness h = new Harness()) {
            Peer b = h.monitor.addPeer("b");
            h.run(Duration.ofMillis(1));
            assertThat(b.liveness()).isEqualTo(Liveness.DEAD);
            assertThat(b.state().reason()).isEqualTo("connect failed: connection refused");
            h.responder("b");
            h.run(Duration.ofMillis(300));
            assertThat(b.liveness()).isEqualTo(Liveness.ALIVE);
        }
    }

    @Test
    void peersCanBeAddedAndRemovedWhileRunning() {
        try (Harness h = new Harness()) {
            for (int i = 0; i < 20; i++) {
                h.responder("p" + i);
                h.monitor.addPeer("p" + i);
                h.run(Duration.ofMillis(30));
            }
            h.run(Duration.ofSeconds(1));
            assertThat(h.monitor.registry().peers()).hasSize(20).allMatch(Peer::available);
            for (int i = 0; i < 20; i += 2) {
                assertThat(h.monitor.removePeer("p" + i)).isTrue();
            }
            assertThat(h.monitor.removePeer("nope")).isFalse();
            h.run(Duration.ofSeconds(1));
            assertThat(h.monitor.registry().size()).isEqualTo(10);
            assertThat(h.events).filteredOn(e -> e.kind() == PeerEvent.Kind.REMOVED).hasSize(10);
            assertThat(h.events).filteredOn(e -> e.kind() == PeerEvent.Kind.ADDED).hasSize(20);
            int before = h.events.size();
            h.run(Duration.ofSeconds(5));
            assertThat(h.events).hasSize(before); // removed peers are silent, kept ones healthy
        }
    }

    @Test
    void responderAdviceSlowsThePingRate() {
        try (Harness h = new Harness()) {
            HeartbeatResponder slow = HeartbeatResponder.builder().nodeId("b").ticker(h.scheduler.ticker())
                    .loadProvider(() -> LoadReport.UNKNOWN).minInterval(Duration.ofSeconds(1)).build();
            h.network.bind("b", slow);
            Peer b = h.monitor.addPeer("b");
            h.run(Duration.ofSeconds(1));
            long before = slow.answered();
            h.run(Duration.ofSeconds(10));
            assertThat(slow.answered() - before).isBetween(9L, 12L);
            assertThat(b.liveness()).isEqualTo(Liveness.ALIVE);
        }
    }

    @Test
    void adviceSetsTheIntervalWhileItLastsAndIsReportedOncePerChange() {
        java.util.List<String> advice = new java.util.ArrayList<>();
        PeerObserver observer = new PeerObserver() {
            @Override
            public void onAdvice(Peer peer, long advisedNanos, long appliedNanos) {
                advice.add(advisedNanos / 1_000_000 + "->" + appliedNanos / 1_000_000);
            }
        };
        try (Scripted s = new Scripted(MonitorConfig.ofDefaults(), observer)) {
            int ours = (int) (MonitorConfig.ofDefaults().interval().toMillis());
            assertThat(s.lastPing().intervalMillis()).isEqualTo(ours);
            s.deliver(Scripted.pong(s.lastPing(), 7, ServingStatus.SERVING, 1_000));
            Frame p = s.nextPing();
            assertThat(p.intervalMillis()).isEqualTo(1_000); // the peer's minimum, longer than ours
            s.deliver(Scripted.pong(p, 7, ServingStatus.SERVING, 1_000)); // the same advice: no new report
            p = s.nextPing();
            assertThat(p.intervalMillis()).isEqualTo(1_000);
            s.deliver(Scripted.pong(p, 7, ServingStatus.SERVING, 60_000)); // clipped to maxAdvisedInterval
            p = s.nextPing();
            assertThat(p.intervalMillis()).isEqualTo((int) MonitorConfig.ofDefaults().maxAdvisedInterval().toMillis());
            s.deliver(Scripted.pong(p, 7, ServingStatus.SERVING, 0)); // withdrawn: our own interval again
            assertThat(s.nextPing().intervalMillis()).isEqualTo(ours);
            assertThat(advice).containsExactly("1000->1000", "60000->" + MonitorConfig.ofDefaults().maxAdvisedInterval().toMillis(),
                    "0->0");
            assertThat(s.peer.liveness()).isEqualTo(Liveness.ALIVE);
        }
    }

    @Test
    void duplicateAddIsRejectedWithAClearMessage() {
        try (Harness h = new Harness()) {
            h.monitor.addPeer("b", "b");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> h.monitor.addPeer("b", "x"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("peer : 'b' is already registered (expected: a unique name)");
        }
    }
}
