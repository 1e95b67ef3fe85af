package dev.heartbeat.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.heartbeat.engine.HeartbeatResponder;
import dev.heartbeat.protocol.ServingStatus;
import dev.heartbeat.spring.health.HeartbeatHealthContributor;
import dev.heartbeat.spring.responder.HealthStatusChecker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** What this application tells its watchers: availability and health become the status in its PONGs. */
class StatusTest {

    @Test
    void readinessAndLivenessBecomeTheStatus() {
        Runners.heartbeat().run(ctx -> {
            HeartbeatResponder responder = ctx.getBean(HeartbeatResponder.class);
            assertThat(responder.status()).isEqualTo(ServingStatus.SERVING);   // no availability bean: serving
            AvailabilityChangeEvent.publish(ctx, ReadinessState.REFUSING_TRAFFIC);
            assertThat(responder.status()).isEqualTo(ServingStatus.DRAINING);
            AvailabilityChangeEvent.publish(ctx, ReadinessState.ACCEPTING_TRAFFIC);
            assertThat(responder.status()).isEqualTo(ServingStatus.SERVING);
            AvailabilityChangeEvent.publish(ctx, LivenessState.BROKEN);
            assertThat(responder.status()).isEqualTo(ServingStatus.NOT_SERVING);
        });
        Runners.heartbeat().withPropertyValues("heartbeat.responder.status-from-availability=false").run(ctx -> {
            AvailabilityChangeEvent.publish(ctx, ReadinessState.REFUSING_TRAFFIC);
            assertThat(ctx.getBean(HeartbeatResponder.class).status()).isEqualTo(ServingStatus.SERVING);
        });
    }

    @Test
    void healthDownIsNotServingButADeadPeerIsNotOurHealth() {
        Runners.heartbeat().withUserConfiguration(Toggle.class)
                .withPropertyValues("heartbeat.responder.health-check-interval=1h",
                        // nothing listens on port 1 of loopback: refused, DEAD at once
                        "heartbeat.peers.gone.address=127.0.0.1:1")
                .run(ctx -> {
                    HeartbeatResponder responder = ctx.getBean(HeartbeatResponder.class);
                    HealthStatusChecker checker = ctx.getBean(HealthStatusChecker.class);
                    HeartbeatHealthContributor peers = ctx.getBean(HeartbeatHealthContributor.class);
                    await().atMost(Duration.ofSeconds(10)).until(() -> peers.getContributor("gone") != null
                            && ((HealthIndicator) peers.getContributor("gone")).health().getStatus().equals(Status.DOWN));
                    checker.checkNow();
                    assertThat(responder.status()).isEqualTo(ServingStatus.SERVING);

                    ctx.getBean(Toggle.class).down.set(true);
                    checker.checkNow();
                    assertThat(responder.status()).isEqualTo(ServingStatus.NOT_SERVING);
                    ctx.getBean(Toggle.class).down.set(false);
                    checker.checkNow();
                    assertThat(responder.status()).isEqualTo(ServingStatus.SERVING);
                });
    }

    @Configuration(proxyBeanMethods = false)
    static class Toggle {
        final AtomicBoolean down = new AtomicBoolean();

        @Bean
        HealthIndicator databaseHealthIndicator() {
            return () -> down.get() ? Health.down().withDetail("db", "gone").build() : Health.up().build();
        }
    }
}
