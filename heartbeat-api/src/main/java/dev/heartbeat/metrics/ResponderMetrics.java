package dev.heartbeat.metrics;

import dev.heartbeat.engine.HeartbeatResponder;
import dev.heartbeat.internal.Checks;
import dev.heartbeat.protocol.ServingStatus;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * Micrometer meters for a {@link HeartbeatResponder} — PINGs answered and refused, the status it
 * reports — plus whatever its transport counts, handed over as named suppliers (the core does not
 * know the transports; heartbeat-tcp's {@code TcpResponderServer.stats()} is one source):
 *
 * <pre>{@code
 * ResponderMetrics.builder(responder)
 *         .transportCounter("pings.dropped", () -> server.stats().pingsDropped())
 *         .transportCounter("evictions", () -> server.stats().evicted())
 *         .transportGauge("connections", () -> server.connectionCount())
 *         .build().bindTo(meterRegistry);
 * }</pre>
 *
 * A transport counter {@code x.y} becomes {@code heartbeat.responder.x.y} (Prometheus
 * {@code heartbeat_responder_x_y_total}); a gauge likewise, without {@code _total}. Thread-safe;
 * {@link #close()} removes the meters.
 */
public final class ResponderMetrics implements MeterBinder, AutoCloseable {

    private final HeartbeatResponder responder;
    private final Tags tags;
    private final Map<String, LongSupplier> counters;
    private final Map<String, DoubleSupplier> gauges;
    private final List<Meter> meters = new ArrayList<>();
    private MeterRegistry registry;

    private ResponderMetrics(Builder b) {
        this.responder = b.responder;
        this.tags = b.tags;
        this.counters = new LinkedHashMap<>(b.counters);
        this.gauges = new LinkedHashMap<>(b.gauges);
    }

    public static Builder builder(HeartbeatResponder responder) {
        return new Builder(responder);
    }

    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        if (this.registry != null) {
            throw new IllegalStateException("ResponderMetrics is already bound to a registry (expected: one bindTo per instance)");
        }
        this.registry = registry;
        meters.add(FunctionCounter.builder("heartbeat.responder.pings.answered", responder, HeartbeatResponder::answered)
                .description("PINGs answered with a PONG").tags(tags).register(registry));
        meters.add(FunctionCounter.builder("heartbeat.responder.pings.refused", responder, HeartbeatResponder::rejected)
                .description("PINGs not answered because they failed authentication").tags(tags).register(registry));
        for (ServingStatus s : ServingStatus.values()) {
            meters.add(Gauge.builder("heartbeat.responder.status", responder, r -> r.status() == s ? 1 : 0)
                    .description("1 for the status this responder reports, 0 for the others").tags(tags)
                    .tag("state", s.name()).strongReference(true).register(registry));
        }
        counters.forEach((name, f) -> meters.add(FunctionCounter.builder("heartbeat.responder." + name, f,
                LongSupplier::getAsLong).description("Counted by the responder's transport").tags(tags).register(registry)));
        gauges.forEach((name, f) -> meters.add(Gauge.builder("heartbeat.responder." + name, f, DoubleSupplier::getAsDouble)
                .description("Measured by the responder's transport").tags(tags).strongReference(true).register(registry)));
    }

    /** Removes the meters. Idempotent. */
    @Override
    public synchronized void close() {
        if (registry != null) {
            meters.forEach(registry::remove);
            meters.clear();
        }
    }

    /** Validating builder. */
    public static final class Builder {
        private final HeartbeatResponder responder;
        private Tags tags = Tags.empty();
        private final Map<String, LongSupplier> counters = new LinkedHashMap<>();
        private final Map<String, DoubleSupplier> gauges = new LinkedHashMap<>();

        private Builder(HeartbeatResponder responder) {
            this.responder = Objects.requireNonNull(responder, "responder");
        }

        /** Tags added to every meter. */
        public Builder tags(Tags tags) {
            this.tags = Objects.requireNonNull(tags, "tags");
            return this;
        }

        /** A monotonic count of the transport's, named {@code a.b} (lower case, dots; not ending in {@code .total}). */
        public Builder transportCounter(String name, LongSupplier count) {
            counters.put(checkName(name), Objects.requireNonNull(count, "count"));
            return this;
        }

        /** A current value of the transport's, named like a counter. */
        public Builder transportGauge(String name, DoubleSupplier value) {
            gauges.put(checkName(name), Objects.requireNonNull(value, "value"));
            return this;
        }

        private String checkName(String name) {
            Objects.requireNonNull(name, "name");
            if (!name.matches("[a-z][a-z0-9]*(\\.[a-z][a-z0-9]*)*") || name.endsWith(".total")
                    || counters.containsKey(name) || gauges.containsKey(name)) {
                throw Checks.bad("name", "'" + name + "'", "lower-case words joined by dots, unique, not ending in .total");
            }
            return name;
        }

        public ResponderMetrics build() {
            return new ResponderMetrics(this);
        }
    }
}
