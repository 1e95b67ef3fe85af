package dev.heartbeat.bench.quality;

import dev.heartbeat.engine.HeartbeatMonitor;
import dev.heartbeat.engine.HeartbeatResponder;
import dev.heartbeat.engine.MonitorConfig;
import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.PeerEvent;
import dev.heartbeat.peer.PeerRegistry;
import dev.heartbeat.protocol.LoadReport;
import dev.heartbeat.testing.InMemoryNetwork;
import dev.heartbeat.testing.VirtualScheduler;
import java.util.Arrays;
import java.util.Random;

/**
 * Our whole engine — {@link HeartbeatMonitor} with its probes, own-pause check and bounds, a
 * {@link HeartbeatResponder}, the in-memory network carrying the family's delay and loss — on
 * virtual time. Peer stalls freeze the responder alone; monitor stalls freeze the shared
 * scheduler (nothing of the monitor runs, and what arrived meanwhile is read after).
 */
final class EngineRun {

    private final VirtualScheduler scheduler = new VirtualScheduler();
    private final InMemoryNetwork network = new InMemoryNetwork(scheduler);
    private final InMemoryNetwork.Endpoint endpoint;
    private final HeartbeatMonitor monitor;
    private final Family.Scenario scenario;
    private final long origin;
    private int nextMonitorStall;
    /** DEAD verdicts after {@link #countFrom}, and the time spent DEAD then. */
    long deads;
    long deadNanos;
    long countFrom;
    long firstDeadAfter = Long.MIN_VALUE;
    long firstDeadAt = -1;
    private long deadSince = -1;

    EngineRun(Family family, MonitorConfig config, long duration, long seed) {
        this.scenario = family.scenario(seed, duration);
        this.origin = scheduler.ticker().nanoTime();
        HeartbeatResponder responder = HeartbeatResponder.builder().nodeId("peer").ticker(scheduler.ticker())
                .loadProvider(() -> LoadReport.UNKNOWN).build();
        endpoint = network.bind("peer", responder);
        endpoint.path(scenario.path(origin));
        for (Family.Stall s : scenario.peerStalls) {
            scheduler.schedule(() -> endpoint.freezeFor(java.time.Duration.ofNanos(s.length())), s.start());
        }
        monitor = HeartbeatMonitor.builder(network).config(config).nodeId("monitor").ticker(scheduler.ticker())
                .registry(PeerRegistry.create(Runnable::run)).watchGarbageCollector(false)
                .random(new Random(seed)).build();
        monitor.addListener(this::onEvent);
        monitor.addPeer("peer");
    }

    private void onEvent(PeerEvent e) {
        if (e.kind() != PeerEvent.Kind.TRANSITION) {
            return;
        }
        long now = now();
        if (e.toLiveness() == Liveness.DEAD && e.fromLiveness() != Liveness.DEAD) {
            if (now >= countFrom) {
                deads++;
            }
            deadSince = now;
            if (firstDeadAfter != Long.MIN_VALUE && firstDeadAt < 0 && now >= firstDeadAfter) {
                firstDeadAt = now;
            }
        } else if (e.fromLiveness() == Liveness.DEAD && e.toLiveness() != Liveness.DEAD && deadSince >= 0) {
            deadNanos += Math.max(0, now - Math.max(deadSince, countFrom));
            deadSince = -1;
        }
    }

    long now() {
        return scheduler.ticker().nanoTime() - origin;
    }

    /** Runs until {@code target} (from the start), stalling the monitor where the scenario says. */
    void runTo(long target) {
        var stalls = scenario.monitorStalls;
        while (nextMonitorStall < stalls.size() && stalls.get(nextMonitorStall).start() < target) {
            Family.Stall s = stalls.get(nextMonitorStall++);
            if (s.start() > now()) {
                scheduler.advanceNanos(s.start() - now());
            }
            scheduler.freezeFor(java.time.Duration.ofNanos(s.length()));
        }
        if (target > now()) {
            scheduler.advanceNanos(target - now());
        }
    }

    void close() {
        monitor.close();
        scheduler.runPending();
    }

    /** False DEAD verdicts per hour (and the fraction of time wrongly DEAD) over one long run. */
    static double[] mistakes(Family f, MonitorConfig cfg, long duration, long warmup, long seed) {
        EngineRun r = new EngineRun(f, cfg, duration, seed);
        r.countFrom = warmup;
        r.runTo(duration);
        if (r.deadSince >= 0) {
            r.deadNanos += duration - Math.max(r.deadSince, warmup);
        }
        r.close();
        double hours = (duration - warmup) / 3.6e12;
        return new double[] {r.deads / hours, (double) r.deadNanos / (duration - warmup)};
    }

    /**
     * Detection times: {@code runs} systems, each warmed up, then silenced (a blackhole: no RST, no
     * FIN — a frozen or partitioned peer) at a random time in the slowest cycle any family has (the
     * drift family's 20 minutes) after the warm-up, hence also at a random point of the ping cycle;
     * the time until DEAD. Spreading the faults over that cycle samples every phase of a slowly
     * changing path, as the trace-level trials (uniform over the whole trace) do; faults within a
     * few intervals of the warm-up's end would all land at one point of the drift (its top).
     */
    static long[] detection(Family f, MonitorConfig cfg, long warmup, int runs, long seed) {
        long interval = cfg.interval().toNanos();
        Random phase = new Random(seed);
        long[] td = new long[runs];
        for (int i = 0; i < runs; i++) {
            long crash = warmup + (long) (phase.nextDouble() * Family.DRIFT_CYCLE_NANOS);
            EngineRun r = new EngineRun(f, cfg, crash + 120_000_000_000L, seed * 1_000 + i);
            r.runTo(crash);
            r.endpoint.blackhole(true);
            r.firstDeadAfter = crash;
            if (r.deadSince >= 0) {
                r.firstDeadAt = crash; // already (wrongly) DEAD when the fault came
            }
            long limit = crash + 120_000_000_000L;
            while (r.firstDeadAt < 0 && r.now() < limit) {
                r.runTo(r.now() + Math.max(1_000_000, interval / 10));
            }
            td[i] = r.firstDeadAt < 0 ? limit - crash : r.firstDeadAt - crash;
            r.close();
        }
        Arrays.sort(td);
        return td;
    }
}
