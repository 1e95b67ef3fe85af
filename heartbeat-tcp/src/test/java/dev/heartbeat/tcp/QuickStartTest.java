package dev.heartbeat.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.heartbeat.engine.HeartbeatMonitor;
import dev.heartbeat.engine.HeartbeatResponder;
import dev.heartbeat.peer.Peer;
import dev.heartbeat.protocol.ServingStatus;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The README's quick start, run as written (on loopback and a free port), and the lines it prints. */
class QuickStartTest {

    @Test
    void theQuickStartWorksAndPrintsWhatTheReadmeShows() throws Exception {
        List<String> printed = new CopyOnWriteArrayList<>();
        HeartbeatResponder responder = HeartbeatResponder.builder().nodeId("orders-1").build();
        try (TcpResponderServer server = TcpResponderServer.builder(responder).host("127.0.0.1").port(0).bind()) {
            boolean usable;
            try (HeartbeatMonitor monitor = HeartbeatMonitor.builder(TcpClientTransport.create()).build()) {
                monitor.addListener(event -> printed.add(event.toString()));
                Peer orders = monitor.addPeer("orders", "127.0.0.1:" + server.port());
                usable = orders.awaitVerdict(Duration.ofSeconds(2)) && orders.available();
                responder.status(ServingStatus.DRAINING);
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !orders.available());
            }
            assertThat(usable).isTrue();
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> printed.size() >= 4);
        assertThat(printed.get(0)).matches("ADDED orders: added, monitoring tcp/(epoll|nio) 127\\.0\\.0\\.1:\\d+");
        assertThat(printed.get(1)).matches(
                "TRANSITION orders UNKNOWN->ALIVE UNKNOWN->USABLE: first heartbeat; status SERVING");
        assertThat(printed.get(2)).isEqualTo("TRANSITION orders USABLE->UNUSABLE: status DRAINING");
        assertThat(printed.get(printed.size() - 1)).isEqualTo("REMOVED orders: removed");
        printed.forEach(System.out::println);
    }
}
