package dev.heartbeat.sample.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.heartbeat.engine.HeartbeatMonitor;
import dev.heartbeat.failover.PeerCircuitBreakers;
import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.Peer;
import dev.heartbeat.peer.PeerEvent;
import dev.heartbeat.peer.Usability;
import dev.heartbeat.spring.responder.HeartbeatResponderServer;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two real Spring Boot applications (this sample, twice) on loopback, on random ports, watching
 * each other over TCP heartbeats, checked over real HTTP:
 * <ol>
 *   <li>each sees the other ALIVE and USABLE; /actuator/health shows the peer's entry,
 *       /actuator/prometheus the documented series;</li>
 *   <li>b publishes REFUSING_TRAFFIC: a sees b UNUSABLE within one heartbeat and b's breaker opens;
 *       the liveness probe stays UP;</li>
 *   <li>b is shut down: a gets b's GOODBYE (UNUSABLE at once, well within one interval), then DEAD
 *       from the closed connection, not from a timeout.</li>
 * </ol>
 */
class TwoServicesTest {

    private static final Duration INTERVAL = Duration.ofMillis(200);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private ConfigurableApplicationContext a;
    private ConfigurableApplicationContext b;

    @AfterEach
    void stop() {
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        }
    }

    private static ConfigurableApplicationContext start(String name, int heartbeatPort, String peer, int peerPort) {
        return new SpringApplicationBuilder(OrdersApplication.class).run(
                "--spring.application.name=" + name,
                "--spring.main.log-startup-info=false",
                "--server.address=127.0.0.1", "--server.port=0",
                "--heartbeat.responder.bind-address=127.0.0.1", "--heartbeat.responder.port=" + heartbeatPort,
                "--heartbeat.monitor.interval=" + INTERVAL.toMillis() + "ms",
                "--heartbeat.peers." + peer + ".address=127.0.0.1:" + peerPort,
                "--heartbeat.peers." + peer + ".data-address=127.0.0.1:8080",
                "--logging.level.root=WARN", "--logging.level.dev.heartbeat=INFO");
    }

    private String get(ConfigurableApplicationContext ctx, String path) throws Exception {
        int port = ((WebServerApplicationContext) ctx).getWebServer().getPort();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
        return r.body();
    }

    private static Peer peer(ConfigurableApplicationContext ctx, String name) {
        return ctx.getBean(HeartbeatMonitor.class).peer(name).orElseThrow();
    }

    @Test
    void twoServicesWatchEachOther() throws Exception {
        int portA = freePort();
        int portB = freePort();
        a = start("a", portA, "b", portB);
        b = start("b", portB, "a", portA);
        assertThat(a.getBean(HeartbeatResponderServer.class).port()).isEqualTo(portA);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(peer(a, "b").available()).isTrue();
            assertThat(peer(b, "a").available()).isTrue();
        });

        // 1. real HTTP: per-peer health and the documented series
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            String health = get(a, "/actuator/health/heartbeat/b");
            assertThat(health).contains("\"status\":\"UP\"").contains("\"liveness\":\"ALIVE\"")
                    .contains("\"usability\":\"USABLE\"").contains("\"reportedStatus\":\"SERVING\"")
                    .containsPattern("\"breaker\":\"(CLOSED|HALF_OPEN)\"").contains("\"rttMillis\"").contains("\"nodeId\":\"b-");
        });
        assertThat(get(a, "/actuator/health")).contains("\"heartbeat\"");
        String metrics = get(a, "/actuator/prometheus");
        for (String series : List.of("heartbeat_peer_liveness{peer=\"b\",state=\"ALIVE\"} 1",
                "heartbeat_peer_usability{peer=\"b\",state=\"USABLE\"} 1", "heartbeat_peer_rtt_seconds_bucket{",
                "heartbeat_peer_rtt_seconds_count{peer=\"b\"}", "heartbeat_peer_phi{peer=\"b\"}",
                "heartbeat_peer_pings_sent_total{peer=\"b\"}", "heartbeat_peer_pongs_matched_total{peer=\"b\"}",
                "heartbeat_peer_load_cpu{peer=\"b\"}", "heartbeat_monitor_peers{liveness=\"ALIVE\"} 1",
                "heartbeat_monitor_local_health ", "heartbeat_responder_pings_answered_total ",
                "heartbeat_responder_status{state=\"SERVING\"} 1", "heartbeat_responder_connections ",
                "resilience4j_circuitbreaker_state{name=\"b\",state=\"open\"} 0")) {
            assertThat(metrics).as(series).contains(series);
        }

        // b answered only after a had found it refusing (b started second), so its breaker went
        // OPEN -> HALF_OPEN, and stays there until real calls close it: heartbeats never do
        assertThat(a.getBean(PeerCircuitBreakers.class).breaker("b").orElseThrow().getState())
                .isIn(CircuitBreaker.State.CLOSED, CircuitBreaker.State.HALF_OPEN);
        // a started alone and reported DRAINING until it was ready; both serve now
        assertThat(get(b, "/actuator/prometheus")).contains("heartbeat_responder_status{state=\"SERVING\"} 1");

        // 2. b refuses traffic: a sees it UNUSABLE within one heartbeat, and b's breaker opens
        CircuitBreaker breaker = a.getBean(PeerCircuitBreakers.class).breaker("b").orElseThrow();
        long t0 = System.nanoTime();
        AvailabilityChangeEvent.publish(b, ReadinessState.REFUSING_TRAFFIC);
        await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(5))
                .until(() -> peer(a, "b").usability() == Usability.UNUSABLE);
        long unusableMs = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("REFUSING_TRAFFIC -> UNUSABLE in %d ms (interval %d ms): %s%n", unusableMs,
                INTERVAL.toMillis(), peer(a, "b").state().reason());
        // one interval (+10% jitter), the round trip, and scheduling slack on a busy 2-core machine
        assertThat(unusableMs).isLessThan(INTERVAL.toMillis() * 11 / 10 + 250);
        assertThat(peer(a, "b").state().reason()).contains("DRAINING");
        await().atMost(Duration.ofSeconds(2)).until(() -> breaker.getState() == CircuitBreaker.State.OPEN);
        assertThat(get(a, "/actuator/health/heartbeat/b")).contains("\"status\":\"OUT_OF_SERVICE\"")
                .contains("\"breaker\":\"OPEN\"").contains("\"reportedStatus\":\"DRAINING\"");
        assertThat(get(a, "/actuator/prometheus")).contains("resilience4j_circuitbreaker_state{name=\"b\",state=\"open\"} 1")
                .contains("heartbeat_peer_usability{peer=\"b\",state=\"UNUSABLE\"} 1");
        String liveness = get(a, "/actuator/health/liveness");
        assertThat(liveness).contains("\"status\":\"UP\"").doesNotContain("heartbeat");
        assertThat(get(b, "/actuator/prometheus")).contains("heartbeat_responder_status{state=\"DRAINING\"} 1");

        // b is back; its breaker half-opens (real calls would close it)
        AvailabilityChangeEvent.publish(b, ReadinessState.ACCEPTING_TRAFFIC);
        await().atMost(Duration.ofSeconds(5)).until(() -> peer(a, "b").usability() == Usability.USABLE);
        await().atMost(Duration.ofSeconds(2)).until(() -> breaker.getState() == CircuitBreaker.State.HALF_OPEN);

        // 3. b shuts down: a gets its GOODBYE, not a timeout
        List<PeerEvent> seen = new CopyOnWriteArrayList<>();
        HeartbeatMonitor monitorA = a.getBean(HeartbeatMonitor.class);
        monitorA.addListener(e -> {
            if (e.peer().equals("b") && !e.replayed()) {
                seen.add(e);
            }
        });
        long t1 = System.nanoTime();
        b.close();
        b = null;
        long closedMs = (System.nanoTime() - t1) / 1_000_000;
        await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(5))
                .until(() -> peer(a, "b").liveness() == Liveness.DEAD);
        long deadMs = (System.nanoTime() - t1) / 1_000_000;
        System.out.printf("b closed in %d ms; a saw: %s%n", closedMs, seen);
        PeerEvent unusable = seen.stream().filter(e -> e.toUsability() == Usability.UNUSABLE).findFirst().orElseThrow();
        // The shutdown publishes REFUSING_TRAFFIC (DRAINING in the next PONG) and then sends the GOODBYE a few ms
        // later, whichever a sees first; either way UNUSABLE comes before DEAD, and DEAD from the closed connection.
        assertThat(unusable.reason()).containsAnyOf("GOODBYE", "DRAINING");
        PeerEvent dead = seen.stream().filter(e -> e.toLiveness() == Liveness.DEAD).findFirst().orElseThrow();
        assertThat(seen.indexOf(unusable)).isLessThan(seen.indexOf(dead));
        assertThat(dead.reason()).doesNotContain("φ").doesNotContain("silent");
        // far below what a detector would need to time b out (its bound is seconds)
        assertThat(deadMs).isLessThan(closedMs + 1_000);
    }
}
