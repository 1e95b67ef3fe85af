package dev.heartbeat.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.heartbeat.engine.HeartbeatMonitor;
import dev.heartbeat.engine.HeartbeatResponder;
import dev.heartbeat.engine.JvmLoadProvider;
import dev.heartbeat.engine.LoadProvider;
import dev.heartbeat.failover.FailoverRouter;
import dev.heartbeat.failover.LoadSamples;
import dev.heartbeat.failover.PeerCircuitBreakers;
import dev.heartbeat.failover.PeerClients;
import dev.heartbeat.metrics.HeartbeatMetrics;
import dev.heartbeat.metrics.ResponderMetrics;
import dev.heartbeat.peer.Peer;
import dev.heartbeat.peer.PeerRegistry;
import dev.heartbeat.protocol.LoadReport;
import dev.heartbeat.spring.autoconfigure.HeartbeatBreakerRegistry;
import dev.heartbeat.spring.autoconfigure.HeartbeatSettings;
import dev.heartbeat.spring.discovery.DiscoveryPeers;
import dev.heartbeat.spring.health.BreakerStates;
import dev.heartbeat.spring.health.HeartbeatHealthContributor;
import dev.heartbeat.spring.health.LivenessGroupGuard;
import dev.heartbeat.spring.responder.HealthStatusChecker;
import dev.heartbeat.spring.responder.HeartbeatResponderServer;
import dev.heartbeat.spring.responder.ResponderStatusUpdater;
import dev.heartbeat.tcp.TcpClientTransport;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Each condition of the auto-configurations: what appears, what backs off, what each switch turns off. */
class ConditionsTest {

    private final ApplicationContextRunner runner = Runners.heartbeat();

    @Test
    void defaultsGiveTheWholeProduct() {
        runner.run(ctx -> {
            assertThat(ctx).hasNotFailed();
            for (Class<?> type : List.of(HeartbeatSettings.class, HeartbeatResponder.class, JvmLoadProvider.class,
                    HeartbeatResponderServer.class, ResponderStatusUpdater.class, PeerRegistry.class,
                    HeartbeatMonitor.class, HeartbeatBreakerRegistry.class, PeerCircuitBreakers.class, BreakerStates.class,
                    HeartbeatHealthContributor.class, LivenessGroupGuard.class, HealthStatusChecker.class,
                    HeartbeatMetrics.class, ResponderMetrics.class)) {
                assertThat(ctx).as(type.getSimpleName()).hasSingleBean(type);
            }
            assertThat(ctx).doesNotHaveBean(FailoverRouter.class).doesNotHaveBean(LoadSamples.class)
                    .doesNotHaveBean(dev.heartbeat.metrics.FailoverMetrics.class)
                    .doesNotHaveBean(DiscoveryPeers.class);
            assertThat(ctx.getBean(HeartbeatBreakerRegistry.class).owned()).isTrue();
            assertThat(ctx).getBean("heartbeatCircuitBreakerMetrics").isNotNull();
            HeartbeatResponderServer server = ctx.getBean(HeartbeatResponderServer.class);
            assertThat(server.isRunning()).isTrue();
            assertThat(server.localAddress().getAddress().isLoopbackAddress()).isTrue();
            assertThat(server.port()).isPositive();
            // registered under "heartbeat": the bean name's suffix is dropped by Boot's name generator
            assertThat(ctx.getBean(HealthContributorRegistry.class).getContributor("heartbeat"))
                    .isSameAs(ctx.getBean(HeartbeatHealthContributor.class));
            assertThat(ctx.getBean(HeartbeatMonitor.class).schemes()).contains("tcp", "udp", "keepalive");
        });
    }

    @Test
    void theMasterSwitchTurnsEverythingOff() {
        runner.withPropertyValues("heartbeat.enabled=false").run(ctx -> {
            assertThat(ctx).hasNotFailed().doesNotHaveBean(HeartbeatSettings.class).doesNotHaveBean(HeartbeatMonitor.class)
                    .doesNotHaveBean(HeartbeatResponder.class).doesNotHaveBean(HeartbeatHealthContributor.class)
                    .doesNotHaveBean(HeartbeatMetrics.class).doesNotHaveBean(PeerCircuitBreakers.class);
        });
    }

    @Test
    void withoutTheResponderTheMonitorStays() {
        runner.withPropertyValues("heartbeat.responder.enabled=false").run(ctx -> {
            assertThat(ctx).hasNotFailed().doesNotHaveBean(HeartbeatResponder.class)
                    .doesNotHaveBean(HeartbeatResponderServer.class).doesNotHaveBean(ResponderStatusUpdater.class)
                    .doesNotHaveBean(ResponderMetrics.class).doesNotHaveBean(HealthStatusChecker.class)
                    .doesNotHaveBean(JvmLoadProvider.class)
                    .hasSingleBean(HeartbeatMonitor.class).hasSingleBean(HeartbeatMetrics.class);
        });
    }

    @Test
    void withoutTheMonitorNothingThatFollowsPeersIsBuilt() {
        runner.withPropertyValues("heartbeat.monitor.enabled=false").run(ctx -> {
            assertThat(ctx).hasNotFailed().doesNotHaveBean(HeartbeatMonitor.class).doesNotHaveBean(PeerRegistry.class)
                    .doesNotHaveBean(HeartbeatHealthContributor.class).doesNotHaveBean(HeartbeatMetrics.class)
                    .doesNotHaveBean(PeerCircuitBreakers.class).doesNotHaveBean(HeartbeatBreakerRegistry.class)
                    .hasSingleBean(HeartbeatResponderServer.class).hasSingleBean(ResponderMetrics.class);
        });
    }

