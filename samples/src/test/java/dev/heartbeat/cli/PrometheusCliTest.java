package dev.heartbeat.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole way an operator goes (issue 10): a real Prometheus server (Debian's package) scrapes,
 * every second, a real {@code heartbeat monitor --metrics-port 0} process that watches a
 * {@code serve} child JVM; the responder is frozen (SIGSTOP, or its in-process {@code freeze}
 * where there are no signals), and a PromQL query over Prometheus's HTTP API shows that peer's
 * liveness change to DEAD.
 *
 * <p>Everything is on 127.0.0.1: Prometheus listens there and has one static target there, no
 * remote write, no alerting, no discovery. Every process this test starts is ended by its PID in
 * {@link #stop()}; the monitor also stops by itself after {@code --duration}, and Prometheus runs
 * under {@code timeout} where coreutils has it, so neither outlives a test JVM that crashed. The
 * temporary directory (configuration, TSDB, logs) is deleted by JUnit.
 */
@Timeout(180)
class PrometheusCliTest {

    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    private static final Path TIMEOUT = Path.of("/usr/bin/timeout");
    private static final Pattern METRICS_ON = Pattern.compile("metrics on http://127\\.0\\.0\\.1:(\\d+)/metrics");

    @TempDir
    Path dir;

    private final Cli cli = new Cli();
    private final List<Process> processes = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
            .proxy(HttpClient.Builder.NO_PROXY).build();

    @AfterEach
    void stop() throws InterruptedException {
        for (int i = processes.size() - 1; i >= 0; i--) {
            end(processes.get(i));
        }
        cli.close(); // the responder, stopped or not (SIGKILL ends a stopped process too)
    }

    /** SIGTERM to a process and to what it started (by PID), then SIGKILL to whatever is left after 10 s. */
    private static void end(Process p) throws InterruptedException {
        List<ProcessHandle> children = p.descendants().toList();
        children.forEach(ProcessHandle::destroy);
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        }
        for (ProcessHandle c : children) {
            if (c.isAlive()) {
                c.destroyForcibly();
            }
        }
    }

    private Process start(List<String> command, String name) throws IOException {
        Process p = new ProcessBuilder(command)
                .redirectOutput(dir.resolve(name + ".out").toFile())
                .redirectError(dir.resolve(name + ".err").toFile())
                .start();
        processes.add(p);
        return p;
    }

    private String log(String name) {
        try {
            return Files.readString(dir.resolve(name + ".out")) + Files.readString(dir.resolve(name + ".err"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * The value of the series of {@code peer} in an instant query's answer (of its first series when
     * {@code peer} is null), or null when it has none.
     */
    private String query(int prometheusPort, String promql, String peer) throws IOException, InterruptedException {
        HttpResponse<String> r = get("http://127.0.0.1:" + prometheusPort + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).startsWith("{\"status\":\"success\"");
        // Prometheus sorts the labels: ...,"peer":"frozen","state":"DEAD"},"value":[1732950000.123,"1"]
        String series = peer == null ? "" : "\"peer\":\"" + Pattern.quote(peer) + "\"[^}]*";
        Matcher m = Pattern.compile(series + "\\},\"value\":\\[[^,\\]]+,\"([^\"]+)\"\\]").matcher(r.body());
        return m.find() ? m.group(1) : null;
    }

    @Test
    void prometheusSeesAFrozenPeerGoDead() throws Exception {
        assumeTrue(Files.isExecutable(PROMETHEUS),
                PROMETHEUS + " is not installed (Debian package 'prometheus'; .ci/run installs it): cannot run a real Prometheus");
        long t0 = System.nanoTime();

        // The responder, and a real monitor process with /metrics on a free port of 127.0.0.1.
        ChildResponder frozen = cli.serve("frozen", "--load", "none");
        List<String> monitor = new ArrayList<>(ChildResponder.javaCommand());
        monitor.addAll(List.of(HeartbeatCli.class.getName(), "monitor", "--peers", "frozen=127.0.0.1:" + Cli.port(frozen),
                "--interval", "100ms", "--events", "jsonl", "--metrics-port", "0", "--duration", "150s"));
        start(monitor, "monitor");
        int[] metricsPort = {0};
        await("monitor's 'metrics on' line").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            Matcher m = METRICS_ON.matcher(log("monitor"));
            if (m.find()) {
                metricsPort[0] = Integer.parseInt(m.group(1));
            }
            return metricsPort[0] > 0;
        });

        // Prometheus: one static loopback target, scraped every second; nothing else.
        int prometheusPort = Cli.closedPort();
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, String.join("\n",
                "global:",
                "  scrape_interval: 1s",
                "  scrape_timeout: 1s",
                "  evaluation_interval: 1s",
                "scrape_configs:",
                "  - job_name: heartbeat-monitor",
                "    static_configs:",
                "      - targets: ['127.0.0.1:" + metricsPort[0] + "']",
                ""));
        List<String> prometheus = new ArrayList<>();
        if (Files.isExecutable(TIMEOUT)) {
            prometheus.addAll(List.of(TIMEOUT.toString(), "170s")); // never outlives a crashed test JVM by long
        }
        prometheus.addAll(List.of(PROMETHEUS.toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("tsdb"),
                "--web.listen-address=127.0.0.1:" + prometheusPort,
                "--log.level=info"));
        Process prom = start(prometheus, "prometheus");
        await("Prometheus ready").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .ignoreExceptions().until(() -> {
                    assertThat(prom.isAlive()).as(log("prometheus")).isTrue();
                    return get("http://127.0.0.1:" + prometheusPort + "/-/ready").statusCode() == 200;
                });
        long ready = System.nanoTime();

        // Scraped: the peer is ALIVE in Prometheus, and not DEAD.
        await("ALIVE in Prometheus").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> {
                    assertThat(prom.isAlive()).as(log("prometheus")).isTrue();
                    assertThat(query(prometheusPort, "heartbeat_peer_liveness{state=\"ALIVE\"}", "frozen")).isEqualTo("1");
                });
        assertThat(query(prometheusPort, "heartbeat_peer_liveness{state=\"DEAD\"}", "frozen")).isEqualTo("0");

        // Freeze the responder: its kernel keeps the connection up; only the heartbeats stop.
        boolean signals = ChildResponder.signalsAvailable();
        long frozenAt = System.nanoTime();
        if (signals) {
            frozen.stop();
        } else {
            frozen.command("freeze");
        }
        await("DEAD in Prometheus").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> assertThat(query(prometheusPort, "heartbeat_peer_liveness{state=\"DEAD\"}", "frozen"))
                        .as("heartbeat_peer_liveness{peer=\"frozen\",state=\"DEAD\"}; monitor: " + log("monitor"))
                        .isEqualTo("1"));
        long dead = System.nanoTime();
        assertThat(query(prometheusPort, "heartbeat_peer_liveness{state=\"ALIVE\"}", "frozen")).isEqualTo("0");
        assertThat(query(prometheusPort, "sum(heartbeat_monitor_peers{liveness=\"DEAD\"})", null)).isEqualTo("1");
        assertThat(log("monitor")).contains("\"peer\":\"frozen\"", "\"to\":{\"liveness\":\"DEAD\"");

        System.out.printf("PrometheusCliTest: %s; Prometheus ready %.1f s into the test; DEAD in Prometheus %.1f s "
                        + "after the freeze; %.1f s in all%n", signals ? "SIGSTOP" : "in-process freeze",
                (ready - t0) / 1e9, (dead - frozenAt) / 1e9, (System.nanoTime() - t0) / 1e9);
        if (signals) {
            frozen.resume();
        }
    }
}
