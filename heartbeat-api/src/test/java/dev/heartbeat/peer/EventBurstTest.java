package dev.heartbeat.peer;

import static dev.heartbeat.peer.Events.added;
import static dev.heartbeat.peer.Events.removed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.heartbeat.peer.Events.Recorder;
import dev.heartbeat.peer.Events.TestPeer;
import dev.heartbeat.peer.PeerEvent.Kind;
import dev.heartbeat.protocol.LoadReport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Real dispatch threads under load: a burst with a slow listener, and listeners added while peers publish. */
class EventBurstTest {

    private static final Duration BOUND = Duration.ofSeconds(60);

    /** The n-th transition of a peer: liveness alternates ALIVE/SUSPECT, usability cycles, the reason numbers it. */
    private static PeerEvent transition(String peer, int n) {
        Liveness from = n % 2 == 0 ? Liveness.ALIVE : Liveness.SUSPECT;
        Liveness to = n % 2 == 0 ? Liveness.SUSPECT : Liveness.ALIVE;
        Usability[] us = Usability.values();
        Usability fromU = us[n % us.length];
        Usability toU = us[(n + 1) % us.length];
        String reason = peer + " #" + n;
        return new PeerEvent(Kind.TRANSITION, peer, from, to, fromU, toU, reason, Instant.EPOCH,
                Events.state(peer, to, toU, reason));
    }

    @Test
    void aSlowListenerNeitherStallsAFastOneNorLosesAnyPeersLatestState() throws Exception {
        int peers = 100;
        int phases = 10;
        int perPhase = 100;            // 100 peers × 10 phases × 100 = 100,000 transitions
        int threads = 4;
        int removedPeers = 10;
        PeerRegistry registry = PeerRegistry.builder().laneCapacity(64).closeTimeout(Duration.ofSeconds(10)).build();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch slowGate = new CountDownLatch(1);
        try {
            Recorder fast = new Recorder();
            Recorder slow = new Recorder() {
                @Override
                public void onEvent(PeerEvent event) {
                    try {
                        slowGate.await(BOUND.toSeconds(), TimeUnit.SECONDS); // stuck until the test lets it go
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    super.onEvent(event);
                }
            };
            registry.addListener(slow);                  // the registry's capacity: 64
            registry.addListener(fast, 1 << 18);         // room for the whole burst

            for (int p = 0; p < peers; p++) {
                registry.register(new TestPeer("p" + p));
                registry.publish(added("p" + p));
            }
            // Each peer publishes from one thread at a time, but from another thread in each phase.
            Map<String, PeerEvent> lastPublished = new HashMap<>();
            for (int phase = 0; phase < phases; phase++) {
                List<Callable<Void>> tasks = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    int first = phase * perPhase;
                    tasks.add(() -> {
                        for (int n = first; n < first + perPhase; n++) {
                            for (int p = 0; p < peers; p++) {
                                if ((p + n / perPhase) % threads == thread) {
                                    registry.publish(transition("p" + p, n));
                                }
                            }
                        }
                        return null;
                    });
                }
                for (Future<Void> f : pool.invokeAll(tasks, BOUND.toSeconds(), TimeUnit.SECONDS)) {
                    f.get();
                }
            }
            for (int p = 0; p < peers; p++) {
                lastPublished.put("p" + p, transition("p" + p, phases * perPhase - 1));
            }
            for (int p = 0; p < removedPeers; p++) {     // REMOVED from yet another thread: this one
                registry.unregister("p" + p);
                PeerEvent r = removed("p" + p, Liveness.ALIVE);
                registry.publish(r);
                lastPublished.put("p" + p, r);
            }
            int total = peers + peers * phases * perPhase + removedPeers;

            // The fast listener gets everything while the slow one is still stuck on its first event.
            await().atMost(BOUND).until(() -> fast.size() == total);
            assertThat(slow.size()).isZero();
            assertThat(registry.pendingEvents()).as("the slow lane stays bounded").isLessThanOrEqualTo(64 + 2 * peers);
            checkPerPeer(fast, lastPublished, true);

            slowGate.countDown();
            await().atMost(BOUND).until(() -> slow.published() == total);
            assertThat(slow.size()).as("events the slow listener received").isLessThanOrEqualTo(1 + 64 + 2 * peers);
            checkPerPeer(slow, lastPublished, false);
            assertThat(registry.coalescedEvents()).isEqualTo(total - slow.size());
            assertThat(registry.droppedEvents()).isZero();
        } finally {
            slowGate.countDown();
            pool.shutdownNow();
            registry.close();
        }
    }

