package dev.heartbeat.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.PeerEvent;
import dev.heartbeat.peer.Usability;
import dev.heartbeat.protocol.Frame;
import dev.heartbeat.protocol.LoadReport;
import dev.heartbeat.protocol.ServingStatus;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Feeds hand-made frames to one monitored peer through a scripted link. */
class PeerMonitorFramesTest {

    private final Scripted s = new Scripted();

    @AfterEach
    void tearDown() {
        s.close();
    }

    @Test
    void stalePongsFromAReplacedEpochAndDuplicatesAreIgnored() {
        Frame p1 = s.lastPing();
        s.deliver(Scripted.pong(p1, 11, ServingStatus.SERVING, 0));
        assertThat(s.peer.liveness()).isEqualTo(Liveness.ALIVE);
        s.scheduler.advance(Duration.ofMillis(250));
        Frame p2 = s.lastPing();
        s.deliver(Scripted.pong(p2, 22, ServingStatus.SERVING, 0)); // restarted
        assertThat(s.events).extracting(PeerEvent::kind).contains(PeerEvent.Kind.RESTARTED);
        int n = s.events.size();
        s.deliver(Scripted.pong(p2, 11, ServingStatus.DRAINING, 0)); // a late answer from the old process
        s.deliver(Scripted.pong(p2, 22, ServingStatus.DRAINING, 0)); // a duplicate answer to the same PING
        assertThat(s.events).hasSize(n);
        assertThat(s.peer.usability()).isEqualTo(Usability.USABLE);
        assertThat(s.peer.state().epoch()).isEqualTo(22);
    }

