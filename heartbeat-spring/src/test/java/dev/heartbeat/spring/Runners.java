package dev.heartbeat.spring;

import dev.heartbeat.spring.autoconfigure.HeartbeatAutoConfiguration;
import dev.heartbeat.spring.autoconfigure.HeartbeatDiscoveryAutoConfiguration;
import dev.heartbeat.spring.autoconfigure.HeartbeatFailoverAutoConfiguration;
import dev.heartbeat.spring.autoconfigure.HeartbeatHealthAutoConfiguration;
import dev.heartbeat.spring.autoconfigure.HeartbeatMetricsAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The runner every context test starts from: our auto-configurations, loopback only, quiet. */
final class Runners {

    private Runners() {
    }

    /** Ours plus the health registry; the responder on 127.0.0.1, an ephemeral port. */
    static ApplicationContextRunner heartbeat() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(HeartbeatAutoConfiguration.class,
                        HeartbeatFailoverAutoConfiguration.class, HeartbeatHealthAutoConfiguration.class,
                        HeartbeatMetricsAutoConfiguration.class, HeartbeatDiscoveryAutoConfiguration.class,
                        HealthContributorRegistryAutoConfiguration.class))
                .withPropertyValues("heartbeat.responder.bind-address=127.0.0.1", "heartbeat.responder.port=0",
                        "heartbeat.monitor.watch-garbage-collector=false");
    }
}
