package dev.heartbeat.spring.health;

import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.Peer;
import dev.heartbeat.peer.PeerState;
import dev.heartbeat.peer.Usability;
import dev.heartbeat.protocol.LoadReport;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * One peer's health entry. Its status: UP when the peer is alive (ALIVE or SUSPECT) and not
 * UNUSABLE; the configured unusable status (OUT_OF_SERVICE) when alive but UNUSABLE; the
 * configured dead status (DOWN) when DEAD; UNKNOWN before the first verdict. Its details: address,
 * liveness, usability, the reason, φ, RTT and its baseline, the status and load the peer last
 * reported (only the figures it reports), its epoch and node id, since when, and its breaker's
 * state.
 */
public final class PeerHealthIndicator implements HealthIndicator {

    private final Peer peer;
    private final Function<String, String> breakerState;
    private final Status deadStatus;
    private final Status unusableStatus;

    PeerHealthIndicator(Peer peer, Function<String, String> breakerState, Status deadStatus, Status unusableStatus) {
        this.peer = peer;
        this.breakerState = breakerState;
        this.deadStatus = deadStatus;
        this.unusableStatus = unusableStatus;
    }

    Peer peer() {
        return peer;
    }

    @Override
    public Health health() {
        PeerState s = peer.state();
        Health.Builder h = Health.status(status(s.liveness(), s.usability()));
        h.withDetail("address", s.address());
        h.withDetail("liveness", s.liveness().name());
        h.withDetail("usability", s.usability().name());
        h.withDetail("available", s.available());
        if (s.reason() != null) {
            h.withDetail("reason", s.reason());
        }
        if (Double.isFinite(s.phi())) {
            h.withDetail("phi", round(s.phi()));
        }
        if (s.rttNanos() >= 0) {
            h.withDetail("rttMillis", round(s.rttNanos() / 1e6));
        }
        if (s.rttBaselineNanos() >= 0) {
            h.withDetail("rttBaselineMillis", round(s.rttBaselineNanos() / 1e6));
        }
        if (s.status() != null) {
            h.withDetail("reportedStatus", s.status().name());
        }
        Map<String, Object> load = load(s.load());
        if (!load.isEmpty()) {
            h.withDetail("load", load);
        }
        if (s.epoch() != 0) {
            h.withDetail("epoch", String.format(Locale.ROOT, "%016x", s.epoch()));
        }
        if (s.nodeId() != null) {
            h.withDetail("nodeId", s.nodeId());
        }
        if (s.since() != null) {
            h.withDetail("since", s.since().toString());
        }
        String breaker = breakerState.apply(s.name());
        if (breaker != null) {
            h.withDetail("breaker", breaker);
        }
        return h.build();
    }

    private Status status(Liveness liveness, Usability usability) {
        switch (liveness) {
            case DEAD:
                return deadStatus;
            case ALIVE:
            case SUSPECT:
                return usability == Usability.UNUSABLE ? unusableStatus : Status.UP;
            default:
                return Status.UNKNOWN;
        }
    }

    private static Map<String, Object> load(LoadReport l) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (l == null) {
            return m;
        }
        putFraction(m, "cpu", l.cpu());
        putFraction(m, "memory", l.memory());
        if (l.inFlight() >= 0) {
            m.put("inFlight", l.inFlight());
        }
        if (l.queueDepth() >= 0) {
            m.put("queueDepth", l.queueDepth());
        }
        putFraction(m, "errorRate", l.errorRate());
        if (l.latencyMicros() >= 0) {
            m.put("latencyMicros", l.latencyMicros());
        }
        for (Map.Entry<String, Double> e : l.customMetrics().entrySet()) {
            if (Double.isFinite(e.getValue())) {
                m.put(e.getKey(), e.getValue());
            }
        }
        return m;
    }

    private static void putFraction(Map<String, Object> m, String name, double v) {
        if (Double.isFinite(v)) {
            m.put(name, round(v));
        }
    }

    private static double round(double v) {
        return Math.round(v * 1000.0) / 1000.0;
    }
}
