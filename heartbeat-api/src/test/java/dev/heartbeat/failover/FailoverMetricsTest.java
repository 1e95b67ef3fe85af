package dev.heartbeat.failover;

import static org.assertj.core.api.Assertions.assertThat;

import dev.heartbeat.metrics.FailoverMetrics;
import dev.heartbeat.metrics.HeartbeatMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A router's meters and its breakers' (resilience4j's own binder), joinable with the peer series by name. */
class FailoverMetricsTest {

    private final Rig rig = new Rig();
    private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    @AfterEach
    void tearDown() {
        rig.close();
    }

    @Test
    void routerAndBreakerSeriesAreScrapedAndNamedAfterThePeers() throws IOException {
        rig.peer("a");
        rig.peer("b");
        rig.peer("c");
        rig.runMillis(500);
        FailoverRouter<TestClients.Client> r = rig.router().retryBudget(RetryBudget.custom().ratio(1.0)
                .ticker(rig.ticker).build()).build();
        HeartbeatMetrics.of(rig.monitor).bindTo(prometheus);
        FailoverMetrics.of(r).bindTo(prometheus);
        for (int i = 0; i < 100; i++) {
            r.executeIdempotent(TestClients.Client::call);
        }
        rig.clients.get("b").failing = true;
        rig.clients.get("c").failing = true;
        rig.endpoint("b").crash();
        rig.endpoint("c").crash();
        rig.runMillis(50);
        for (int i = 0; i < 10; i++) {
            r.executeIdempotent(TestClients.Client::call);
        }
        String scrape = prometheus.scrape();
        assertThat(scrape).contains("heartbeat_failover_calls_total 110.0", "heartbeat_failover_panicking 1.0",
                "heartbeat_failover_panics_total 1.0");
        assertThat(scrape).containsPattern("heartbeat_failover_evictions_total [1-9]");
        assertThat(scrape).contains("resilience4j_circuitbreaker_state{name=\"b\",state=\"open\"} 1.0")
                .contains("resilience4j_circuitbreaker_state{name=\"a\",state=\"closed\"} 1.0")
                .contains("heartbeat_peer_liveness{peer=\"b\",state=\"DEAD\"} 1.0");
        for (String documented : java.util.List.of("heartbeat_failover_retries_total", "heartbeat_failover_retries_denied_total",
                "heartbeat_failover_no_peer_total", "heartbeat_failover_attempts_total", "heartbeat_failover_failures_total",
                "heartbeat_failover_readmissions_total", "heartbeat_failover_peers_healthy")) {
            assertThat(Pattern.compile("(?m)^" + documented + "[{ ]").matcher(scrape).find()).as(documented).isTrue();
        }
        r.close();
    }
}
