package dev.heartbeat.peer;

import static dev.heartbeat.peer.Events.added;
import static dev.heartbeat.peer.Events.removed;
import static dev.heartbeat.peer.Events.transition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.heartbeat.peer.Events.ManualExecutor;
import dev.heartbeat.peer.Events.Recorder;
import dev.heartbeat.peer.Events.TestPeer;
import dev.heartbeat.peer.PeerEvent.Kind;
import dev.heartbeat.protocol.LoadReport;
import dev.heartbeat.protocol.ServingStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class PeerRegistryTest {

    @Test
    void publishStampsContiguousSequencesPerPeer() {
        PeerRegistry r = PeerRegistry.create(Runnable::run);
        Recorder got = new Recorder();
        r.addListener(got);
        r.publish(added("a"));
        r.publish(added("b"));
        r.publish(transition("a", Liveness.UNKNOWN, Liveness.ALIVE, "up"));
        r.publish(transition("b", Liveness.UNKNOWN, Liveness.ALIVE, "up"));
        r.publish(transition("a", Liveness.ALIVE, Liveness.DEAD, "down"));
        assertThat(got.byPeer().get("a")).extracting(PeerEvent::sequence).containsExactly(1L, 2L, 3L);
        assertThat(got.byPeer().get("b")).extracting(PeerEvent::sequence).containsExactly(2L, 3L);
        assertThat(got.events()).extracting(PeerEvent::count).containsOnly(1);
    }

    @Test
    void aNameAddedAgainContinuesAboveItsEarlierSequences() {
        PeerRegistry r = PeerRegistry.create(Runnable::run);
        Recorder got = new Recorder();
        r.addListener(got);
        for (int i = 0; i < 3; i++) {
            r.publish(added("a"));
            r.publish(transition("a", Liveness.UNKNOWN, Liveness.ALIVE, "up"));
            r.publish(removed("a", Liveness.ALIVE));
        }
        assertThat(got.events()).hasSize(9).extracting(PeerEvent::sequence).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void theNineArgumentConstructorStillBuildsAnUnpublishedEvent() {
        PeerEvent e = new PeerEvent(Kind.TRANSITION, "a", Liveness.ALIVE, Liveness.DEAD, Usability.USABLE,
                Usability.UNKNOWN, "reset", Instant.EPOCH, null);
        assertThat(e.sequence()).isZero();
        assertThat(e.count()).isEqualTo(1);
        assertThat(e.replayed()).isFalse();
        assertThat(e.coalesced()).isFalse();
        assertThat(e.toString()).isEqualTo("TRANSITION a ALIVE->DEAD USABLE->UNKNOWN: reset");
        assertThatThrownBy(() -> new PeerEvent(Kind.ADDED, "a", null, null, null, null, "x", null, null, -1, 1))
                .hasMessage("sequence : -1 (expected: >= 0)");
        assertThatThrownBy(() -> new PeerEvent(Kind.ADDED, "a", null, null, null, null, "x", null, null, 1, -1))
                .hasMessage("count : -1 (expected: >= 0)");
    }

    @Test
    void aLateListenerGetsEveryRegisteredPeerReplayedFirst() {
        PeerRegistry r = PeerRegistry.create(Runnable::run);
        TestPeer a = new TestPeer("a");
        TestPeer b = new TestPeer("b");
        TestPeer quiet = new TestPeer("quiet");
        r.register(a);
        r.register(b);
        r.register(quiet);
        r.publish(added("a"));
        r.publish(transition("a", Liveness.UNKNOWN, Liveness.ALIVE, "answering"));
        r.publish(added("b"));
        r.publish(added("leaving"));        // published, but no longer registered: not replayed
        r.publish(added("gone"));
        r.publish(removed("gone", Liveness.UNKNOWN));

        Recorder late = new Recorder();
        r.addListener(late);                // synchronous: the replay is delivered here
        assertThat(late.events()).extracting(PeerEvent::peer).containsExactlyInAnyOrder("a", "b");
        PeerEvent replayA = late.byPeer().get("a").get(0);
        assertThat(replayA.kind()).isEqualTo(Kind.ADDED);
        assertThat(replayA.replayed()).isTrue();
        assertThat(replayA.count()).isZero();
        assertThat(replayA.sequence()).isEqualTo(2);
        assertThat(replayA.fromLiveness()).isEqualTo(Liveness.ALIVE);
        assertThat(replayA.toLiveness()).isEqualTo(Liveness.ALIVE);
        assertThat(replayA.reason()).isEqualTo("answering");
        assertThat(replayA.state().liveness()).isEqualTo(Liveness.ALIVE);
        assertThat(replayA.toString()).isEqualTo("ADDED a: answering (replayed)");

        r.publish(transition("a", Liveness.ALIVE, Liveness.SUSPECT, "late"));
        r.publish(added("quiet"));
        assertThat(late.byPeer().get("a")).extracting(PeerEvent::sequence).containsExactly(2L, 3L);
        assertThat(late.byPeer().get("quiet")).extracting(PeerEvent::kind).containsExactly(Kind.ADDED);
        assertThat(late.byPeer().get("quiet").get(0).replayed()).isFalse();
    }

    @Test
    void aReplayCarriesTheLastEventsValuesAndThePeersCurrentMeasurements() {
        PeerRegistry r = PeerRegistry.create(Runnable::run);
        TestPeer a = new TestPeer("a");
        r.register(a);
        Instant at = Instant.parse("2026-11-30T12:00:00.123456789Z");
        r.publish(added("a"));
        PeerEvent published = r.publish(new PeerEvent(Kind.TRANSITION, "a", Liveness.UNKNOWN, Liveness.ALIVE,
                Usability.UNKNOWN, Usability.DEGRADED, "answering, loaded", at,
                Events.state("a", Liveness.ALIVE, Usability.DEGRADED, "answering, loaded")));
        // The peer measured more since, and already holds the values of an event not published yet.
        LoadReport load = LoadReport.builder().cpu(0.75).inFlight(12).build();
        a.set(new PeerState("a", "127.0.0.1:1", Liveness.DEAD, Usability.UNKNOWN, "not published yet", 9.5, 2_000_000,
                1_500_000, ServingStatus.DEGRADED, load, 0xabcdefL, "node-7", at.plusSeconds(5)));

        Recorder late = new Recorder();
        r.addListener(late);
        assertThat(late.events()).hasSize(1);
        PeerEvent replay = late.events().get(0);
        assertThat(replay.kind()).isEqualTo(Kind.ADDED);
        assertThat(replay.replayed()).isTrue();
        assertThat(replay.sequence()).isEqualTo(published.sequence()).isEqualTo(2);
        assertThat(replay.fromLiveness()).isEqualTo(Liveness.ALIVE);
        assertThat(replay.toLiveness()).isEqualTo(Liveness.ALIVE);
        assertThat(replay.fromUsability()).isEqualTo(Usability.DEGRADED);
        assertThat(replay.toUsability()).isEqualTo(Usability.DEGRADED);
        assertThat(replay.reason()).isSameAs(published.reason());
        assertThat(replay.timestamp()).isEqualTo(at);
        // The snapshot: the last event's state, usability, reason and time; the peer's measurements now.
        assertThat(replay.state()).isEqualTo(new PeerState("a", "127.0.0.1:1", Liveness.ALIVE, Usability.DEGRADED,
                "answering, loaded", 9.5, 2_000_000, 1_500_000, ServingStatus.DEGRADED, load, 0xabcdefL, "node-7", at));
        assertThat(replay.state().load()).isSameAs(load);

        r.publish(transition("a", Liveness.ALIVE, Liveness.DEAD, "not published yet"));
        assertThat(late.events()).extracting(PeerEvent::sequence).containsExactly(2L, 3L);
    }

    @Test
    void aReplayKeepsTheTimestampExactlyAndValuesThePublisherLeftOut() {
        PeerRegistry r = PeerRegistry.create(Runnable::run);
        TestPeer far = new TestPeer("far");
        TestPeer bare = new TestPeer("bare");
        r.register(far);
        r.register(bare);
        Instant distant = Instant.MAX.minusNanos(1);
        r.publish(new PeerEvent(Kind.ADDED, "far", Liveness.UNKNOWN, Liveness.UNKNOWN, Usability.UNKNOWN,
                Usability.UNKNOWN, "added", distant, null));
        r.publish(new PeerEvent(Kind.ADDED, "bare", null, null, null, null, "no values", null, null));
        bare.set(null); // a test double that knows nothing

        Recorder late = new Recorder();
        r.addListener(late);
        PeerEvent farReplay = late.byPeer().get("far").get(0);
        assertThat(farReplay.timestamp()).isEqualTo(distant);
        assertThat(farReplay.state().since()).isEqualTo(distant);
        assertThat(farReplay.state().liveness()).isEqualTo(Liveness.UNKNOWN);
        PeerEvent bareReplay = late.byPeer().get("bare").get(0);
        assertThat(bareReplay.replayed()).isTrue();
        assertThat(bareReplay.timestamp()).isNull();
        assertThat(bareReplay.toLiveness()).isNull();
        assertThat(bareReplay.toUsability()).isNull();
        assertThat(bareReplay.state()).isNull();
        assertThat(bareReplay.reason()).isEqualTo("no values");
    }

    /**
     * A slot keeps the timestamp as nanoseconds since the epoch when it fits, the {@code to} values
     * and the sequence in one word: each comes back exactly, at the edges of what fits and beyond.
     */
    @Test
    void aReplayKeepsEveryTimestampToValueAndSequenceExactly() {
        PeerRegistry r = PeerRegistry.create(Runnable::run);
        Instant[] stamps = {Instant.EPOCH, Instant.parse("2026-11-30T16:45:12.123456789Z"),
            Instant.ofEpochSecond(0, Long.MIN_VALUE), Instant.ofEpochSecond(0, Long.MIN_VALUE + 1),
            Instant.ofEpochSecond(0, Long.MIN_VALUE + 2), Instant.ofEpochSecond(0, Long.MAX_VALUE),
            Instant.ofEpochSecond(0, Long.MAX_VALUE).plusNanos(1), Instant.MIN, Instant.ofEpochSecond(-1, 999_999_999)};
        Liveness[] ls = Liveness.values();
        Usability[] us = Usability.values();
        for (int i = 0; i < stamps.length; i++) {
            r.register(new TestPeer("p" + i));
            Liveness l = i == 1 ? null : ls[i % ls.length];
            Usability u = i == 2 ? null : us[(i + 1) % us.length];
            for (int k = 0; k <= i; k++) { // sequences 1 apart from the first: a later one is kept
                r.publish(new PeerEvent(Kind.TRANSITION, "p" + i, null, l, null, u, "why " + i + "/" + k, stamps[i], null));
            }
        }
        Recorder late = new Recorder();
        r.addListener(late);
        for (int i = 0; i < stamps.length; i++) {
            PeerEvent e = late.byPeer().get("p" + i).get(0);
            assertThat(e.timestamp()).as("p%d", i).isEqualTo(stamps[i]);
            assertThat(e.toLiveness()).isEqualTo(i == 1 ? null : ls[i % ls.length]);
            assertThat(e.toUsability()).isEqualTo(i == 2 ? null : us[(i + 1) % us.length]);
            assertThat(e.reason()).isEqualTo("why " + i + "/" + i);
            assertThat(e.replayed()).isTrue();
        }
        long first = late.byPeer().get("p0").get(0).sequence();
        assertThat(late.byPeer().get("p3").get(0).sequence()).as("three after its first").isGreaterThan(first);
    }

    @Test
    void aPeerWhoseRemovedWasPublishedIsNotReplayedWhileItWaitsToBeUnregistered() {
        PeerRegistry r = PeerRegistry.create(Runnable::run);
        TestPeer first = new TestPeer("a");
        r.register(first);
        r.publish(added("a"));
        PeerEvent gone = r.publish(removed("a", Liveness.ALIVE)); // a monitor publishes REMOVED, then unregisters
        Recorder between = new Recorder();
        r.addListener(between);
        assertThat(between.events()).isEmpty();
        assertThat(r.peer("a")).containsSame(first);
        assertThat(r.size()).isEqualTo(1);

        assertThat(r.unregister(first)).isTrue();
        TestPeer second = new TestPeer("a");
        r.register(second);
        PeerEvent back = r.publish(added("a"));
        assertThat(back.sequence()).isGreaterThan(gone.sequence());
        Recorder after = new Recorder();
        r.addListener(after);
        assertThat(after.events()).extracting(PeerEvent::sequence).containsExactly(back.sequence());
        assertThat(between.events()).extracting(PeerEvent::sequence).containsExactly(back.sequence());
        assertThat(r.peers()).containsExactly(second);
    }

    @Test
    void namesWithEventsButNoPeerAreNeitherListedNorReplayed() {
        PeerRegistry r = PeerRegistry.create(Runnable::run);
        r.publish(added("ghost"));
        r.publish(transition("ghost", Liveness.UNKNOWN, Liveness.ALIVE, "up"));
        assertThat(r.peers()).isEmpty();
        assertThat(r.peer("ghost")).isEmpty();
        assertThat(r.size()).isZero();
        assertThat(r.unregister("ghost")).isNull();
        Recorder before = new Recorder();
        r.addListener(before);
        assertThat(before.events()).isEmpty();

        TestPeer ghost = new TestPeer("ghost"); // registered after its events: replayed from the last one
        r.register(ghost);
        Recorder late = new Recorder();
        r.addListener(late);
        assertThat(late.events()).singleElement().satisfies(e -> {
            assertThat(e.replayed()).isTrue();
            assertThat(e.sequence()).isEqualTo(2);
            assertThat(e.reason()).isEqualTo("up");
        });
        assertThat(r.peers()).containsExactly(ghost);
        assertThat(r.unregister("ghost")).isSameAs(ghost);
        assertThat(r.peers()).isEmpty();
        PeerEvent next = r.publish(transition("ghost", Liveness.ALIVE, Liveness.DEAD, "down"));
        assertThat(next.sequence()).as("events of an unregistered name still continue").isEqualTo(3);
    }

    @Test
    void aThrowingListenerIsLoggedStaysSubscribedAndDelaysNobody() {
        PeerRegistry r = PeerRegistry.create(Runnable::run);
        AtomicInteger calls = new AtomicInteger();
        r.addListener(e -> {
            calls.incrementAndGet();
            throw new IllegalStateException("boom");
        });
        Recorder got = new Recorder();
        r.addListener(got);
        for (int i = 0; i < 3; i++) {
            r.publish(transition("a", Liveness.ALIVE, Liveness.SUSPECT, "t" + i));
        }
        assertThat(calls).hasValue(3);
        assertThat(got.size()).isEqualTo(3);
        assertThat(r.listenerCount()).isEqualTo(2);
    }

    @Test
    void aListenerThatPublishesGetsItsOwnEventAfterItReturns() {
        PeerRegistry r = PeerRegistry.create(Runnable::run);
        List<String> seen = new ArrayList<>();
        r.addListener(e -> {
            seen.add("start " + e.peer());
            if (e.peer().equals("a")) {
                r.publish(added("b"));
            }
            seen.add("end " + e.peer());
        });
        r.publish(added("a"));
        assertThat(seen).containsExactly("start a", "end a", "start b", "end b");
    }

    @Test
    void removedListenersReceiveNothingMore() {
        ManualExecutor executor = new ManualExecutor();
        PeerRegistry r = PeerRegistry.create(executor);
        Recorder got = new Recorder();
        r.addListener(got);
        r.publish(added("a"));
        r.removeListener(got);
        executor.runAll();
        r.publish(added("b"));
        executor.runAll();
        assertThat(got.size()).isZero();
        assertThat(r.listenerCount()).isZero();
    }

    @Test
    void eventsAnExecutorRefusesStayQueuedAndGoOutWhenItAcceptsAgain() {
        AtomicInteger refuse = new AtomicInteger(600);
        PeerRegistry r = PeerRegistry.create(task -> {
            if (refuse.getAndDecrement() > 0) {
                throw new RejectedExecutionException("busy");
            }
            task.run();
        });
        Recorder got = new Recorder();
        r.addListener(got);
        for (int i = 0; i < 600; i++) {
            r.publish(transition("a", Liveness.ALIVE, Liveness.SUSPECT, "t" + i));
        }
        assertThat(got.size()).isZero();
        assertThat(r.dispatchRefusals()).isEqualTo(600);
        assertThat(r.pendingEvents()).isEqualTo(600);
        r.publish(transition("a", Liveness.SUSPECT, Liveness.ALIVE, "last")); // accepted: more than one batch, inline
        assertThat(got.events()).hasSize(601).extracting(PeerEvent::sequence).isSorted().doesNotHaveDuplicates();
        assertThat(got.events().get(600).reason()).isEqualTo("last");
        assertThat(r.droppedEvents()).isZero();
        assertThat(r.pendingEvents()).isZero();
    }

    @Test
    void closeCountsWhatAnExecutorThatKeepsRefusingNeverDelivered() {
        PeerRegistry r = PeerRegistry.builder().dispatcher(task -> {
            throw new RejectedExecutionException("shut down");
        }).closeTimeout(Duration.ofSeconds(30)).build();
        r.addListener(e -> { });
        for (int i = 0; i < 3; i++) {
            r.publish(transition("a", Liveness.ALIVE, Liveness.SUSPECT, "t" + i));
        }
        r.close(); // retries once, then does not wait for a delivery that cannot happen
        assertThat(r.dispatchRefusals()).isEqualTo(4);
        assertThat(r.droppedEvents()).isEqualTo(3);
        assertThat(r.pendingEvents()).isZero();
    }

    @Test
    void aSharedExecutorRunsALaneInBatchesAndYieldsInBetween() {
        ManualExecutor executor = new ManualExecutor();
        PeerRegistry r = PeerRegistry.create(executor);
        Recorder got = new Recorder();
        r.addListener(got);
        for (int i = 0; i < 600; i++) {
            r.publish(transition("a", Liveness.ALIVE, Liveness.SUSPECT, "t" + i));
        }
        assertThat(executor.queued()).isEqualTo(1);
        assertThat(executor.runAll()).isEqualTo(3);
        assertThat(got.events()).hasSize(600).extracting(PeerEvent::sequence).isSorted();
    }

    @Test
    void anOwnerRemovesOnlyItsOwnInstance() {
        PeerRegistry shared = PeerRegistry.create(Runnable::run);
        TestPeer mine = new TestPeer("orders");
        TestPeer theirs = new TestPeer("orders");
        shared.register(mine);
        assertThat(shared.unregister(theirs)).isFalse();
        assertThat(shared.peer("orders")).containsSame(mine);
        assertThat(shared.unregister(mine)).isTrue();
        shared.register(theirs);
        assertThat(shared.unregister(mine)).as("a stale removal by the first owner").isFalse();
        assertThat(shared.peer("orders")).containsSame(theirs);
        assertThatThrownBy(() -> shared.register(new TestPeer("orders")))
                .hasMessage("peer : 'orders' is already registered (expected: a unique name)");
        assertThat(shared.unregister("orders")).isSameAs(theirs);
        assertThat(shared.size()).isZero();
    }

    @Test
    void racingOwnersOfOneNameNeverRemoveEachOthersPeers() throws Exception {
        PeerRegistry shared = PeerRegistry.create(Runnable::run);
        int owners = 4;
        int rounds = 5_000;
        ExecutorService pool = Executors.newFixedThreadPool(owners);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<int[]>> results = new ArrayList<>();
            for (int o = 0; o < owners; o++) {
                results.add(pool.submit(() -> {
                    int registered = 0;
                    int wrong = 0;
                    start.await(10, TimeUnit.SECONDS);
                    TestPeer previous = null;
                    for (int i = 0; i < rounds; i++) {
                        TestPeer mine = new TestPeer("shared");
                        try {
                            shared.register(mine);
                        } catch (IllegalArgumentException taken) {
                            continue;
                        }
                        registered++;
                        if (previous != null && shared.unregister(previous)) {
                            wrong++; // our earlier instance is gone already: this must be false
                        }
                        if (!shared.unregister(mine)) {
                            wrong++; // somebody removed our peer
                        }
                        previous = mine;
                    }
                    return new int[] {registered, wrong};
                }));
            }
            start.countDown();
            int registered = 0;
            for (Future<int[]> f : results) {
                int[] r = f.get(30, TimeUnit.SECONDS);
                registered += r[0];
                assertThat(r[1]).isZero();
            }
            assertThat(registered).isPositive();
            assertThat(shared.size()).isZero();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void builderValuesAreValidatedWithNameValueAndRule() {
        assertThatThrownBy(() -> PeerRegistry.builder().laneCapacity(0))
                .hasMessage("laneCapacity : 0 (expected: 1..16777216)");
        assertThatThrownBy(() -> PeerRegistry.builder().closeTimeout(Duration.ofMinutes(2)))
                .hasMessage("closeTimeout : PT2M (expected: PT0S..PT1M)");
        PeerRegistry r = PeerRegistry.create(Runnable::run);
        assertThatThrownBy(() -> r.addListener(e -> { }, 1 << 25))
                .hasMessage("laneCapacity : 33554432 (expected: 1..16777216)");
    }

    @Test
    void closeDeliversWhatIsQueuedThenStopsItsThreads() throws Exception {
        PeerRegistry r = PeerRegistry.builder().closeTimeout(Duration.ofSeconds(10)).build();
        CountDownLatch gate = new CountDownLatch(1);
        AtomicReference<Thread> dispatcher = new AtomicReference<>();
        Recorder got = new Recorder() {
            @Override
            public void onEvent(PeerEvent event) {
                dispatcher.set(Thread.currentThread());
                try {
                    gate.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                super.onEvent(event);
            }
        };
        r.addListener(got);
        for (int i = 0; i < 50; i++) {
            r.publish(transition("a", Liveness.ALIVE, Liveness.SUSPECT, "t" + i));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> dispatcher.get() != null);
        assertThat(dispatcher.get().getName()).startsWith("heartbeat-events-");
        assertThat(dispatcher.get().isDaemon()).isTrue();
        CompletableFuture<Void> closing = CompletableFuture.runAsync(r::close, runnable -> new Thread(runnable).start());
        gate.countDown();
        closing.get(10, TimeUnit.SECONDS);
        assertThat(got.size()).isEqualTo(50);
        assertThat(r.droppedEvents()).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> !dispatcher.get().isAlive());

        r.publish(added("after"));
        assertThat(r.droppedEvents()).isEqualTo(1);
        assertThatThrownBy(() -> r.addListener(e -> { })).hasMessage("registry is closed");
        r.close(); // idempotent
    }

    @Test
    void closeGivesUpOnAStuckListenerCountsWhatItCouldNotDeliverAndEndsTheThread() {
        PeerRegistry r = PeerRegistry.builder().closeTimeout(Duration.ofMillis(100)).build();
        CountDownLatch never = new CountDownLatch(1);
        AtomicReference<Thread> dispatcher = new AtomicReference<>();
        r.addListener(e -> {
            dispatcher.set(Thread.currentThread());
            try {
                never.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
        });
        for (int i = 0; i < 5; i++) {
            r.publish(transition("a", Liveness.ALIVE, Liveness.SUSPECT, "t" + i));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> dispatcher.get() != null);
        r.close();
        assertThat(r.droppedEvents()).isEqualTo(4);
        await().atMost(Duration.ofSeconds(10)).until(() -> !dispatcher.get().isAlive());
    }

    @Test
    void closeFromInsideAListenerDoesNotWaitForItself() throws Exception {
        PeerRegistry r = PeerRegistry.builder().closeTimeout(Duration.ofSeconds(30)).build();
        CompletableFuture<Long> closedAfter = new CompletableFuture<>();
        r.addListener(e -> {
            long t0 = System.nanoTime();
            r.close();
            closedAfter.complete(System.nanoTime() - t0);
        });
        r.publish(added("a"));
        assertThat(closedAfter.get(10, TimeUnit.SECONDS)).isLessThan(TimeUnit.SECONDS.toNanos(10));
    }
}
