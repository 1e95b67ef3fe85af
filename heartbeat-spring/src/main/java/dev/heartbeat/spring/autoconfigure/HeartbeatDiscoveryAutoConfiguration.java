package dev.heartbeat.spring.autoconfigure;

import dev.heartbeat.engine.HeartbeatMonitor;
import dev.heartbeat.spring.discovery.DiscoveryPeers;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Peers from Spring Cloud's {@link DiscoveryClient} (Kubernetes, Consul, Eureka…): the monitor
 * follows the instances as they come and go ({@link DiscoveryPeers}). Needs spring-cloud-commons and
 * a DiscoveryClient bean; off with {@code heartbeat.discovery.enabled=false}.
 */
@AutoConfiguration(after = HeartbeatAutoConfiguration.class, afterName = {
        "org.springframework.cloud.client.discovery.composite.CompositeDiscoveryClientAutoConfiguration",
        "org.springframework.cloud.client.discovery.simple.SimpleDiscoveryClientAutoConfiguration"})
@ConditionalOnClass(DiscoveryClient.class)
@ConditionalOnBean({DiscoveryClient.class, HeartbeatMonitor.class})
@ConditionalOnBooleanProperty(name = HeartbeatProperties.PREFIX + ".discovery.enabled", matchIfMissing = true)
public class HeartbeatDiscoveryAutoConfiguration {

    /** Reconciles the monitor's peers with the discovered instances every refresh interval. */
    @Bean
    @ConditionalOnMissingBean
    public DiscoveryPeers heartbeatDiscoveryPeers(DiscoveryClient discovery, HeartbeatMonitor monitor,
                                                  HeartbeatSettings settings, Environment environment) {
        HeartbeatProperties.Discovery d = settings.properties().getDiscovery();
        return new DiscoveryPeers(discovery, monitor, settings.peers(), d.getServices(),
                environment.getProperty("spring.application.name"), d.getPortMetadataKey(), d.getTransportMetadataKey(),
                d.getTransport().scheme(), d.getRefreshInterval());
    }
}
