package dev.heartbeat.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.heartbeat.detect.Ticker;
import dev.heartbeat.engine.spi.Cancellable;
import dev.heartbeat.engine.spi.SerialScheduler;
import dev.heartbeat.engine.spi.Timer;
import dev.heartbeat.engine.spi.TimerEntry;
import dev.heartbeat.engine.spi.TimerQueue;
import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.Peer;
import dev.heartbeat.peer.PeerEvent;
import dev.heartbeat.peer.PeerRegistry;
import dev.heartbeat.testing.InMemoryNetwork;
import dev.heartbeat.testing.VirtualScheduler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A peer's one timer: ticks and the evaluations between them share it, on a {@link TimerQueue}
 * (whose timers may fire up to a millisecond late, as on the transports' event loops).
 */
class PeerTimerTest {

    /** A virtual scheduler whose entries and timers go to one {@link TimerQueue}, counted. */
    private static final class QueuedScheduler implements SerialScheduler {
        final VirtualScheduler base = new VirtualScheduler();
        final TimerQueue queue = new TimerQueue(base);
        int timersMade;
        /** Every entry armed, by identity. */
        final Set<TimerEntry> entries = Collections.newSetFromMap(new IdentityHashMap<>());

        @Override
        public Ticker ticker() {
            return base.ticker();
        }

        @Override
        public void execute(Runnable task) {
            base.execute(task);
        }

        @Override
        public Cancellable schedule(Runnable task, long delayNanos) {
            return base.schedule(task, delayNanos);
        }

        @Override
        public boolean inScheduler() {
            return base.inScheduler();
        }

        @Override
        public Timer newTimer(Runnable task) {
            timersMade++;
            return queue.newTimer(task);
        }

        @Override
        public void arm(TimerEntry entry, long delayNanos) {
            entries.add(entry);
            queue.arm(entry, delayNanos);
        }

        @Override
        public void cancel(TimerEntry entry) {
            queue.cancel(entry);
        }
    }

    private final QueuedScheduler scheduler = new QueuedScheduler();
    private final InMemoryNetwork network = new InMemoryNetwork(scheduler);
    private final List<PeerEvent> events = new ArrayList<>();
    private final HeartbeatMonitor monitor = HeartbeatMonitor.builder(network)
            .config(MonitorConfig.custom().interval(Duration.ofMillis(100)).build())
            .nodeId("test-monitor")
            .ticker(scheduler.ticker())
            .clock(Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC))
            .registry(PeerRegistry.create(Runnable::run))
            .watchGarbageCollector(false)
            .random(new java.util.Random(7))
            .build();

    private InMemoryNetwork.Endpoint responder(String address) {
        return network.bind(address, HeartbeatResponder.builder().nodeId(address).ticker(scheduler.ticker()).build());
    }

    @Test
    void eachPeerIsItsOwnTimerAndKeepsItArmed() {
        for (int i = 0; i < 3; i++) {
            responder("r" + i);
            monitor.addPeer("p" + i, "r" + i);
        }
        for (int ms = 0; ms < 3_000; ms++) {
            scheduler.base.advanceNanos(1_000_000);
            assertThat(scheduler.queue.armed()).isEqualTo(3);
        }
        assertThat(scheduler.timersMade).isZero(); // no timer objects: each peer is its own entry
        assertThat(scheduler.entries).hasSize(3).allSatisfy(e -> assertThat(e).isInstanceOf(Peer.class));
        for (Peer p : monitor.peers()) {
            assertThat(p.liveness()).isEqualTo(Liveness.ALIVE);
        }
        monitor.close();
    }

    @Test
    void theTimerOutlivesSuspicionDeathAndRecoveryWithoutBeingLost() {
        InMemoryNetwork.Endpoint r = responder("r");
        Peer p = monitor.addPeer("p", "r");
        scheduler.base.advance(Duration.ofSeconds(2));
        assertThat(p.liveness()).isEqualTo(Liveness.ALIVE);
        r.freeze();
        List<Liveness> seen = new ArrayList<>();
        for (int ms = 0; ms < 20_000 && p.liveness() != Liveness.DEAD; ms++) {
            scheduler.base.advanceNanos(1_000_000);
            assertThat(scheduler.queue.armed()).isEqualTo(1); // the tick or an evaluation: never none
            if (seen.isEmpty() || seen.get(seen.size() - 1) != p.liveness()) {
                seen.add(p.liveness());
            }
        }
        assertThat(seen).containsExactly(Liveness.ALIVE, Liveness.SUSPECT, Liveness.DEAD);
        r.resume();
        for (int ms = 0; ms < 2_000; ms++) {
            scheduler.base.advanceNanos(1_000_000);
            assertThat(scheduler.queue.armed()).isEqualTo(1);
        }
        assertThat(p.liveness()).isEqualTo(Liveness.ALIVE);
        assertThat(scheduler.timersMade).isZero();
        assertThat(scheduler.entries).containsExactly((TimerEntry) p);
        monitor.close();
    }
}
