package dev.heartbeat.metrics;

import dev.heartbeat.failover.FailoverRouter;
import dev.heartbeat.failover.FailoverStats;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer meters for a {@link FailoverRouter}: its calls, retries, panics and evictions, and
 * — through resilience4j's own Micrometer module ({@code TaggedCircuitBreakerMetrics}) — the
 * per-peer circuit breakers, whose {@code name} tag is the peer's name, so that a dashboard joins
 * {@code resilience4j_circuitbreaker_state{name="orders-1"}} with
 * {@code heartbeat_peer_liveness{peer="orders-1"}} (PromQL {@code label_replace}, see
 * {@code docs/metrics.md}).
 *
 * <pre>{@code
 * FailoverMetrics.of(router).bindTo(meterRegistry);
 * }</pre>
 *
 * Thread-safe; the counters read the router's own atomic counters when scraped. {@link #close()}
 * removes the router's meters (resilience4j keeps its breaker meters in step with its registry).
 */
public final class FailoverMetrics implements MeterBinder, AutoCloseable {

    private final FailoverRouter<?> router;
    private final Tags tags;
    private final boolean breakers;
    private final List<Meter> meters = new ArrayList<>();
    private MeterRegistry registry;

    private FailoverMetrics(FailoverRouter<?> router, Tags tags, boolean breakers) {
        this.router = Objects.requireNonNull(router, "router");
        this.tags = Objects.requireNonNull(tags, "tags");
        this.breakers = breakers;
    }

    /** The router's meters and its breakers', no extra tags. */
    public static FailoverMetrics of(FailoverRouter<?> router) {
        return new FailoverMetrics(router, Tags.empty(), true);
    }

    /**
     * @param tags added to the router's meters
     * @param breakers whether to bind resilience4j's breaker meters too (false when the
     *     application already binds its {@code CircuitBreakerRegistry}, as Spring Boot's
     *     resilience4j module does)
     */
    public static FailoverMetrics of(FailoverRouter<?> router, Tags tags, boolean breakers) {
        return new FailoverMetrics(router, tags, breakers);
    }

    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        if (this.registry != null) {
            throw new IllegalStateException("FailoverMetrics is already bound to a registry (expected: one bindTo per instance)");
        }
        this.registry = registry;
        counter("heartbeat.failover.calls", "Calls routed (first attempts)", FailoverStats::calls);
        counter("heartbeat.failover.attempts", "Attempts, first ones and retries", FailoverStats::attempts);
        counter("heartbeat.failover.failures", "Attempts that failed with the peer's fault", FailoverStats::failures);
        counter("heartbeat.failover.retries", "Retries on another peer", FailoverStats::retries);
        counter("heartbeat.failover.retries.denied", "Retries refused by the retry budget", FailoverStats::retriesDenied);
        counter("heartbeat.failover.no.peer", "Calls refused: no peer available", FailoverStats::noPeer);
        counter("heartbeat.failover.panics", "Times a panic started (most peers looked bad at once)", FailoverStats::panics);
        counter("heartbeat.failover.evictions", "Eviction callbacks to a peer's client (DEAD or restarted)",
                FailoverStats::evictions);
        counter("heartbeat.failover.readmissions", "Peers that re-entered routing through slow start",
                FailoverStats::readmissions);
        meters.add(Gauge.builder("heartbeat.failover.panicking", router, r -> r.panicking() ? 1 : 0)
                .description("1 while the router panics").tags(tags).strongReference(true).register(registry));
        meters.add(Gauge.builder("heartbeat.failover.peers.healthy", router, r -> r.stats().healthy())
                .description("Peers that look healthy to the router now").tags(tags).strongReference(true).register(registry));
        if (breakers) {
            TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(router.circuitBreakerRegistry()).bindTo(registry);
        }
    }

    private void counter(String name, String description, ToDoubleFunction<FailoverStats> f) {
        meters.add(FunctionCounter.builder(name, router, r -> f.applyAsDouble(r.stats())).description(description)
                .tags(tags).register(registry));
    }

    /** Removes the router's meters. Idempotent. */
    @Override
    public synchronized void close() {
        if (registry != null) {
            meters.forEach(registry::remove);
            meters.clear();
        }
    }
}
