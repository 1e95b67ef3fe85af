package dev.heartbeat.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.heartbeat.engine.spi.DisconnectCause;
import dev.heartbeat.peer.FrameRejection;
import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.Peer;
import dev.heartbeat.peer.PeerAttributes;
import dev.heartbeat.peer.PeerEvent;
import dev.heartbeat.peer.PeerRegistry;
import dev.heartbeat.peer.PeerSpec;
import dev.heartbeat.protocol.Frame;
import dev.heartbeat.protocol.LoadReport;
import dev.heartbeat.protocol.ServingStatus;
import dev.heartbeat.testing.InMemoryNetwork;
import dev.heartbeat.testing.VirtualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Ownership, removal, reconciliation, first verdicts and observers of a monitor, on virtual time. */
class MonitorLifecycleTest {

    @Test
    void removePeerAndClosePublishRemovedAsTheLastEvent() {
        try (Harness h = new Harness()) {
            h.responder("a");
            h.responder("b");
            h.monitor.addPeer("a");
            h.monitor.addPeer("b");
            h.run(Duration.ofSeconds(1));
            assertThat(h.monitor.removePeer("a")).isTrue();
            assertThat(h.monitor.removePeer("a")).isFalse();
            assertThat(h.events.get(h.events.size() - 1)).satisfies(e -> {
                assertThat(e.kind()).isEqualTo(PeerEvent.Kind.REMOVED);
                assertThat(e.peer()).isEqualTo("a");
            });
            h.monitor.close();
            h.run(Duration.ofSeconds(2)); // ticks already queued run, and publish nothing
            assertThat(h.events.get(h.events.size() - 1)).satisfies(e -> {
                assertThat(e.kind()).isEqualTo(PeerEvent.Kind.REMOVED);
                assertThat(e.peer()).isEqualTo("b");
            });
            assertThat(h.monitor.registry().size()).isZero();
            assertThatThrownBy(() -> h.monitor.addPeer("c")).hasMessage("monitor is closed");
        }
    }

    /**
     * The registry's public unregister(name) takes a monitor's peer out of the registry, which is
     * now the monitor's only map of its peers: the monitor must still be able to stop it. Closing
     * the monitor should close the peer's link and stop its PINGs (before the registry became the
     * one map, the monitor kept its own and did).
     */
    @Test
    void aPeerUnregisteredFromTheRegistryIsStillStoppedWhenItsMonitorCloses() {
        try (Scripted s = new Scripted()) {
            s.scheduler.advance(Duration.ofSeconds(1));
            assertThat(s.monitor.registry().unregister("b")).isSameAs(s.peer);
            s.monitor.close();
            int after = s.sent.size();
            s.scheduler.advance(Duration.ofSeconds(5));
            assertThat(s.closed).as("the peer's link closed by the monitor's close()").isTrue();
            assertThat(s.sent.size() - after).as("PINGs after the monitor closed").isZero();
        }
    }

    @Test
    void aPeerRemovedBeforeItStartedNeverTicks() {
        try (Scripted s = new Scripted()) {
            VirtualScheduler sch = s.scheduler;
            int before = s.sent.size();
            Peer p = s.monitor.addPeer("early", "early:1");
            assertThat(s.monitor.removePeer("early")).isTrue();
            sch.advance(Duration.ofSeconds(5));
            assertThat(s.sent.size() - before).isLessThanOrEqualTo(25 + 1); // only "b" kept pinging
            assertThat(p.liveness()).isEqualTo(Liveness.UNKNOWN);
            assertThat(s.events).filteredOn(e -> e.peer().equals("early")).extracting(PeerEvent::kind)
                    .containsExactly(PeerEvent.Kind.ADDED, PeerEvent.Kind.REMOVED);
            assertThat(p.firstVerdict().toCompletableFuture()).isCompletedExceptionally();
        }
    }

