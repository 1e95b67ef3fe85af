package dev.heartbeat.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.heartbeat.engine.HeartbeatResponder;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * {@code --metrics-port} for {@code serve} (child JVMs, TCP and UDP) and {@code monitor}
 * (in-process): {@code /metrics} in the Prometheus text format carries the documented responder,
 * transport, peer and JVM series, the transport counters are exactly those docs/metrics.md lists,
 * the endpoint closes with the command, and bad values are refused with the usual exit codes.
 */
@Timeout(120)
class MetricsCliTest {

    private static final Path DOC = Path.of("..", "docs", "metrics.md");
    /** "metrics on http://127.0.0.1:PORT/metrics", as serve and monitor print it on stderr. */
    private static final Pattern METRICS_ON = Pattern.compile("metrics on (http://127\\.0\\.0\\.1:(\\d+)/metrics)");
    /** What an operator expects beside ours on any JVM's /metrics page. */
    static final List<String> JVM_SERIES = List.of("jvm_memory_used_bytes", "jvm_gc_memory_allocated_bytes_total",
            "jvm_threads_live_threads", "process_cpu_usage", "jvm_info");

    private final Cli cli = new Cli();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .proxy(HttpClient.Builder.NO_PROXY).build();

    @AfterEach
    void stop() {
        cli.close();
    }

    /**
     * The responder's transport counters in docs/metrics.md: rows of its "transport counters" table,
     * {@code | `name` | `prometheus_name` | TRANSPORT | meaning |}, by transport.
     */
    static Map<String, Map<String, String>> documentedTransportCounters() throws IOException {
        Map<String, Map<String, String>> byTransport = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^\\| `([a-z][a-z0-9.]*)` \\| `(heartbeat_responder_[a-z0-9_]+)` \\| (tcp|udp) \\|")
                .matcher(Files.readString(DOC));
        while (m.find()) {
            byTransport.computeIfAbsent(m.group(3), t -> new LinkedHashMap<>()).put(m.group(1), m.group(2));
        }
        return byTransport;
    }