    @Test
    void eachIntegrationHasItsSwitch() {
        runner.withPropertyValues("heartbeat.health.enabled=false").run(ctx -> assertThat(ctx).hasNotFailed()
                .doesNotHaveBean(HeartbeatHealthContributor.class).hasSingleBean(HealthStatusChecker.class));
        runner.withPropertyValues("heartbeat.metrics.enabled=false").run(ctx -> assertThat(ctx).hasNotFailed()
                .doesNotHaveBean(HeartbeatMetrics.class).doesNotHaveBean(ResponderMetrics.class)
                .doesNotHaveBean("heartbeatCircuitBreakerMetrics"));
        runner.withPropertyValues("heartbeat.breaker.enabled=false").run(ctx -> assertThat(ctx).hasNotFailed()
                .doesNotHaveBean(PeerCircuitBreakers.class).doesNotHaveBean(BreakerStates.class)
                .hasSingleBean(HeartbeatHealthContributor.class));
        runner.withPropertyValues("heartbeat.responder.status-from-health=false").run(ctx -> assertThat(ctx)
                .hasNotFailed().doesNotHaveBean(HealthStatusChecker.class).hasSingleBean(ResponderStatusUpdater.class));
    }

    @Test
    void eachIntegrationNeedsItsLibrary() {
        runner.withClassLoader(new FilteredClassLoader(CircuitBreaker.class)).run(ctx -> assertThat(ctx).hasNotFailed()
                .doesNotHaveBean(PeerCircuitBreakers.class).doesNotHaveBean(HeartbeatBreakerRegistry.class)
                .hasSingleBean(HeartbeatHealthContributor.class).hasSingleBean(HeartbeatMetrics.class));
        runner.withClassLoader(new FilteredClassLoader(MeterRegistry.class)).run(ctx -> assertThat(ctx).hasNotFailed()
                .doesNotHaveBean(HeartbeatMetrics.class).hasSingleBean(HeartbeatMonitor.class));
        runner.withClassLoader(new FilteredClassLoader(HealthIndicator.class)).run(ctx -> assertThat(ctx).hasNotFailed()
                .doesNotHaveBean(HeartbeatHealthContributor.class).doesNotHaveBean(HealthStatusChecker.class)
                .hasSingleBean(ResponderStatusUpdater.class));
        runner.withUserConfiguration(Discovery.class).withClassLoader(new FilteredClassLoader(DiscoveryClient.class))
                .run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(DiscoveryPeers.class));
    }

    @Test
    void everyBeanBacksOffForTheApplicationsOwn() {
        runner.withUserConfiguration(Own.class).run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(ctx.getBean(HeartbeatMonitor.class)).isSameAs(ctx.getBean(Own.class).monitor);
            assertThat(ctx.getBean(HeartbeatResponder.class).nodeId()).isEqualTo("mine");
            assertThat(ctx).doesNotHaveBean(JvmLoadProvider.class).hasSingleBean(LoadProvider.class);
            HeartbeatBreakerRegistry r = ctx.getBean(HeartbeatBreakerRegistry.class);
            assertThat(r.owned()).isFalse();
            assertThat(r.registry()).isSameAs(ctx.getBean(CircuitBreakerRegistry.class));
        });
    }

    @Test
    void aPeerClientsBeanGetsARouterThatDrivesTheBreakers() {
        runner.withUserConfiguration(Clients.class).run(ctx -> {
            assertThat(ctx).hasNotFailed().hasSingleBean(FailoverRouter.class).hasSingleBean(LoadSamples.class)
                    .hasSingleBean(dev.heartbeat.metrics.FailoverMetrics.class).doesNotHaveBean(PeerCircuitBreakers.class);
        });
        runner.withUserConfiguration(Clients.class).withPropertyValues("heartbeat.routing.enabled=false")
                .run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(FailoverRouter.class)
                        .doesNotHaveBean(PeerCircuitBreakers.class));
    }

    @Test
    void aDiscoveryClientBeanBringsDiscoveredPeers() {
        runner.withUserConfiguration(Discovery.class).run(ctx -> assertThat(ctx).hasNotFailed()
                .hasSingleBean(DiscoveryPeers.class));
        runner.withUserConfiguration(Discovery.class).withPropertyValues("heartbeat.discovery.enabled=false")
                .run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(DiscoveryPeers.class));
    }

    @Configuration(proxyBeanMethods = false)
    static class Own {
        final HeartbeatMonitor monitor = HeartbeatMonitor.builder(TcpClientTransport.create())
                .watchGarbageCollector(false).build();

        @Bean(destroyMethod = "close")
        HeartbeatMonitor myMonitor() {
            return monitor;
        }

        @Bean
        HeartbeatResponder myResponder() {
            return HeartbeatResponder.builder().nodeId("mine").loadProvider(LoadProvider.none()).build();
        }

        @Bean
        LoadProvider myLoad() {
            return () -> LoadReport.UNKNOWN;
        }

        @Bean
        CircuitBreakerRegistry myBreakers() {
            return CircuitBreakerRegistry.of(PeerCircuitBreakers.defaultConfig());
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Clients {
        @Bean
        PeerClients<String> myClients() {
            return Peer::name;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Discovery {
        @Bean
        DiscoveryClient myDiscovery() {
            return new DiscoveryClient() {
                @Override
                public String description() {
                    return "none";
                }

                @Override
                public List<ServiceInstance> getInstances(String serviceId) {
                    return List.of();
                }

                @Override
                public List<String> getServices() {
                    return List.of();
                }
            };
        }
    }
}
