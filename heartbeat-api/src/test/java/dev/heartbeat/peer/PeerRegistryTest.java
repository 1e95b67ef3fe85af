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