    private String get(String url) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url).isEqualTo(200);
        return r.body();
    }

    /** The URL a child printed, once it did. */
    private String awaitMetricsUrl(ChildResponder c) {
        String[] url = {null};
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            for (String l : List.copyOf(cli.childOutput)) {
                Matcher m = METRICS_ON.matcher(l);
                if (l.startsWith(c.name() + ": ") && m.find()) {
                    url[0] = m.group(1);
                    return true;
                }
            }
            return false;
        });
        return url[0];
    }

    private static List<String> missing(String scrape, Iterable<String> names) {
        List<String> missing = new ArrayList<>();
        for (String n : names) {
            if (!Pattern.compile("(?m)^" + n + "[{ ]").matcher(scrape).find()) {
                missing.add(n);
            }
        }
        return missing;
    }

    @Test
    void theDocumentedTransportCountersAreExactlyWhatTheServersCount() throws Exception {
        Map<String, Map<String, String>> doc = documentedTransportCounters();
        assertThat(doc).containsOnlyKeys("tcp", "udp");
        for (Transport t : Transport.values()) {
            try (Transport.Server s = t.serve(HeartbeatResponder.builder().nodeId("n").build(), "127.0.0.1", 0)) {
                assertThat(s.counters().keySet()).as(t + " counters").containsExactlyElementsOf(doc.get(t.scheme()).keySet());
                for (Map.Entry<String, String> e : doc.get(t.scheme()).entrySet()) {
                    assertThat(e.getValue()).as(e.getKey())
                            .isEqualTo("heartbeat_responder_" + e.getKey().replace('.', '_') + "_total");
                }
                assertThat(s.gauges()).hasSize(1);
            }
        }
    }

    @Test
    void serveOverTcpServesItsCountersAndTheJvmsOnMetrics() throws Exception {
        ChildResponder c = cli.serve("metered", "--load", "none", "--metrics-port", "0");
        String url = awaitMetricsUrl(c);
        // something to count: a PING answered (a probe), a browser's bytes on the heartbeat port
        assertThat(Cli.run("probe", "127.0.0.1:" + Cli.port(c), "--timeout", "5s").exit()).isEqualTo(ExitCodes.OK);
        try (java.net.Socket s = new java.net.Socket(InetAddress.getLoopbackAddress(), Cli.port(c))) {
            s.getOutputStream().write("GET / HTTP/1.1\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            s.setSoTimeout(5_000);
            while (s.getInputStream().read() >= 0) {
                // until the server closes the connection
            }
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            String scrape = get(url);
            assertThat(missing(scrape, documentedTransportCounters().get("tcp").values())).isEmpty();
            assertThat(missing(scrape, JVM_SERIES)).isEmpty();
            assertThat(scrape).contains("heartbeat_responder_pings_answered_total 1.0",
                    "heartbeat_responder_frames_invalid_bad_magic_total 1.0", "heartbeat_responder_frames_invalid_total 1.0",
                    "heartbeat_responder_connections_accepted_total 2.0", "heartbeat_responder_status{state=\"SERVING\"} 1",
                    "heartbeat_responder_connections ");
        });
        assertThat(get(url.replace("/metrics", "/-/healthy"))).isNotBlank();
    }

    @Test
    void serveOverUdpServesItsCounters() throws Exception {
        ChildResponder c = cli.serve("metered-udp", "--load", "none", "--transport", "udp", "--metrics-port", "0");
        String url = awaitMetricsUrl(c);
        assertThat(Cli.run("probe", "udp://127.0.0.1:" + Cli.port(c), "--timeout", "5s").exit()).isEqualTo(ExitCodes.OK);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            String scrape = get(url);
            assertThat(missing(scrape, documentedTransportCounters().get("udp").values())).isEmpty();
            assertThat(scrape).containsPattern("(?m)^heartbeat_responder_datagrams_answered_total [1-9]")
                    .contains("heartbeat_responder_senders ");
        });
    }

    @Test
    void monitorServesPeerAndMonitorSeriesAndClosesTheEndpointWhenItStops() throws Exception {
        ChildResponder c = cli.serve("watched", "--load", "none");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = HeartbeatCli.commandLine(new PrintWriter(out, true), new PrintWriter(err, true));
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cl.execute("monitor", "--peers",
                "watched=127.0.0.1:" + portOf(c), "--interval", "100ms", "--events", "jsonl", "--metrics-port", "0"));
        String url;
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> METRICS_ON.matcher(err.toString()).find());
            Matcher m = METRICS_ON.matcher(err.toString());
            assertThat(m.find()).isTrue();
            url = m.group(1);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(get(url)).contains(
                    "heartbeat_peer_liveness{peer=\"watched\",state=\"ALIVE\"} 1",
                    "heartbeat_peer_usability{peer=\"watched\",state=\"USABLE\"} 1",
                    "heartbeat_monitor_peers{liveness=\"ALIVE\"} 1"));
            assertThat(missing(get(url), JVM_SERIES)).isEmpty();
            assertThat(out.toString()).doesNotContain("metrics on"); // stdout stays pure JSON lines
        } finally {
            Cli.<MonitorCommand>command(cl, "monitor").stop.countDown();
        }
        assertThat(exit.get(10, TimeUnit.SECONDS)).isEqualTo(ExitCodes.OK);
        assertThatThrownBy(() -> get(url)).isInstanceOf(ConnectException.class); // the port is closed
    }

    private static int portOf(ChildResponder c) {
        try {
            return Cli.port(c);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aMetricsPortInUseExits2AndSaysWhich() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            String port = Integer.toString(taken.getLocalPort());
            Cli.Run serve = Cli.run("serve", "--port", "0", "--metrics-port", port);
            assertThat(serve.exit()).as(serve.out() + serve.err()).isEqualTo(ExitCodes.UNREACHABLE);
            assertThat(serve.err()).contains("heartbeat serve: cannot serve metrics on 127.0.0.1:" + port + ": ");
            Cli.Run monitor = Cli.run("monitor", "--peers", "127.0.0.1:1", "--metrics-port", port, "--duration", "1s");
            assertThat(monitor.exit()).as(monitor.out() + monitor.err()).isEqualTo(ExitCodes.UNREACHABLE);
            assertThat(monitor.err()).contains("heartbeat monitor: cannot serve metrics on 127.0.0.1:" + port + ": ");
        }
    }

    @Test
    void aWildcardMetricsAddressIsServedWithAWordOfCaution() throws Exception {
        // binds every interface for a moment; nothing is sent anywhere but to 127.0.0.1
        Cli.Run r = Cli.run("monitor", "--peers", "127.0.0.1:" + Cli.closedPort(), "--events", "jsonl",
                "--metrics-port", "0", "--metrics-host", "0.0.0.0", "--duration", "300ms");
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(ExitCodes.OK);
        assertThat(r.err()).containsPattern("metrics on http://0\\.0\\.0\\.0:\\d+/metrics \\(not loopback only: "
                + "whoever reaches this address can read every peer's state and load\\)");
    }

    @Test
    void badMetricsFlagsAreBadUsage() {
        Cli.Run r = Cli.run("serve", "--port", "0", "--metrics-port", "70000");
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("option '--metrics-port': '70000' is out of range (expected: 0..65535; 0 picks a free port)");
        r = Cli.run("monitor", "--peers", "127.0.0.1:1", "--metrics-host", "0.0.0.0");
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("Invalid value for option '--metrics-host': 0.0.0.0 (expected: only with "
                + "--metrics-port PORT, which turns /metrics on)");
        r = Cli.run(new Cli.Factory(host -> { // a fake resolver: no lookup leaves this machine
            if (host.equals("127.0.0.1")) {
                return InetAddress.getLoopbackAddress();
            }
            throw new java.net.UnknownHostException(host);
        }), "serve", "--port", "0", "--metrics-port", "0", "--metrics-host", "metrics.invalid");
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(r.err()).contains("cannot serve metrics on metrics.invalid:0: unknown host 'metrics.invalid'");
    }
}