    @Test
    void twoMonitorsSharingARegistryOnlyRemoveTheirOwnPeers() {
        VirtualScheduler sch = new VirtualScheduler();
        InMemoryNetwork net = new InMemoryNetwork(sch);
        PeerRegistry shared = PeerRegistry.create(Runnable::run);
        HeartbeatMonitor m1 = monitor(net, sch, shared);
        HeartbeatMonitor m2 = monitor(net, sch, shared);
        m1.addPeer("one", "x");
        m2.addPeer("two", "y");
        assertThatThrownBy(() -> m2.addPeer("one", "z")).hasMessage("peer : 'one' is already registered (expected: a unique name)");
        assertThat(m2.removePeer("one")).isFalse();
        // Each monitor sees its own peers only, though the registry is their one map by name.
        assertThat(m1.peers()).extracting(Peer::name).containsExactly("one");
        assertThat(m2.peer("one")).isEmpty();
        assertThat(m1.peer("one")).containsSame(shared.peer("one").orElseThrow());
        Peer two = m2.peer("two").orElseThrow();
        assertThatThrownBy(() -> m1.config(two)).hasMessageContaining("expected: a peer of this monitor");
        assertThat(m2.config(two)).isSameAs(m2.config());
        m1.addPeer("three", "w");
        assertThat(m1.removePeer("three")).isTrue();
        assertThat(m1.peer("three")).isEmpty();
        assertThat(m1.peers()).extracting(Peer::name).containsExactly("one");
        assertThat(m1.removePeer("three")).isFalse();
        m1.close();
        assertThat(shared.peer("two")).isPresent();
        assertThat(m2.peers()).extracting(Peer::name).containsExactly("two");
        m2.close();
        assertThat(shared.size()).isZero();
    }

