package dev.heartbeat.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.heartbeat.engine.HeartbeatMonitor;
import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.Peer;
import dev.heartbeat.peer.PeerEvent;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One close() that does the right thing, whatever the user closes first. (Closing the transport
 * before the monitor once made the monitor wait 2 s for event loops that were gone.) The timeouts
 * below only catch a hang; nothing here measures speed.
 */
class CloseOrderTest {

    @Test
    void transportFirstThenMonitorPublishesRemovedAndDoesNotHang() throws Exception {
        try (TcpResponderServer server = Tcp.server(Tcp.responder("b"))) {
            List<PeerEvent> events = Tcp.events();
            TcpClientTransport tcp = TcpClientTransport.create();
            HeartbeatMonitor monitor = Tcp.monitor(tcp, events);
            Peer b = monitor.addPeer("b", "127.0.0.1:" + server.port());
            assertThat(b.awaitVerdict(Duration.ofSeconds(5))).isTrue();
            assertThat(b.liveness()).isEqualTo(Liveness.ALIVE);
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                tcp.close();
                monitor.close();
            });
            assertThat(events.get(events.size() - 1).kind()).isEqualTo(PeerEvent.Kind.REMOVED);
            assertThat(monitor.peers()).isEmpty();
        }
    }

    @Test
    void monitorCloseClosesItsTransportAndASecondCloseIsHarmless() throws Exception {
        try (TcpResponderServer server = Tcp.server(Tcp.responder("b"))) {
            List<PeerEvent> events = Tcp.events();
            TcpClientTransport tcp = TcpClientTransport.create();
            HeartbeatMonitor monitor = Tcp.monitor(tcp, events);
            monitor.addPeer("b", "127.0.0.1:" + server.port()).awaitVerdict(Duration.ofSeconds(5));
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                monitor.close();
                tcp.close();
                monitor.close();
            });
            assertThat(tcp.linkCount()).isZero();
            assertThat(events).filteredOn(e -> e.kind() == PeerEvent.Kind.REMOVED).hasSize(1);
        }
    }
}
