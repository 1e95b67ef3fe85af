package dev.heartbeat.spring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointAutoConfiguration;

/** The heartbeat contributor is never in the liveness group, even when the group includes everything. */
class LivenessGroupTest {

    @Test
    void livenessNeverIncludesHeartbeatReadinessMay() {
        Runners.heartbeat()
                .withConfiguration(AutoConfigurations.of(EndpointAutoConfiguration.class,
                        HealthEndpointAutoConfiguration.class))
                .withPropertyValues("management.endpoints.web.exposure.include=health",
                        "management.endpoint.health.group.liveness.include=*",
                        "management.endpoint.health.group.readiness.include=heartbeat")
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    HealthEndpointGroups groups = ctx.getBean(HealthEndpointGroups.class);
                    assertThat(groups.get("liveness").isMember("heartbeat")).isFalse();
                    assertThat(groups.get("liveness").isMember("heartbeat/orders-1")).isFalse();
                    assertThat(groups.get("liveness").isMember("db")).isTrue();
                    assertThat(groups.get("readiness").isMember("heartbeat")).isTrue();
                    assertThat(groups.getPrimary().isMember("heartbeat")).isTrue();
                });
    }
}
