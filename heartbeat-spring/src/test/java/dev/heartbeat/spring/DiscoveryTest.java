package dev.heartbeat.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.heartbeat.engine.HeartbeatMonitor;
import dev.heartbeat.engine.HeartbeatResponder;
import dev.heartbeat.engine.LoadProvider;
import dev.heartbeat.failover.PeerCircuitBreakers;
import dev.heartbeat.spring.discovery.DiscoveryPeers;
import dev.heartbeat.spring.health.HeartbeatHealthContributor;
import dev.heartbeat.tcp.TcpResponderServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.cloud.client.DefaultServiceInstance;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Peers from an in-test {@link DiscoveryClient}: instances added and removed at run time become
 * peers and stop being peers, and their health entries, meters and breakers follow. Three real
 * responders on loopback; the discovery client never leaves the JVM.
 */
class DiscoveryTest {

    private static final List<TcpResponderServer> servers = new CopyOnWriteArrayList<>();
    private static final List<ServiceInstance> instances = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void responders() {
        for (String id : List.of("listed", "orders-1", "orders-2")) {
            HeartbeatResponder r = HeartbeatResponder.builder().nodeId(id).loadProvider(LoadProvider.none()).build();
            servers.add(TcpResponderServer.builder(r).host("127.0.0.1").port(0).bind());
        }
    }

    @AfterAll
    static void close() {
        servers.forEach(TcpResponderServer::close);
    }

    private static ServiceInstance instance(String id, int heartbeatPort) {
        return new DefaultServiceInstance(id, "orders", "127.0.0.1", 8080, false, Map.of("heartbeat-port",
                String.valueOf(heartbeatPort), "zone", "eu-1"));
    }

    @Test
    void peersFollowTheInstancesWithTheirHealthAndMeters() {
        instances.clear();
        instances.add(instance("orders-1", servers.get(1).port()));
        instances.add(new DefaultServiceInstance("no-heartbeats", "orders", "127.0.0.1", 8081, false));   // not a peer
        Runners.heartbeat()
                .withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class))
                .withUserConfiguration(Discovery.class)
                .withPropertyValues("spring.application.name=cart", "heartbeat.monitor.interval=100ms",
                        "heartbeat.discovery.refresh-interval=100ms",
                        "heartbeat.peers.listed.address=127.0.0.1:" + servers.get(0).port())
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed().hasSingleBean(DiscoveryPeers.class);
                    HeartbeatHealthContributor health = ctx.getBean(HeartbeatHealthContributor.class);
                    MeterRegistry meters = ctx.getBean(MeterRegistry.class);
                    PeerCircuitBreakers breakers = ctx.getBean(PeerCircuitBreakers.class);
                    HeartbeatMonitor monitor = ctx.getBean(HeartbeatMonitor.class);

                    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                        assertThat(names(health)).containsExactly("listed", "orders-1");
                        assertThat(status(health, "orders-1")).isEqualTo(Status.UP);
                        assertThat(metered(meters)).containsExactly("listed", "orders-1");
                        assertThat(breakers.breaker("orders-1")).isPresent();
                    });
                    // the registry the actuator reads holds the very same composite
                    assertThat(ctx.getBean(HealthContributorRegistry.class).getContributor("heartbeat")).isSameAs(health);
                    var attributes = monitor.peer("orders-1").orElseThrow().attributes();
                    assertThat(attributes.dataAddress()).isEqualTo("127.0.0.1:8080");
                    assertThat(attributes.zone()).isEqualTo("eu-1");

                    // a new instance comes, an old one goes: reconciled, not restarted
                    var listedBefore = monitor.peer("listed").orElseThrow();
                    instances.add(instance("orders-2", servers.get(2).port()));
                    instances.removeIf(i -> i.getInstanceId().equals("orders-1"));
                    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                        assertThat(names(health)).containsExactly("listed", "orders-2");
                        assertThat(status(health, "orders-2")).isEqualTo(Status.UP);
                        assertThat(metered(meters)).containsExactly("listed", "orders-2");
                        assertThat(breakers.breaker("orders-1")).isEmpty();
                        assertThat(breakers.breaker("orders-2")).isPresent();
                    });
                    assertThat(monitor.peer("listed").orElseThrow()).isSameAs(listedBefore);
                    assertThat(ctx.getBean(DiscoveryPeers.class).refreshes()).isPositive();

                    // every instance gone: only the listed peer stays
                    instances.clear();
                    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                        assertThat(names(health)).containsExactly("listed");
                        assertThat(metered(meters)).containsExactly("listed");
                    });
                });
    }

    private static List<String> names(HeartbeatHealthContributor health) {
        return health.stream().map(e -> e.name()).collect(Collectors.toList());
    }

    private static Status status(HeartbeatHealthContributor health, String peer) {
        HealthIndicator i = (HealthIndicator) health.getContributor(peer);
        return i == null ? null : i.health().getStatus();
    }

    /** Peers with a liveness gauge in the registry. */
    private static Set<String> metered(MeterRegistry meters) {
        return meters.find("heartbeat.peer.liveness").gauges().stream().map(g -> g.getId().getTag("peer"))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Configuration(proxyBeanMethods = false)
    static class Discovery {
        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }

        @Bean
        DiscoveryClient inTestDiscovery() {
            return new DiscoveryClient() {
                @Override
                public String description() {
                    return "in-test";
                }

                @Override
                public List<ServiceInstance> getInstances(String serviceId) {
                    return "orders".equals(serviceId) ? List.copyOf(instances) : List.of();
                }

                @Override
                public List<String> getServices() {
                    return List.of("orders", "cart");
                }
            };
        }
    }
}