    /** Per peer: ADDED first, sequences strictly increasing and contiguous, the exact final event. */
    private static void checkPerPeer(Recorder r, Map<String, PeerEvent> lastPublished, boolean everyEvent) {
        Map<String, List<PeerEvent>> byPeer = r.byPeer();
        assertThat(byPeer.keySet()).isEqualTo(lastPublished.keySet());
        for (Map.Entry<String, List<PeerEvent>> e : byPeer.entrySet()) {
            List<PeerEvent> seen = e.getValue();
            if (seen.size() == 1 && seen.get(0).kind() == Kind.REMOVED) {
                // added, changed and removed while this listener lagged: one REMOVED for all of it
                assertThat(everyEvent).isFalse();
                assertThat(seen.get(0).count()).as("ADDED, every transition and REMOVED").isEqualTo(1_000 + 2);
            } else {
                assertThat(seen.get(0).kind()).isEqualTo(Kind.ADDED);
            }
            for (int i = 1; i < seen.size(); i++) {
                PeerEvent prev = seen.get(i - 1);
                PeerEvent next = seen.get(i);
                assertThat(next.sequence()).as("%s after %s", next, prev).isEqualTo(prev.sequence() + next.count());
                if (everyEvent) {
                    assertThat(next.count()).isEqualTo(1);
                    if (next.kind() == Kind.TRANSITION) {
                        assertThat(next.reason()).isEqualTo(e.getKey() + " #" + (i - 1));
                    }
                }
            }
            PeerEvent last = seen.get(seen.size() - 1);
            PeerEvent expected = lastPublished.get(e.getKey());
            if (everyEvent || expected.kind() == Kind.REMOVED) {
                assertThat(last.kind()).isEqualTo(expected.kind());
            } else { // a peer the listener had not seen yet arrives as an ADDED in its latest state
                assertThat(last.kind()).isIn(Kind.TRANSITION, Kind.ADDED);
            }
            assertThat(last.toLiveness()).isEqualTo(expected.toLiveness());
            assertThat(last.toUsability()).isEqualTo(expected.toUsability());
            assertThat(last.reason()).isEqualTo(expected.reason());
            assertThat(last.state()).isEqualTo(expected.state());
        }
    }

