package dev.heartbeat.spring.autoconfigure;

import dev.heartbeat.engine.HeartbeatMonitor;
import dev.heartbeat.spring.health.BreakerStates;
import dev.heartbeat.spring.health.HeartbeatHealthContributor;
import dev.heartbeat.spring.health.LivenessGroupGuard;
import dev.heartbeat.spring.responder.HealthStatusChecker;
import dev.heartbeat.spring.responder.ResponderStatusUpdater;
import java.util.Set;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroupsPostProcessor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Health, both ways: the {@code heartbeat} contributor with one entry per peer (kept out of the
 * liveness group), and this application's own actuator health turned into the status of its
 * heartbeats. Needs spring-boot-health (the actuator starter brings it).
 */
@AutoConfiguration(after = {HeartbeatAutoConfiguration.class, HeartbeatFailoverAutoConfiguration.class},
        afterName = "org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration")
@ConditionalOnClass(HealthIndicator.class)
public class HeartbeatHealthAutoConfiguration {

    /** Per-peer health, registered as {@code heartbeat}. */
    @Bean(destroyMethod = "close")
    @ConditionalOnBean(HeartbeatMonitor.class)
    @ConditionalOnMissingBean
    @ConditionalOnBooleanProperty(name = HeartbeatProperties.PREFIX + ".health.enabled", matchIfMissing = true)
    public HeartbeatHealthContributor heartbeatHealthContributor(HeartbeatMonitor monitor, HeartbeatSettings settings,
                                                                 ObjectProvider<BreakerStates> breakers) {
        HeartbeatProperties.Health h = settings.properties().getHealth();
        BreakerStates states = breakers.getIfAvailable(() -> peer -> null);
        return new HeartbeatHealthContributor(monitor.registry(), states::state, status("dead-status", h.getDeadStatus()),
                status("unusable-status", h.getUnusableStatus())).attach();
    }

    private static Status status(String property, String code) {
        if (code == null || code.isBlank()) {
            throw PropertyChecks.invalid(HeartbeatProperties.PREFIX + ".health." + property, "'" + code + "'",
                    "a health status code, e.g. DOWN, OUT_OF_SERVICE, UP");
        }
        return new Status(code.trim().toUpperCase(java.util.Locale.ROOT));
    }

    /** Keeps {@code heartbeat} out of the liveness group, whatever the group includes. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthEndpointGroupsPostProcessor.class)
    public static class LivenessGuardConfiguration {

        @Bean
        @ConditionalOnMissingBean
        public LivenessGroupGuard heartbeatLivenessGroupGuard() {
            return new LivenessGroupGuard();
        }
    }

    /**
     * The application's health becomes the status of its heartbeats: DOWN is NOT_SERVING. Left out:
     * {@code heartbeat} (the peers' health is not ours), and the availability indicators
     * {@code livenessState}/{@code readinessState} (their events reach the status at once already).
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBean({ResponderStatusUpdater.class, HealthContributorRegistry.class})
    @ConditionalOnBooleanProperty(name = HeartbeatProperties.PREFIX + ".responder.status-from-health", matchIfMissing = true)
    public static class HealthStatusConfiguration {

        @Bean
        @ConditionalOnMissingBean
        public HealthStatusChecker heartbeatHealthStatusChecker(HealthContributorRegistry registry,
                                                                ResponderStatusUpdater updater, HeartbeatSettings settings) {
            return new HealthStatusChecker(registry, updater,
                    settings.properties().getResponder().getHealthCheckInterval(),
                    Set.of(HeartbeatHealthContributor.NAME, "livenessState", "readinessState"));
        }
    }
}
