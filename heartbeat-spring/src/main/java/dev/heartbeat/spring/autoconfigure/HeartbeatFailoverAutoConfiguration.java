package dev.heartbeat.spring.autoconfigure;

import static dev.heartbeat.spring.autoconfigure.PropertyChecks.set;

import dev.heartbeat.engine.HeartbeatMonitor;
import dev.heartbeat.failover.FailoverListener;
import dev.heartbeat.failover.FailoverRouter;
import dev.heartbeat.failover.LoadSamples;
import dev.heartbeat.failover.PeerCircuitBreakers;
import dev.heartbeat.failover.PeerClients;
import dev.heartbeat.failover.RetryBudget;
import dev.heartbeat.failover.SlowStart;
import dev.heartbeat.spring.health.BreakerStates;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.util.Map;
import java.util.Optional;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Per-peer resilience4j circuit breakers driven by the heartbeats (OPEN when a peer is DEAD or
 * UNUSABLE, HALF_OPEN when it comes back), and, when the application declares one
 * {@link PeerClients} bean, the load-aware {@link FailoverRouter} over it (which then drives the
 * breakers itself). Needs resilience4j-circuitbreaker; off with {@code heartbeat.breaker.enabled=false}.
 */
@AutoConfiguration(after = HeartbeatAutoConfiguration.class)
@ConditionalOnClass(CircuitBreaker.class)
@ConditionalOnBean(HeartbeatMonitor.class)
@ConditionalOnBooleanProperty(name = HeartbeatProperties.PREFIX + ".breaker.enabled", matchIfMissing = true)
public class HeartbeatFailoverAutoConfiguration {

    /** How a breaker configuration without a HALF_OPEN bound is reported (it is resilience4j's setting). */
    static final String HALF_OPEN_BOUND = HeartbeatProperties.PREFIX
            + ".breaker.config-name → maxWaitDurationInHalfOpenState";

    /** The application's {@code CircuitBreakerRegistry} if it has one, else ours. */
    @Bean
    @ConditionalOnMissingBean
    public HeartbeatBreakerRegistry heartbeatBreakerRegistry(ObjectProvider<CircuitBreakerRegistry> application) {
        CircuitBreakerRegistry app = application.getIfUnique();
        return app != null ? new HeartbeatBreakerRegistry(app, false)
                : new HeartbeatBreakerRegistry(CircuitBreakerRegistry.of(PeerCircuitBreakers.defaultConfig()), true);
    }

    /** Breakers of every peer, when no router drives them (no {@code PeerClients} bean). */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean({PeerCircuitBreakers.class, PeerClients.class})
    public PeerCircuitBreakers heartbeatCircuitBreakers(HeartbeatMonitor monitor, HeartbeatBreakerRegistry registry,
                                                        HeartbeatSettings settings) {
        PeerCircuitBreakers.Builder b = PeerCircuitBreakers.builder().registry(registry.registry());
        set(HeartbeatProperties.PREFIX + ".breaker.config-name", settings.properties().getBreaker().getConfigName(),
                b::configName);
        PeerCircuitBreakers breakers = PropertyChecks.build(b::build,
                Map.of("configName", HeartbeatProperties.PREFIX + ".breaker.config-name",
                        "circuitBreakerConfig.maxWaitDurationInHalfOpenState", HALF_OPEN_BOUND),
                HeartbeatProperties.PREFIX + ".breaker.config-name", HeartbeatProperties.PREFIX + ".breaker.");
        return breakers.attach(monitor.registry());
    }

    /** The state of each peer's breaker, for health. */
    @Bean
    @ConditionalOnMissingBean
    public BreakerStates heartbeatBreakerStates(ObjectProvider<PeerCircuitBreakers> breakers,
                                                ObjectProvider<FailoverRouter<?>> router) {
        return peer -> {
            Optional<CircuitBreaker> cb = Optional.empty();
            FailoverRouter<?> r = router.getIfUnique();
            if (r != null) {
                cb = r.circuitBreaker(peer);
            } else {
                PeerCircuitBreakers b = breakers.getIfUnique();
                if (b != null) {
                    cb = b.breaker(peer);
                }
            }
            return cb.map(c -> c.getState().name()).orElse(null);
        };
    }

