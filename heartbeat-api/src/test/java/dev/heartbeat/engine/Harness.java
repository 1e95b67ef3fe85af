package dev.heartbeat.engine;

import dev.heartbeat.testing.InMemoryNetwork;
import dev.heartbeat.testing.VirtualScheduler;

import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.Peer;
import dev.heartbeat.peer.PeerEvent;
import dev.heartbeat.peer.PeerRegistry;
import dev.heartbeat.protocol.LoadReport;
import dev.heartbeat.protocol.ServingStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/** A whole monitor/responder system on virtual time, for scenario tests. */
final class Harness implements AutoCloseable {

    final VirtualScheduler scheduler;
    final InMemoryNetwork network;
    final List<PeerEvent> events = new ArrayList<>();
    final HeartbeatMonitor monitor;

    Harness() {
        this(MonitorConfig.ofDefaults());
    }

    Harness(MonitorConfig config) {
        this(config, 1L);
    }

    Harness(MonitorConfig config, long seed) {
        this(config, seed, new dev.heartbeat.testing.ManualTicker());
    }

    Harness(MonitorConfig config, long seed, dev.heartbeat.testing.ManualTicker ticker) {
        scheduler = new VirtualScheduler(ticker);
        network = new InMemoryNetwork(scheduler);
        monitor = HeartbeatMonitor.builder(network)
                .config(config)
                .nodeId("test-monitor")
                .ticker(scheduler.ticker())
                .clock(Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC))
                .registry(PeerRegistry.create(Runnable::run))
                .watchGarbageCollector(false)
                .random(new java.util.Random(seed))
                .build();
        monitor.addListener(events::add);
    }

    /** A responder with a settable load, bound at {@code address}. */
    InMemoryNetwork.Endpoint responder(String address, AtomicReference<LoadReport> load) {
        return network.bind(address, newResponder(address, load));
    }

    HeartbeatResponder newResponder(String nodeId, AtomicReference<LoadReport> load) {
        return HeartbeatResponder.builder()
                .nodeId(nodeId)
                .ticker(scheduler.ticker())
                .loadProvider(load::get)
                .build();
    }

    InMemoryNetwork.Endpoint responder(String address) {
        return responder(address, new AtomicReference<>(LoadReport.builder().cpu(0.2).memory(0.3).build()));
    }

    void run(Duration d) {
        scheduler.advance(d);
    }

    /** Runs until {@code peer} has liveness {@code l}; returns the virtual time it took. */
    Duration runUntil(Peer peer, Liveness l, Duration max) {
        long start = scheduler.ticker().nanoTime();
        long step = Duration.ofMillis(1).toNanos();
        while (peer.liveness() != l) {
            if (scheduler.ticker().nanoTime() - start > max.toNanos()) {
                throw new AssertionError(peer + " did not become " + l + " within " + max + "; events: " + events);
            }
            scheduler.advanceNanos(step);
        }
        return Duration.ofNanos(scheduler.ticker().nanoTime() - start);
    }

    List<PeerEvent> transitions(String peer) {
        List<PeerEvent> r = new ArrayList<>();
        for (PeerEvent e : events) {
            if (e.peer().equals(peer) && e.kind() == PeerEvent.Kind.TRANSITION) {
                r.add(e);
            }
        }
        return r;
    }

    static void setStatus(InMemoryNetwork.Endpoint e, ServingStatus s) {
        e.responder().status(s);
    }

    @Override
    public void close() {
        for (Peer p : monitor.registry().peers()) {
            monitor.removePeer(p.name());
        }
        scheduler.runPending();
        monitor.close();
    }
}
