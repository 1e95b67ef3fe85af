package dev.heartbeat.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.PeerEvent;
import dev.heartbeat.peer.PeerListener;
import dev.heartbeat.peer.PeerRegistry;
import dev.heartbeat.peer.PeerState;
import dev.heartbeat.peer.Usability;
import dev.heartbeat.protocol.LoadReport;
import dev.heartbeat.protocol.ServingStatus;
import dev.heartbeat.testing.InMemoryNetwork;
import dev.heartbeat.testing.VirtualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A burst of 100,000 transitions from one monitor, delivered on the registry's real dispatch
 * threads to a metrics-like listener (fast, checks every sequence) and a breaker-like one (stuck
 * for the whole burst): neither loses a peer's latest state, ADDED comes first and REMOVED last.
 */
class MonitorEventBurstTest {

    private static final int PEERS = 100;
    private static final int ROUNDS = 1_000;

    /** Per peer: what a listener saw. */
    static final class Seen {
        PeerEvent first;
        PeerEvent last;
        PeerEvent lastBeforeRemoved;
        long events;          // sum of counts: published events it stands for
        long delivered;       // events delivered
        boolean ordered = true;
    }

    static final class Recorder implements PeerListener {
        final Map<String, Seen> seen = new ConcurrentHashMap<>();
        final CountDownLatch gate;

        Recorder(CountDownLatch gate) {
            this.gate = gate;
        }

        @Override
        public void onEvent(PeerEvent e) {
            if (gate != null) {
                try {
                    gate.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }
            Seen s = seen.computeIfAbsent(e.peer(), k -> new Seen());
            if (s.first == null) {
                s.first = e;
            }
            if (s.last != null) {
                boolean contiguous = e.kind() == PeerEvent.Kind.REMOVED || e.kind() == PeerEvent.Kind.ADDED
                        || e.sequence() == s.last.sequence() + e.count();
                if (e.sequence() <= s.last.sequence() || !contiguous) {
                    s.ordered = false;
                }
            }
            if (e.kind() == PeerEvent.Kind.REMOVED) {
                s.lastBeforeRemoved = s.last;
            }
            s.last = e;
            s.events += e.count();
            s.delivered++;
        }
    }

    @Test
    void nothingIsLostUnderABurstOfAHundredThousandTransitions() {
        VirtualScheduler sch = new VirtualScheduler();
        InMemoryNetwork net = new InMemoryNetwork(sch);
        PeerRegistry registry = PeerRegistry.create(); // real dispatch threads
        MonitorConfig cfg = MonitorConfig.custom().interval(Duration.ofMillis(100)).probeInterval(Duration.ofMillis(50))
                .recoverAfter(1).jitter(0).build();
        HeartbeatMonitor monitor = HeartbeatMonitor.builder(net).config(cfg).ticker(sch.ticker()).registry(registry)
                .watchGarbageCollector(false).closeTransports(false).build();
        Recorder metrics = new Recorder(null);
        CountDownLatch release = new CountDownLatch(1);
        Recorder breaker = new Recorder(release);
        // A metrics listener that must count every transition gets a lane deep enough for the burst;
        // the breaker-like one keeps the default lane and is coalesced while it is stuck.
        registry.addListener(metrics, 2 * PEERS * ROUNDS);
        monitor.addListener(breaker);
        List<InMemoryNetwork.Endpoint> endpoints = new ArrayList<>();
        for (int i = 0; i < PEERS; i++) {
            String name = "p" + i;
            endpoints.add(net.bind(name, HeartbeatResponder.builder().nodeId(name).ticker(sch.ticker())
                    .loadProvider(() -> LoadReport.UNKNOWN).build()));
            monitor.addPeer(name);
        }
        sch.advance(Duration.ofMillis(50));
        for (int r = 0; r < ROUNDS; r++) { // every heartbeat flips every peer: USABLE <-> UNUSABLE
            ServingStatus s = r % 2 == 0 ? ServingStatus.DRAINING : ServingStatus.SERVING;
            for (InMemoryNetwork.Endpoint e : endpoints) {
                e.responder().status(s);
            }
            sch.advance(Duration.ofMillis(100));
        }
        Map<String, PeerState> finalStates = new ConcurrentHashMap<>();
        monitor.peers().forEach(p -> finalStates.put(p.name(), p.state()));
        monitor.close();
        release.countDown();
        await().atMost(Duration.ofSeconds(60)).until(() -> done(metrics) && done(breaker));

        long total = metrics.seen.values().stream().mapToLong(s -> s.events).sum();
        assertThat(total).isGreaterThanOrEqualTo((long) PEERS * ROUNDS);
        for (int i = 0; i < PEERS; i++) {
            String name = "p" + i;
            Seen m = metrics.seen.get(name);
            Seen b = breaker.seen.get(name);
            for (Seen s : List.of(m, b)) {
                assertThat(s.first.kind()).isEqualTo(PeerEvent.Kind.ADDED);
                assertThat(s.last.kind()).isEqualTo(PeerEvent.Kind.REMOVED);
                assertThat(s.ordered).as("sequences of %s", name).isTrue();
                assertThat(s.last.state().usability()).isEqualTo(finalStates.get(name).usability());
                assertThat(s.last.state().liveness()).isEqualTo(Liveness.ALIVE);
            }
            // the breaker-like listener may have had events merged, never lost: the counts add up
            assertThat(b.events).isEqualTo(m.events);
            assertThat(m.delivered).isEqualTo(m.events);
        }
        assertThat(registry.droppedEvents()).isZero();
        long breakerDelivered = breaker.seen.values().stream().mapToLong(s -> s.delivered).sum();
        assertThat(breakerDelivered).isLessThan(total); // it was coalesced while stuck
        assertThat(finalStates.values()).allMatch(s -> s.usability() == Usability.USABLE || s.usability() == Usability.UNUSABLE);
        registry.close();
    }

    private static boolean done(Recorder r) {
        if (r.seen.size() < PEERS) {
            return false;
        }
        return r.seen.values().stream().allMatch(s -> s.last != null && s.last.kind() == PeerEvent.Kind.REMOVED);
    }
}