    @Test
    void addAndRemoveOfOneNameRaceSafely() throws Exception {
        VirtualScheduler sch = new VirtualScheduler();
        InMemoryNetwork net = new InMemoryNetwork(sch);
        PeerRegistry reg = PeerRegistry.create(Runnable::run);
        List<PeerEvent> events = new CopyOnWriteArrayList<>();
        reg.addListener(events::add);
        HeartbeatMonitor m = monitor(net, sch, reg);
        int threads = 4;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> ts = new ArrayList<>();
        AtomicInteger added = new AtomicInteger();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 500; i++) {
                    try {
                        m.addPeer("x", "x");
                        added.incrementAndGet();
                    } catch (IllegalArgumentException taken) {
                        assertThat(taken).hasMessageContaining("already registered");
                    }
                    m.removePeer("x");
                }
            });
            th.start();
            ts.add(th);
        }
        go.countDown();
        for (Thread th : ts) {
            th.join(30_000);
        }
        assertThat(m.peers()).isEmpty();
        assertThat(reg.size()).isZero();
        long adds = events.stream().filter(e -> e.kind() == PeerEvent.Kind.ADDED).count();
        long removes = events.stream().filter(e -> e.kind() == PeerEvent.Kind.REMOVED).count();
        assertThat(adds).isEqualTo(added.get()).isEqualTo(removes);
        // per name, events alternate ADDED, REMOVED, ADDED, … : never two of a kind in a row
        for (int i = 0; i < events.size(); i++) {
            assertThat(events.get(i).kind()).isEqualTo(i % 2 == 0 ? PeerEvent.Kind.ADDED : PeerEvent.Kind.REMOVED);
        }
        m.close();
    }

    @Test
    void reconcileAddsRemovesAndReplacesOnlyWhatChanged() {
        try (Harness h = new Harness()) {
            h.responder("a");
            h.responder("b");
            h.responder("c");
            h.monitor.addPeer("a", "a");
            h.monitor.addPeer("b", "b");
            h.run(Duration.ofSeconds(1));
            Peer a = h.monitor.peer("a").orElseThrow();
            PeerAttributes zoned = PeerAttributes.builder().zone("eu-1").weight(200).metadata("v", "2").build();
            HeartbeatMonitor.Reconciliation r = h.monitor.reconcile(List.of(PeerSpec.of("a", "a"),
                    PeerSpec.of("b", "b", zoned), PeerSpec.of("c", "c")));
            assertThat(r.added()).containsExactly("c");
            assertThat(r.removed()).isEmpty();
            assertThat(r.replaced()).containsExactly("b");
            assertThat(h.monitor.peer("a")).containsSame(a); // untouched, still running
            assertThat(h.monitor.peer("b").orElseThrow().attributes()).isEqualTo(zoned);
            r = h.monitor.reconcile(List.of(PeerSpec.of("c", "c")));
            assertThat(r.removed()).containsExactlyInAnyOrder("a", "b");
            assertThat(h.monitor.reconcile(List.of(PeerSpec.of("c", "c"))).unchanged()).isTrue();
            assertThatThrownBy(() -> h.monitor.reconcile(List.of(PeerSpec.of("c", "c"), PeerSpec.of("c", "d"))))
                    .hasMessage("peer : 'c' appears twice (expected: unique names)");
            assertThat(h.monitor.peers()).extracting(Peer::name).containsExactly("c");
        }
    }

    @Test
    void aPeerCanRunWithSettingsOfItsOwn() {
        try (Harness h = new Harness()) {
            InMemoryNetwork.Endpoint near = h.responder("near");
            InMemoryNetwork.Endpoint far = h.responder("far");
            MonitorConfig slow = MonitorConfig.from(h.monitor.config()).interval(Duration.ofSeconds(1)).jitter(0).build();
            Peer n = h.monitor.addPeer(PeerSpec.of("near", "near"));
            Peer f = h.monitor.addPeer(PeerSpec.of("far", "far"), slow);
            h.run(Duration.ofSeconds(10));
            assertThat(h.monitor.config(f)).isSameAs(slow);
            assertThat(h.monitor.config(n)).isSameAs(h.monitor.config());
            assertThat(far.responder().answered()).isBetween(10L, 12L);        // one PING a second
            assertThat(near.responder().answered()).isGreaterThan(40L);        // the monitor's 200 ms
            assertThat(f.liveness()).isEqualTo(Liveness.ALIVE);
            assertThatThrownBy(() -> h.monitor.config(new Peer() {
                public String name() {
                    return "near";
                }

                public String address() {
                    return "x";
                }

                public Liveness liveness() {
                    return Liveness.UNKNOWN;
                }

                public dev.heartbeat.peer.Usability usability() {
                    return dev.heartbeat.peer.Usability.UNKNOWN;
                }

                public dev.heartbeat.peer.PeerState state() {
                    return null;
                }
            })).hasMessageContaining("expected: a peer of this monitor");
        }
    }

    @Test
    void theFirstVerdictCanBeAwaited() {
        try (Scripted s = new Scripted()) {
            assertThat(s.peer.firstVerdict().toCompletableFuture()).isNotDone();
            s.answer(s.lastPing(), 7);
            assertThat(s.peer.firstVerdict().toCompletableFuture()).isCompletedWithValueMatching(
                    st -> st.liveness() == Liveness.ALIVE);
        }
        try (Scripted s = new Scripted()) { // never answers: DEAD after the initial timeout is a verdict too
            s.scheduler.advance(MonitorConfig.DEFAULT_INITIAL_TIMEOUT);
            assertThat(s.peer.firstVerdict().toCompletableFuture()).isCompletedWithValueMatching(
                    st -> st.liveness() == Liveness.DEAD && st.reason().startsWith("no answer within 2000 ms"));
        }
    }

    @Test
    void theFirstVerdictFutureIsMadeWhenAskedForAndEndsTheSameWay() {
        try (Scripted s = new Scripted()) { // asked before: cancelled when removed first
            java.util.concurrent.CompletableFuture<dev.heartbeat.peer.PeerState> f =
                    s.peer.firstVerdict().toCompletableFuture();
            assertThat(s.peer.firstVerdict().toCompletableFuture().isDone()).isFalse();
            assertThat(s.monitor.firstVerdicts).hasSize(1); // the monitor keeps it while someone waits
            s.monitor.removePeer("b");
            assertThat(f).isCompletedExceptionally(); // (a copy of the cancelled future)
            assertThat(s.peer.firstVerdict().toCompletableFuture()).isCompletedExceptionally();
            assertThat(s.monitor.firstVerdicts).isEmpty(); // and drops it when it ends
        }
        try (Scripted s = new Scripted()) { // asked before: the first verdict's state, not a later one
            java.util.concurrent.CompletableFuture<dev.heartbeat.peer.PeerState> f =
                    s.peer.firstVerdict().toCompletableFuture();
            s.answer(s.lastPing(), 7);
            assertThat(s.monitor.firstVerdicts).isEmpty();
            s.deliver(Scripted.pong(s.nextPing(), 7, ServingStatus.DRAINING, 0));
            assertThat(s.peer.usability()).isEqualTo(dev.heartbeat.peer.Usability.UNUSABLE);
            assertThat(f).isCompletedWithValueMatching(st -> st.liveness() == Liveness.ALIVE
                    && st.usability() == dev.heartbeat.peer.Usability.USABLE);
            // Asked after the verdict: completed at once, with the state then; removal changes nothing.
            java.util.concurrent.CompletableFuture<dev.heartbeat.peer.PeerState> late =
                    s.peer.firstVerdict().toCompletableFuture();
            s.monitor.removePeer("b");
            assertThat(s.monitor.firstVerdicts).isEmpty(); // nothing was kept for the late call
            assertThat(late).isCompletedWithValueMatching(st -> st.liveness() == Liveness.ALIVE);
            assertThat(f).isCompletedWithValueMatching(st -> st.usability() == dev.heartbeat.peer.Usability.USABLE);
        }
    }

    @Test
    void theNoAnswerReasonNamesWhatWasWrongWithTheAnswers() {
        try (Scripted s = new Scripted()) {
            Frame p = s.lastPing();
            s.deliver(new Frame().pong(7, 1, 0, "b", p.sequence(), s.notItsToken(p, p.sendTimeNanos() + 5),
                    ServingStatus.SERVING, 0, LoadReport.UNKNOWN));
            s.scheduler.advance(MonitorConfig.DEFAULT_INITIAL_TIMEOUT);
            assertThat(s.peer.state().reason())
                    .isEqualTo("answered only with frames it could not use (1 in 2000 ms): the last echoes a send time we never sent");
        }
    }

    @Test
    void observersSeeSamplesAndOneThatThrowsBreaksNothing() {
        Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        PeerObserver counting = new PeerObserver() {
            void count(String k) {
                calls.computeIfAbsent(k, x -> new AtomicInteger()).incrementAndGet();
            }

            @Override
            public void onPingSent(Peer peer, int sequence) {
                count("ping");
            }

            @Override
            public void onPongMatched(Peer peer, long rttNanos, ServingStatus status, dev.heartbeat.protocol.LoadView load) {
                count("pong");
                assertThat(rttNanos).isEqualTo(peer.rttNanos());
            }

            @Override
            public void onMiss(Peer peer, int sequence) {
                count("miss");
            }

            @Override
            public void onFrameRejected(Peer peer, FrameRejection reason) {
                count("rejected " + reason);
            }

            @Override
            public void onAdvice(Peer peer, long advisedNanos, long appliedNanos) {
                count("advice " + advisedNanos / 1_000_000 + "->" + appliedNanos / 1_000_000);
            }

            @Override
            public void onDisconnected(Peer peer, DisconnectCause cause, String detail) {
                count("down");
            }
        };
        PeerObserver throwing = new PeerObserver() {
            @Override
            public void onPongMatched(Peer peer, long rttNanos, ServingStatus status, dev.heartbeat.protocol.LoadView load) {
                throw new IllegalStateException("observer bug");
            }
        };
        MonitorConfig cfg = MonitorConfig.ofDefaults();
        try (Scripted s = new Scripted(cfg, counting)) {
            s.answer(s.lastPing(), 7);
            s.nextPing(); // missed: the next one is answered first
            s.deliver(Scripted.pong(s.nextPing(), 7, ServingStatus.SERVING, 60_000));
            s.answer(s.ping(0), 7); // duplicate
            assertThat(calls.get("pong").get()).isEqualTo(2);
            assertThat(calls.get("miss").get()).isEqualTo(1);
            assertThat(calls.get("rejected DUPLICATE").get()).isEqualTo(1);
            assertThat(calls).containsKey("advice 60000->2000");
            assertThat(calls.get("ping").get()).isEqualTo(s.sent.size());
            assertThat(s.peer.lossRate()).isGreaterThan(0).isLessThan(0.1);
        }
        try (Scripted s = new Scripted(cfg, throwing)) {
            s.answer(s.lastPing(), 7);
            assertThat(s.peer.liveness()).isEqualTo(Liveness.ALIVE);
            assertThat(s.monitor.observerFailures()).isEqualTo(1);
        }
    }

    @Test
    void defaultNodeIdsAreUniquePerProcessAndEpochsPrintInHex() {
        try (Scripted s = new Scripted()) {
            assertThat(s.monitor.nodeId()).matches("monitor@\\S+-" + ProcessHandle.current().pid());
            s.answer(s.lastPing(), 0xabcdefL);
            assertThat(s.peer.state().toString()).contains("epoch 0000000000abcdef");
        }
    }

    @Test
    void configBoundsAreValidatedWithTheirRules() {
        assertThatThrownBy(() -> MonitorConfig.custom().maxAdvisedInterval(Duration.ofMillis(100)).build())
                .hasMessage("maxAdvisedInterval : PT0.1S (expected: >= interval PT0.2S)");
        assertThatThrownBy(() -> MonitorConfig.custom().maxSilence(Duration.ofSeconds(3)).build())
                .hasMessageStartingWith("maxSilence : PT3S (expected: >= 2 × maxAdvisedInterval PT2S");
        assertThatThrownBy(() -> MonitorConfig.custom().maxForgiveness(Duration.ofSeconds(7)).build())
                .hasMessage("maxForgiveness : PT7S (expected: <= maxSilence PT6S)");
        assertThatThrownBy(() -> MonitorConfig.custom().maxSilence(Duration.ZERO))
                .hasMessage("maxSilence : PT0S (expected: PT0.001S..PT72H)");
        MonitorConfig c = MonitorConfig.custom().interval(Duration.ofSeconds(1)).build();
        assertThat(c.maxAdvisedInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.maxSilence()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.maxForgiveness()).isEqualTo(Duration.ofSeconds(10));
        // derived bounds follow a changed interval; explicit ones are kept
        MonitorConfig d = MonitorConfig.from(c).interval(Duration.ofMillis(100)).build();
        assertThat(d.maxSilence()).isEqualTo(Duration.ofSeconds(3));
        try (HeartbeatMonitor none = HeartbeatMonitor.builder().watchGarbageCollector(false).build()) {
            assertThatThrownBy(() -> none.addPeer("x", "x:1")).hasMessage("peer address : 'x:1' (expected: a monitor"
                    + " built with a transport; this one has none and takes attach() only)");
        }
    }

    private static HeartbeatMonitor monitor(InMemoryNetwork net, VirtualScheduler sch, PeerRegistry reg) {
        return HeartbeatMonitor.builder(net).ticker(sch.ticker()).registry(reg).watchGarbageCollector(false)
                .closeTransports(false).build();
    }
}
