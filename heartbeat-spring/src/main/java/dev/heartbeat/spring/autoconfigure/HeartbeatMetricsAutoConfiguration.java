package dev.heartbeat.spring.autoconfigure;

import dev.heartbeat.engine.HeartbeatMonitor;
import dev.heartbeat.failover.FailoverRouter;
import dev.heartbeat.metrics.FailoverMetrics;
import dev.heartbeat.metrics.HeartbeatMetrics;
import dev.heartbeat.metrics.ResponderMetrics;
import dev.heartbeat.spring.responder.HeartbeatResponderServer;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Micrometer meters of the monitor and its peers ({@link HeartbeatMetrics}), of the responder
 * ({@link ResponderMetrics}), of the router ({@link FailoverMetrics}) and of the breakers the starter
 * created (resilience4j's {@code TaggedCircuitBreakerMetrics}). They are {@link MeterBinder} beans, which Spring Boot binds
 * to every registry, e.g. the Prometheus one behind {@code /actuator/prometheus}. Series:
 * docs/metrics.md.
 */
@AutoConfiguration(after = {HeartbeatAutoConfiguration.class, HeartbeatFailoverAutoConfiguration.class},
        afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration")
@ConditionalOnClass({MeterRegistry.class, MeterBinder.class})
@ConditionalOnBooleanProperty(name = HeartbeatProperties.PREFIX + ".metrics.enabled", matchIfMissing = true)
public class HeartbeatMetricsAutoConfiguration {

    /** Per-peer and per-monitor meters (bound at each peer's ADDED, removed at its REMOVED). */
    @Bean(destroyMethod = "close")
    @ConditionalOnBean(HeartbeatMonitor.class)
    @ConditionalOnMissingBean
    public HeartbeatMetrics heartbeatMetrics(HeartbeatMonitor monitor, HeartbeatSettings settings) {
        HeartbeatMetrics.Builder b = HeartbeatMetrics.builder(monitor);
        PropertyChecks.set(HeartbeatProperties.PREFIX + ".metrics.max-peers", settings.properties().getMetrics().getMaxPeers(),
                b::maxPeers);
        return PropertyChecks.build(b::build, Map.of(), HeartbeatProperties.PREFIX + ".metrics",
                HeartbeatProperties.PREFIX + ".metrics.");
    }

    /** The responder's meters, with its server's connection count and dropped PINGs (TCP) or drops (UDP). */
    @Bean(destroyMethod = "close")
    @ConditionalOnBean(HeartbeatResponderServer.class)
    @ConditionalOnMissingBean
    public ResponderMetrics heartbeatResponderMetrics(HeartbeatResponderServer server) {
        return ResponderMetrics.builder(server.responder())
                .transportGauge("connections", () -> server.tcp().map(t -> (double) t.connectionCount()).orElse(0.0))
                .transportCounter("pings.dropped", () -> server.tcp().map(t -> t.stats().pingsDropped()).orElse(0L))
                .transportCounter("datagrams.received", () -> server.udp().map(u -> u.stats().received()).orElse(0L))
                .build();
    }

    /**
     * resilience4j's meters of the breakers when the starter owns their registry and no router
     * drives them (an application's own registry is bound by its own setup; a router's breakers by
     * {@link FailoverMetrics}).
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({TaggedCircuitBreakerMetrics.class, io.github.resilience4j.circuitbreaker.CircuitBreaker.class})
    @ConditionalOnBean(HeartbeatBreakerRegistry.class)
    public static class BreakerMetricsConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "heartbeatCircuitBreakerMetrics")
        public MeterBinder heartbeatCircuitBreakerMetrics(HeartbeatBreakerRegistry registry,
                                                          ObjectProvider<FailoverRouter<?>> router) {
            return meters -> {
                if (registry.owned() && router.getIfAvailable() == null) {
                    TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(registry.registry()).bindTo(meters);
                }
            };
        }

        /** The router's counters (calls, retries, panics…) and, for a registry the starter owns, its breakers. */
        @Bean(destroyMethod = "close")
        @ConditionalOnBean(FailoverRouter.class)
        @ConditionalOnMissingBean
        public FailoverMetrics heartbeatFailoverMetrics(FailoverRouter<?> router, HeartbeatBreakerRegistry registry) {
            return FailoverMetrics.of(router, Tags.empty(), registry.owned());
        }
    }
}