    @Test
    void aPeersRepeatedNodeIdAndMetricNamesDecodeToTheBytesAndStringsItHolds() {
        try (Scripted other = new Scripted()) { // another peer decoding on this thread, into the same holder
            LoadReport load = LoadReport.builder().cpu(0.5).custom("pool.idle", 3).build();
            Frame p1 = s.lastPing();
            s.deliver(new Frame().pong(7, 1, 0, "n\u00f6de-a", p1.sequence(), p1.sendTimeNanos(), ServingStatus.SERVING, 0,
                    load));
            byte[] node = ((PeerMonitor) s.peer).nodeIdUtf8();
            assertThat(node).isEqualTo("n\u00f6de-a".getBytes(StandardCharsets.UTF_8));
            assertThat(s.peer.state().nodeId()).isEqualTo("n\u00f6de-a");
            String metric = s.peer.load().customName(0);
            Frame q1 = other.lastPing();
            other.deliver(new Frame().pong(8, 1, 0, "node-b", q1.sequence(), q1.sendTimeNanos(), ServingStatus.SERVING, 0,
                    LoadReport.builder().custom("queue.wait", 1).build()));
            s.scheduler.advance(Duration.ofMillis(250));
            Frame p2 = s.lastPing();
            // Equal strings, other instances, and another value: the report is new, its strings are not.
            s.deliver(new Frame().pong(7, 2, 0, new String("n\u00f6de-a"), p2.sequence(), p2.sendTimeNanos(),
                    ServingStatus.SERVING, 0, LoadReport.builder().cpu(0.5).custom(new String("pool.idle"), 4).build()));
            assertThat(s.peer.load().customValue(0)).isEqualTo(4);
            assertThat(((PeerMonitor) s.peer).nodeIdUtf8()).isSameAs(node);
            assertThat(s.peer.state().nodeId()).isEqualTo("n\u00f6de-a");
            assertThat(s.peer.load().customName(0)).isSameAs(metric);
            assertThat(other.peer.state().nodeId()).isEqualTo("node-b");
            assertThat(((PeerMonitor) other.peer).nodeIdUtf8()).isEqualTo("node-b".getBytes(StandardCharsets.US_ASCII));
            // A changed node id is decoded afresh.
            s.scheduler.advance(Duration.ofMillis(250));
            Frame p3 = s.lastPing();
            s.deliver(new Frame().pong(7, 3, 0, "n\u00f6de-b", p3.sequence(), p3.sendTimeNanos(), ServingStatus.SERVING, 0,
                    load));
            assertThat(s.peer.state().nodeId()).isEqualTo("n\u00f6de-b");
            assertThat(((PeerMonitor) s.peer).nodeIdUtf8()).isNotSameAs(node)
                    .isEqualTo("n\u00f6de-b".getBytes(StandardCharsets.UTF_8));
            assertThat(node).as("the old array is left as it was").isEqualTo("n\u00f6de-a".getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void aRemovedPeerKeepsItsLastVerdictsAndPublishesNothingMore() {
        s.answer(s.lastPing(), 7);
        assertThat(s.peer.liveness()).isEqualTo(Liveness.ALIVE);
        Usability u = s.peer.usability();
        assertThat(s.monitor.removePeer("b")).isTrue();
        assertThat(s.last().kind()).isEqualTo(PeerEvent.Kind.REMOVED);
        assertThat(s.last().toLiveness()).isEqualTo(Liveness.ALIVE);
        assertThat(s.last().toUsability()).isEqualTo(u);
        // The removal is a mark beside the verdicts, which stay readable as they were.
        assertThat(s.peer.liveness()).isEqualTo(Liveness.ALIVE);
        assertThat(s.peer.usability()).isEqualTo(u);
        assertThat(s.peer.state().liveness()).isEqualTo(Liveness.ALIVE);
        int n = s.events.size();
        s.scheduler.advance(Duration.ofSeconds(30)); // silent long enough to be DEAD, were it monitored
        assertThat(s.events).hasSize(n);
        assertThat(s.peer.liveness()).isEqualTo(Liveness.ALIVE);
        assertThat(s.monitor.removePeer("b")).isFalse();
    }

    @Test
    void anAttachedPeersOwnListenerHearsItsEventsAndOnlyAttachedPeersCarryOne() {
        java.util.List<PeerEvent> heard = new java.util.ArrayList<>();
        HeartbeatMonitor.Attached a = s.monitor.attach(dev.heartbeat.peer.PeerSpec.of("c", "c:1"), s.link, e -> {
            heard.add(e);
            throw new IllegalStateException("a listener's bug"); // logged; the peer goes on
        });
        s.scheduler.runPending();
        Frame ping = s.lastPing(); // c's first PING, on the link it shares with b
        ByteBuffer pong = ByteBuffer.allocate(dev.heartbeat.protocol.FrameCodec.MAX_FRAME_LENGTH);
        dev.heartbeat.protocol.FrameCodec.encode(Scripted.pong(ping, 9, ServingStatus.SERVING, 0), pong);
        pong.flip();
        a.handler().onFrame(s.link, pong);
        assertThat(a.peer().liveness()).isEqualTo(Liveness.ALIVE);
        assertThat(heard).extracting(PeerEvent::kind).containsExactly(PeerEvent.Kind.TRANSITION);
        assertThat(heard.get(0).toLiveness()).isEqualTo(Liveness.ALIVE);
        assertThat(s.events).contains(heard.get(0)); // the very event the registry published
        assertThat(s.monitor.removePeer("c")).isTrue();
        assertThat(heard).hasSize(1); // not REMOVED
        assertThat(a.peer()).isInstanceOf(PeerMonitor.Listened.class);
        assertThat(s.peer).isNotInstanceOf(PeerMonitor.Listened.class); // no listener field in a peer without one
    }

    @Test
    void pongsForPingsNeverSentAreIgnored() {
        Frame p1 = s.lastPing();
        s.deliver(new Frame().pong(5, 1, 0, "b", p1.sequence() + 100, p1.sendTimeNanos(), ServingStatus.SERVING, 0,
                LoadReport.UNKNOWN));
        assertThat(s.peer.liveness()).isEqualTo(Liveness.UNKNOWN);
    }

    @Test
    void garbageIsIgnoredAndTheLinkKeepsWorking() {
        s.handler.onFrame(s.link, ByteBuffer.wrap(new byte[] {0x48, 0x42, 9, 9}));
        s.handler.onFrame(s.link, ByteBuffer.wrap(new byte[2000]));
        s.answer(s.lastPing(), 7);
        assertThat(s.peer.liveness()).isEqualTo(Liveness.ALIVE);
    }

    @Test
    void pingsCarryTheIntervalAndIncreasingSequences() {
        s.scheduler.advance(Duration.ofSeconds(1));
        Frame a = s.ping(0);
        Frame b = s.ping(1);
        assertThat(a.intervalMillis()).isEqualTo(200);
        assertThat(b.sequence() - a.sequence()).isEqualTo(1);
        assertThat(a.epoch()).isEqualTo(b.epoch()).isNotZero();
    }

    @Test
    void theLoadReportIsMadeWhenReadAndKeptUntilTheFiguresChange() {
        assertThat(s.peer.load()).isSameAs(LoadReport.UNKNOWN);
        LoadReport busy = LoadReport.builder().cpu(0.5).inFlight(3).custom("pool.idle", 2).build();
        Frame p1 = s.lastPing();
        s.deliver(new Frame().pong(7, 1, 0, "b", p1.sequence(), p1.sendTimeNanos(), ServingStatus.SERVING, 0, busy));
        LoadReport first = s.peer.load();
        assertThat(first).isEqualTo(busy);
        assertThat(s.peer.load()).as("kept while nothing changed").isSameAs(first);
        assertThat(s.peer.state().load()).isSameAs(first);

        s.scheduler.advance(Duration.ofMillis(250));
        Frame p2 = s.lastPing();
        s.deliver(new Frame().pong(7, 2, 0, "b", p2.sequence(), p2.sendTimeNanos(), ServingStatus.SERVING, 0,
                busy.toBuilder().build()));
        assertThat(s.peer.load()).as("same figures: the same report").isSameAs(first);

        // a PONG that answers no PING of ours changes nothing, whatever load it carries
        LoadReport forged = LoadReport.builder().cpu(0.99).build();
        s.deliver(new Frame().pong(7, 3, 0, "b", p2.sequence() + 100, p2.sendTimeNanos(), ServingStatus.SERVING, 0,
                forged));
        assertThat(s.peer.load()).isSameAs(first);

        s.scheduler.advance(Duration.ofMillis(250));
        Frame p3 = s.lastPing();
        LoadReport calmer = busy.toBuilder().cpu(0.25).build();
        s.deliver(new Frame().pong(7, 4, 0, "b", p3.sequence(), p3.sendTimeNanos(), ServingStatus.SERVING, 0, calmer));
        assertThat(s.peer.load()).isNotSameAs(first).isEqualTo(calmer);
        assertThat(first.cpu()).as("a report once made never changes").isEqualTo(0.5);
    }

    @Test
    void figuresWithoutCustomMetricsAreKeptByThePeerAndCustomOnesFromTheFirstThatCarriesThem() {
        LoadReport plain = LoadReport.builder().cpu(0.5).memory(0.25).inFlight(3).queueDepth(4).requestsPerSecond(12.5)
                .errorRate(0.01).latencyMicros(800).build();
        LoadReport withCustom = plain.toBuilder().custom("pool.idle", 2).build();
        deliverLoad(plain);
        LoadReport first = s.peer.load();
        assertThat(first).isEqualTo(plain);
        deliverLoad(plain.toBuilder().build());
        assertThat(s.peer.load()).as("same figures: the same report").isSameAs(first);
        deliverLoad(withCustom);
        assertThat(s.peer.load()).isEqualTo(withCustom);
        deliverLoad(plain);
        assertThat(s.peer.load()).as("no custom metric any more").isEqualTo(plain);
        deliverLoad(LoadReport.UNKNOWN);
        assertThat(s.peer.load()).isEqualTo(LoadReport.UNKNOWN);
        assertThat(s.peer.state().load()).isEqualTo(LoadReport.UNKNOWN);
    }

    @Test
    void aReaderOnAnotherThreadGetsOneReportOrAnotherNeverAMixOfTwo() throws InterruptedException {
        LoadReport a = LoadReport.builder().cpu(0.1).memory(0.1).inFlight(1).queueDepth(1).requestsPerSecond(1)
                .errorRate(0.001).latencyMicros(1).build();
        LoadReport b = LoadReport.builder().cpu(0.2).memory(0.2).inFlight(2).queueDepth(2).requestsPerSecond(2)
                .errorRate(0.002).latencyMicros(2).build();
        // Then with custom metrics: from the first, the peer keeps its figures in another place.
        LoadReport ca = a.toBuilder().custom("x", 1).build();
        LoadReport cb = b.toBuilder().custom("x", 2).custom("y", 2).build();
        java.util.Set<LoadReport> sent = java.util.Set.of(LoadReport.UNKNOWN, a, b, ca, cb);
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicReference<LoadReport> mixed = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicLong reads = new java.util.concurrent.atomic.AtomicLong();
        Thread reader = new Thread(() -> {
            while (!done.get()) {
                LoadReport r = s.peer.load();
                if (!sent.contains(r)) {
                    mixed.compareAndSet(null, r);
                }
                reads.incrementAndGet();
            }
        }, "load-reader");
        reader.start();
        try {
            for (int i = 0; i < 4_000; i++) {
                deliverLoad(i < 2_000 ? (i % 2 == 0 ? a : b) : (i % 2 == 0 ? ca : cb));
            }
        } finally {
            done.set(true);
            reader.join(10_000);
        }
        assertThat(reader.isAlive()).isFalse();
        assertThat(mixed.get()).as("a report no PONG carried").isNull();
        assertThat(reads.get()).isPositive();
        assertThat(s.peer.load()).isEqualTo(cb);
    }

    /**
     * A reader never gets figures older than the last change that completed before it began — also
     * when another reader's report of older figures is kept just after that change (two readers race
     * the peer's thread here; the report is kept with the count of writes it was made from).
     */
    @Test
    void aReaderNeverGetsFiguresOlderThanTheLastCompletedChange() throws InterruptedException {
        java.util.concurrent.atomic.AtomicInteger completed = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicReference<String> stale = new java.util.concurrent.atomic.AtomicReference<>();
        Runnable read = () -> {
            while (!done.get()) {
                int c = completed.get();
                long seen = s.peer.load().inFlight();
                if (c > 0 && seen < c) {
                    stale.compareAndSet(null, "after change " + c + " a reader got in-flight " + seen);
                }
            }
        };
        Thread r1 = new Thread(read, "load-reader-1");
        Thread r2 = new Thread(read, "load-reader-2");
        r1.start();
        r2.start();
        try {
            for (int i = 1; i <= 3_000; i++) {
                deliverLoad(LoadReport.builder().inFlight(i).build());
                completed.set(i);
            }
        } finally {
            done.set(true);
            r1.join(10_000);
            r2.join(10_000);
        }
        assertThat(r1.isAlive() || r2.isAlive()).isFalse();
        assertThat(stale.get()).isNull();
        assertThat(s.peer.load().inFlight()).isEqualTo(3_000);
    }

    /** Answers the next PING with a PONG that carries {@code load}. */
    private void deliverLoad(LoadReport load) {
        s.scheduler.advance(Duration.ofMillis(250));
        Frame p = s.lastPing();
        s.deliver(new Frame().pong(7, 1, 0, "b", p.sequence(), p.sendTimeNanos(), ServingStatus.SERVING, 0, load));
    }

    @Test
    void missesAreReportedWholeEvenWhenAnObserverMakesAnotherPeerMatchAPongOnThisThread() {
        java.util.List<Integer> missed = new java.util.ArrayList<>();
        Scripted[] other = new Scripted[1];
        PeerObserver reentrant = new PeerObserver() {
            @Override
            public void onMiss(dev.heartbeat.peer.Peer peer, int sequence) {
                missed.add(sequence);
                Scripted o = other[0];
                if (o != null) { // the other peer's PONG finds a miss of its own, on this thread
                    other[0] = null;
                    o.nextPing();
                    o.deliver(Scripted.pong(o.nextPing(), 9, ServingStatus.SERVING, 0));
                }
            }
        };
        try (Scripted a = new Scripted(MonitorConfig.ofDefaults(), reentrant)) {
            s.answer(s.lastPing(), 9);
            a.answer(a.lastPing(), 7);
            Frame m1 = a.nextPing();
            Frame m2 = a.nextPing();
            other[0] = s;
            a.deliver(Scripted.pong(a.nextPing(), 7, ServingStatus.SERVING, 0));
            assertThat(other[0]).as("the observer ran").isNull();
            assertThat(missed).containsExactly(m1.sequence(), m2.sequence());
        }
    }
}
