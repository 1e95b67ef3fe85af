package dev.heartbeat.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.heartbeat.engine.HeartbeatMonitor;
import dev.heartbeat.engine.HeartbeatResponder;
import dev.heartbeat.peer.PeerRegistry;
import dev.heartbeat.protocol.LoadReport;
import dev.heartbeat.protocol.ServingStatus;
import dev.heartbeat.testing.InMemoryNetwork;
import dev.heartbeat.testing.VirtualScheduler;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The binders against a real Prometheus registry, on virtual time. */
class HeartbeatMetricsTest {

    private final VirtualScheduler sch = new VirtualScheduler();
    private final InMemoryNetwork net = new InMemoryNetwork(sch);
    private final HeartbeatMonitor monitor = HeartbeatMonitor.builder(net).ticker(sch.ticker())
            .registry(PeerRegistry.create(Runnable::run)).watchGarbageCollector(false).build();
    private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    private HeartbeatResponder responder(String name) {
        return HeartbeatResponder.builder().nodeId(name).ticker(sch.ticker())
                .loadProvider(() -> LoadReport.builder().cpu(0.25).memory(0.5).inFlight(3).queueDepth(1).errorRate(0.01)
                        .latencyMicros(1500).build())
                .build();
    }

    /** The Prometheus names docs/metrics.md lists (first column of its tables). */
    static List<String> documented() throws IOException {
        Path doc = Path.of("..", "docs", "metrics.md");
        List<String> names = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^\\| `(heartbeat_[a-z_]+)`").matcher(Files.readString(doc));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    @Test
    void everyDocumentedSeriesIsScrapedAndARemovedPeersSeriesDisappear() throws Exception {
        InMemoryNetwork.Endpoint a = net.bind("a", responder("a"));
        net.bind("b", responder("b"));
        monitor.addPeer("a");
        monitor.addPeer("b");
        HeartbeatMetrics.of(monitor).bindTo(prometheus); // after the peers: they are replayed to it
        HeartbeatResponder r = responder("r");
        AtomicLong dropped = new AtomicLong(7);
        ResponderMetrics.builder(r).transportCounter("pings.dropped", dropped::get).transportGauge("connections", () -> 2)
                .build().bindTo(prometheus);
        sch.advance(Duration.ofSeconds(2));
        a.restart(responder("a"));       // restarts_total, transitions
        sch.advance(Duration.ofSeconds(1));
        a.crash();                        // DEAD, then reconnects when it is back
        sch.advance(Duration.ofSeconds(1));
        a.restart(responder("a"));
        sch.advance(Duration.ofSeconds(2));
        a.blackhole(true);                // misses: PINGs lost on the way
        sch.advance(Duration.ofMillis(700));
        a.blackhole(false);
        sch.advance(Duration.ofSeconds(1));
        String scrape = prometheus.scrape();
        List<String> missing = new ArrayList<>();
        for (String name : documented()) {
            if (name.startsWith("heartbeat_failover_")) {
                continue; // a router's: FailoverMetricsTest
            }
            if (!Pattern.compile("(?m)^" + name + "(_bucket)?[{ ]").matcher(scrape).find()) {
                missing.add(name);
            }
        }
        // rejected frames need a hostile peer (HostilePeerTest makes them); the rest must all be there
        assertThat(missing).containsOnly("heartbeat_peer_frames_rejected_total");
        assertThat(scrape).contains("heartbeat_peer_liveness{peer=\"a\",state=\"ALIVE\"} 1");
        assertThat(scrape).contains("heartbeat_peer_load_cpu{peer=\"b\"} 0.25");
        assertThat(scrape).contains("heartbeat_peer_rtt_seconds_bucket{peer=\"b\",le=\"0.005\"}");
        assertThat(scrape).containsPattern("heartbeat_peer_restarts_total\\{peer=\"a\"} [1-9]");
        assertThat(scrape).containsPattern("heartbeat_peer_misses_total\\{peer=\"a\"} [1-9]");
        assertThat(scrape).containsPattern("heartbeat_peer_reconnects_total\\{peer=\"a\"} [1-9]");
        assertThat(scrape).contains("heartbeat_responder_pings_dropped_total 7.0");
        assertThat(scrape).contains("heartbeat_monitor_peers{liveness=\"ALIVE\"} 2");
        assertThat(scrape).doesNotContainPattern("(?m)^# TYPE \\S+_total gauge");

        monitor.removePeer("a");
        String after = prometheus.scrape();
        assertThat(after).doesNotContain("peer=\"a\"").contains("peer=\"b\"");
        assertThat(after).contains("heartbeat_monitor_peers{liveness=\"ALIVE\"} 1");
    }

    @Test
    void gaugesSurviveAGarbageCollection() {
        net.bind("a", responder("a"));
        HeartbeatMetrics.of(monitor).bindTo(prometheus);
        monitor.addPeer("a");
        sch.advance(Duration.ofSeconds(1));
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        assertThat(prometheus.get("heartbeat.peer.phi").tag("peer", "a").gauge().value()).isNotNaN();
        assertThat(prometheus.get("heartbeat.peer.liveness").tags("peer", "a", "state", "ALIVE").gauge().value()).isEqualTo(1);
    }

    @Test
    void thePeerTagIsBoundedAndTheGuardSaysSo() {
        for (String n : List.of("a", "b", "c")) {
            net.bind(n, responder(n));
        }
        HeartbeatMetrics metrics = HeartbeatMetrics.builder(monitor).maxPeers(2).tags(Tags.of("monitor", "m1")).build();
        metrics.bindTo(prometheus);
        monitor.addPeer("a");
        monitor.addPeer("b");
        monitor.addPeer("c");
        sch.advance(Duration.ofSeconds(1));
        assertThat(metrics.meteredPeers()).isEqualTo(2);
        String scrape = prometheus.scrape();
        assertThat(scrape).doesNotContain("peer=\"c\"");
        assertThat(scrape).contains("heartbeat_metrics_peers_unmetered_total{monitor=\"m1\"} 1.0");
        monitor.removePeer("a");
        monitor.removePeer("c");
        metrics.close();
        assertThat(prometheus.scrape()).doesNotContain("heartbeat_");
        assertThat(monitor.registry().listenerCount()).isZero();
    }

    @Test
    void buildersAndBindingValidate() {
        assertThatThrownBy(() -> HeartbeatMetrics.builder(monitor).maxPeers(0)).hasMessage("maxPeers : 0 (expected: 1..1000000)");
        assertThatThrownBy(() -> HeartbeatMetrics.builder(monitor).tags(Tags.of("peer", "x")))
                .hasMessageContaining("no 'peer' tag");
        assertThatThrownBy(() -> HeartbeatMetrics.builder(monitor).rttBuckets()).hasMessageContaining("rttBuckets");
        HeartbeatMetrics m = HeartbeatMetrics.of(monitor);
        m.bindTo(prometheus);
        assertThatThrownBy(() -> m.bindTo(prometheus)).hasMessageContaining("already bound");
        assertThatThrownBy(() -> ResponderMetrics.builder(responder("r")).transportCounter("pings.total", () -> 1))
                .hasMessageContaining("not ending in .total");
        assertThatThrownBy(() -> ResponderMetrics.builder(responder("r")).transportCounter("Bad Name", () -> 1))
                .hasMessageContaining("lower-case words joined by dots");
        m.close();
    }

    @Test
    void aResponderStatusIsAStateSet() {
        HeartbeatResponder r = responder("r");
        ResponderMetrics.builder(r).build().bindTo(prometheus);
        r.status(ServingStatus.DRAINING);
        assertThat(prometheus.scrape()).contains("heartbeat_responder_status{state=\"DRAINING\"} 1")
                .contains("heartbeat_responder_status{state=\"SERVING\"} 0");
    }
}