    @Test
    void listenersAddedWhilePeersPublishGetEachPeerReplayedFirstAndMissNothingAfter() throws Exception {
        int peers = 20;
        int perPeer = 2_000;
        int publishers = 2;
        PeerRegistry registry = PeerRegistry.builder().closeTimeout(Duration.ofSeconds(10)).build();
        ExecutorService pool = Executors.newFixedThreadPool(publishers);
        List<Recorder> listeners = new ArrayList<>();
        Recorder reference = new Recorder();
        registry.addListener(reference, 1 << 20);
        try {
            for (int p = 0; p < peers; p++) {
                registry.register(new TestPeer("p" + p));
            }
            AtomicInteger added = new AtomicInteger();
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < publishers; t++) {
                int thread = t;
                running.add(pool.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    for (int p = thread; p < peers; p += publishers) {
                        registry.publish(added("p" + p));
                    }
                    for (int n = 0; n < perPeer; n++) {
                        for (int p = thread; p < peers; p += publishers) {
                            String name = "p" + p;
                            if (p < 4 && n == perPeer / 2) {   // a few peers are removed and come back
                                registry.publish(removed(name, Liveness.ALIVE));
                                registry.unregister(name);
                                registry.register(new TestPeer(name));
                                registry.publish(added(name));
                            }
                            registry.publish(transition(name, n));
                        }
                        if (n % 200 == 0) {                    // subscribe while the other thread publishes
                            Recorder l = new Recorder();
                            synchronized (listeners) {
                                listeners.add(l);
                            }
                            registry.addListener(l, 1 << 20);
                            added.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : running) {
                f.get(BOUND.toSeconds(), TimeUnit.SECONDS);
            }
            int total = peers + peers * perPeer + 4 * 2;
            await().atMost(BOUND).until(() -> reference.size() == total);
            Map<String, PeerEvent> last = new HashMap<>();
            reference.byPeer().forEach((peer, events) -> last.put(peer, events.get(events.size() - 1)));
            assertThat(added).hasValue(publishers * perPeer / 200);

            for (Recorder l : listeners) {
                await().atMost(BOUND).until(() -> {
                    Map<String, List<PeerEvent>> byPeer = l.byPeer();
                    return byPeer.size() == peers && byPeer.entrySet().stream().allMatch(e ->
                            e.getValue().get(e.getValue().size() - 1).sequence() == last.get(e.getKey()).sequence());
                });
                for (Map.Entry<String, List<PeerEvent>> e : l.byPeer().entrySet()) {
                    List<PeerEvent> seen = e.getValue();
                    assertThat(seen.get(0).kind()).as("first event of %s", e.getKey()).isEqualTo(Kind.ADDED);
                    for (int i = 1; i < seen.size(); i++) {
                        PeerEvent prev = seen.get(i - 1);
                        PeerEvent next = seen.get(i);
                        assertThat(next.replayed()).isFalse();
                        assertThat(next.count()).isEqualTo(1);
                        if (prev.kind() == Kind.REMOVED) {
                            assertThat(next.kind()).isEqualTo(Kind.ADDED);
                            assertThat(next.sequence()).isGreaterThan(prev.sequence());
                        } else {
                            assertThat(next.sequence()).as("%s after %s", next, prev).isEqualTo(prev.sequence() + 1);
                        }
                    }
                    PeerEvent mine = seen.get(seen.size() - 1);
                    PeerEvent expected = last.get(e.getKey());
                    assertThat(mine.sequence()).isEqualTo(expected.sequence());
                    assertThat(mine.toLiveness()).isEqualTo(expected.toLiveness());
                    assertThat(mine.toUsability()).isEqualTo(expected.toUsability());
                    assertThat(mine.reason()).isEqualTo(expected.reason());
                    assertThat(mine.state()).isEqualTo(expected.state());
                }
            }
            assertThat(listeners.stream().mapToLong(l -> l.events().stream().filter(PeerEvent::replayed).count()).sum())
                    .as("replays delivered").isPositive();
            assertThat(registry.coalescedEvents()).isZero();
        } finally {
            pool.shutdownNow();
            registry.close();
        }
    }

    @Test
    void aReplayMadeWhileThePeerPublishesCarriesItsLastPublishedEventAndCurrentMeasurements() throws Exception {
        int events = 3_000;
        int subscribers = 25;
        PeerRegistry registry = PeerRegistry.builder().closeTimeout(Duration.ofSeconds(10)).build();
        TestPeer peer = new TestPeer("p");
        registry.register(peer);
        registry.publish(added("p"));                        // sequence 1; the n-th transition is 1 + n
        AtomicInteger published = new AtomicInteger();
        List<Recorder> listeners = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch start = new CountDownLatch(1);
            Future<?> publisher = pool.submit(() -> {
                start.await(10, TimeUnit.SECONDS);
                for (int n = 1; n <= events; n++) {
                    PeerEvent e = transition("p", n);
                    // Like a monitor: the peer's fields move first, then the event about them is published.
                    peer.set(new PeerState("p", "127.0.0.1:1", e.toLiveness(), e.toUsability(), e.reason(), n, n, n,
                            null, LoadReport.UNKNOWN, n, null, Instant.ofEpochSecond(n, n)));
                    registry.publish(new PeerEvent(e.kind(), "p", e.fromLiveness(), e.toLiveness(), e.fromUsability(),
                            e.toUsability(), e.reason(), Instant.ofEpochSecond(n, n), e.state()));
                    published.set(n);
                }
                return null;
            });
            Future<?> subscriber = pool.submit(() -> {
                start.await(10, TimeUnit.SECONDS);
                long deadline = System.nanoTime() + BOUND.toNanos();
                int next = 0;
                while (listeners.size() < subscribers && System.nanoTime() < deadline) {
                    if (published.get() >= next) {             // subscribe at spread points of the run
                        Recorder l = new Recorder();
                        registry.addListener(l, 1 << 20);
                        synchronized (listeners) {
                            listeners.add(l);
                        }
                        next += events / subscribers;
                    } else {
                        Thread.onSpinWait();
                    }
                }
                return null;
            });
            start.countDown();
            publisher.get(BOUND.toSeconds(), TimeUnit.SECONDS);
            subscriber.get(BOUND.toSeconds(), TimeUnit.SECONDS);
            assertThat(listeners).hasSize(subscribers);
            int replays = 0;
            for (Recorder l : listeners) {
                await().atMost(BOUND).until(() -> {
                    List<PeerEvent> seen = l.events();
                    return !seen.isEmpty() && seen.get(seen.size() - 1).sequence() == 1 + events;
                });
                List<PeerEvent> seen = l.events();
                PeerEvent first = seen.get(0);
                assertThat(first.kind()).isEqualTo(Kind.ADDED);
                assertThat(first.replayed()).isTrue();          // the ADDED was published before any subscription
                replays++;
                int k = (int) first.sequence() - 1;            // the last transition published before the replay
                if (k > 0) {
                    PeerEvent lastPublished = transition("p", k);
                    assertThat(first.reason()).isEqualTo(lastPublished.reason());
                    assertThat(first.toLiveness()).isEqualTo(lastPublished.toLiveness());
                    assertThat(first.fromLiveness()).isEqualTo(lastPublished.toLiveness());
                    assertThat(first.toUsability()).isEqualTo(lastPublished.toUsability());
                    assertThat(first.timestamp()).isEqualTo(Instant.ofEpochSecond(k, k));
                    PeerState st = first.state();
                    assertThat(st.liveness()).isEqualTo(first.toLiveness());
                    assertThat(st.usability()).isEqualTo(first.toUsability());
                    assertThat(st.reason()).isEqualTo(first.reason());
                    assertThat(st.since()).isEqualTo(first.timestamp());
                    // Measured now: the peer may already hold the values of the transition after it.
                    assertThat(st.epoch()).as("epoch of the replay at %d", k).isBetween((long) k, (long) k + 1);
                    assertThat(st.rttNanos()).isEqualTo(st.epoch());
                }
                assertThat(seen).hasSize(1 + events - k);
                for (int i = 1; i < seen.size(); i++) {
                    PeerEvent e = seen.get(i);
                    assertThat(e.replayed()).isFalse();
                    assertThat(e.sequence()).isEqualTo(seen.get(i - 1).sequence() + 1);
                    assertThat(e.reason()).isEqualTo(transition("p", k + i).reason());
                }
            }
            assertThat(replays).isEqualTo(subscribers);
        } finally {
            pool.shutdownNow();
            registry.close();
        }
    }
}
