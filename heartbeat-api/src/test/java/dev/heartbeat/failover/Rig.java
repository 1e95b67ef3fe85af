package dev.heartbeat.failover;

import dev.heartbeat.engine.HeartbeatMonitor;
import dev.heartbeat.engine.HeartbeatResponder;
import dev.heartbeat.engine.MonitorConfig;
import dev.heartbeat.peer.Peer;
import dev.heartbeat.peer.PeerEvent;
import dev.heartbeat.peer.PeerRegistry;
import dev.heartbeat.protocol.LoadReport;
import dev.heartbeat.testing.InMemoryNetwork;
import dev.heartbeat.testing.ManualTicker;
import dev.heartbeat.testing.VirtualScheduler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A monitor, responders and per-peer test clients on virtual time: events are delivered on the
 * publishing thread (the test's), so every step is deterministic.
 */
final class Rig implements AutoCloseable {

    static final MonitorConfig FAST = MonitorConfig.custom().interval(Duration.ofMillis(100))
            .probeInterval(Duration.ofMillis(50)).initialTimeout(Duration.ofSeconds(2)).build();

    final ManualTicker ticker = new ManualTicker();
    final VirtualScheduler scheduler = new VirtualScheduler(ticker);
    final InMemoryNetwork network = new InMemoryNetwork(scheduler);
    final LoadSamples samples = LoadSamples.create(ticker);
    final HeartbeatMonitor monitor;
    final List<PeerEvent> events = new ArrayList<>();
    final Map<String, InMemoryNetwork.Endpoint> endpoints = new LinkedHashMap<>();
    final Map<String, AtomicReference<LoadReport>> loads = new LinkedHashMap<>();
    final TestClients clients = new TestClients();

    Rig() {
        monitor = HeartbeatMonitor.builder(network).config(FAST).nodeId("rig")
                .ticker(ticker)
                .clock(Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC))
                .registry(PeerRegistry.create(Runnable::run))
                .watchGarbageCollector(false)
                .random(new java.util.Random(7))
                .observer(samples)
                .build();
        monitor.addListener(events::add);
    }

    /** Binds a responder and adds its peer; returns the peer. */
    Peer peer(String name) {
        return peer(name, dev.heartbeat.peer.PeerAttributes.none());
    }

    /** Binds a responder and adds its peer with {@code attributes}; returns the peer. */
    Peer peer(String name, dev.heartbeat.peer.PeerAttributes attributes) {
        AtomicReference<LoadReport> load = new AtomicReference<>(LoadReport.builder().cpu(0.2).memory(0.3).build());
        loads.put(name, load);
        endpoints.put(name, network.bind(name + ":1", newResponder(name)));
        return monitor.addPeer(dev.heartbeat.peer.PeerSpec.of(name, name + ":1", attributes));
    }

    /** A new process for peer {@code name}: a new epoch, the same load. */
    HeartbeatResponder newResponder(String name) {
        AtomicReference<LoadReport> load = loads.get(name);
        return HeartbeatResponder.builder().nodeId(name).ticker(ticker).loadProvider(load::get).build();
    }

    InMemoryNetwork.Endpoint endpoint(String name) {
        return endpoints.get(name);
    }

    void run(Duration d) {
        scheduler.advance(d);
    }

    void runMillis(long ms) {
        scheduler.advance(Duration.ofMillis(ms));
    }

    FailoverRouter.Builder<TestClients.Client> router() {
        return FailoverRouter.builder(monitor, clients).ticker(ticker).samples(samples).random(new java.util.Random(42));
    }

    @Override
    public void close() {
        monitor.close();
    }
}