    /** The router over the application's one {@link PeerClients} bean. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnSingleCandidate(PeerClients.class)
    @ConditionalOnBooleanProperty(name = HeartbeatProperties.PREFIX + ".routing.enabled", matchIfMissing = true)
    public static class RouterConfiguration {

        /** When each peer's load report arrived (an observer of the monitor), for the router's staleness rule. */
        @Bean
        @ConditionalOnMissingBean
        public LoadSamples heartbeatLoadSamples() {
            return LoadSamples.create();
        }

        /** The failover router: use it to call your peers. */
        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean(FailoverRouter.class)
        public FailoverRouter<?> heartbeatFailoverRouter(HeartbeatMonitor monitor, PeerClients<?> clients,
                                                         LoadSamples samples, HeartbeatBreakerRegistry registry,
                                                         HeartbeatSettings settings,
                                                         ObjectProvider<FailoverListener> listeners) {
            return router(monitor, clients, samples, registry, settings, listeners);
        }

        private static <C> FailoverRouter<C> router(HeartbeatMonitor monitor, PeerClients<C> clients, LoadSamples samples,
                                                    HeartbeatBreakerRegistry registry, HeartbeatSettings settings,
                                                    ObjectProvider<FailoverListener> listeners) {
            String r = HeartbeatProperties.PREFIX + ".routing.";
            HeartbeatProperties p = settings.properties();
            HeartbeatProperties.Routing routing = p.getRouting();
            FailoverRouter.Builder<C> b = FailoverRouter.builder(monitor, clients).samples(samples)
                    .circuitBreakerRegistry(registry.registry());
            set(HeartbeatProperties.PREFIX + ".breaker.config-name", p.getBreaker().getConfigName(),
                    b::circuitBreakerConfigName);
            set(r + "staleness", routing.getStaleness(), b::staleness);
            set(r + "degraded-share", routing.getDegradedShare(), b::degradedShare);
            set(r + "suspect-share", routing.getSuspectShare(), b::suspectShare);
            set(r + "max-attempts", routing.getMaxAttempts(), b::maxAttempts);
            RetryBudget.Builder rb = RetryBudget.custom();
            set(r + "retry-budget.ratio", routing.getRetryBudget().getRatio(), rb::ratio);
            set(r + "retry-budget.min-retries-per-second", routing.getRetryBudget().getMinRetriesPerSecond(),
                    rb::minRetriesPerSecond);
            set(r + "retry-budget.window", routing.getRetryBudget().getWindow(), rb::window);
            b.retryBudget(PropertyChecks.build(rb::build, Map.of(), r + "retry-budget", r + "retry-budget."));
            HeartbeatProperties.SlowStart ss = p.getSlowStart();
            if (ss.isEnabled()) {
                String s = HeartbeatProperties.PREFIX + ".slow-start.";
                SlowStart.Builder sb = SlowStart.custom();
                set(s + "window", ss.getWindow(), sb::window);
                set(s + "min-share", ss.getMinShare(), sb::minShare);
                set(s + "readmission-jitter", ss.getReadmissionJitter(), sb::readmissionJitter);
                b.slowStart(PropertyChecks.build(sb::build, Map.of(), HeartbeatProperties.PREFIX + ".slow-start", s));
            } else {
                b.slowStart(SlowStart.disabled());
            }
            set(HeartbeatProperties.PREFIX + ".panic.threshold", p.getPanic().getThreshold(), b::panicThreshold);
            set(HeartbeatProperties.PREFIX + ".panic.mode", p.getPanic().getMode(), b::panicMode);
            listeners.orderedStream().forEach(b::listener);
            return PropertyChecks.build(b::build, Map.of("circuitBreakerConfig.maxWaitDurationInHalfOpenState",
                    HALF_OPEN_BOUND, "configName",
                    HeartbeatProperties.PREFIX + ".breaker.config-name"), HeartbeatProperties.PREFIX + ".routing", r);
        }
    }
}
