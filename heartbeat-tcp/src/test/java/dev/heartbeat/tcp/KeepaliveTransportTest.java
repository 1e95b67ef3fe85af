package dev.heartbeat.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.heartbeat.engine.HeartbeatMonitor;
import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.Peer;
import dev.heartbeat.peer.PeerEvent;
import dev.heartbeat.peer.PeerRegistry;
import dev.heartbeat.peer.Usability;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The keepalive fallback is one more transport of a monitor: one monitor watches a heartbeat peer
 * over TCP and a plain server (that does not speak the protocol) by kernel keepalive, at once.
 */
class KeepaliveTransportTest {

    private final List<PeerEvent> events = Tcp.events();
    private final PeerRegistry registry = PeerRegistry.create(Runnable::run);
    private final KeepaliveTransport keepalive = KeepaliveTransport.create(Duration.ofSeconds(5));
    private final HeartbeatMonitor monitor = HeartbeatMonitor.builder(TcpClientTransport.create())
            .transport("keepalive", keepalive).config(Tcp.FAST).registry(registry).watchGarbageCollector(false).build();

    {
        registry.addListener(events::add);
    }

    @AfterEach
    void tearDown() {
        monitor.close();
        registry.close();
    }

    @Test
    void oneMonitorWatchesAHeartbeatPeerAndAKeepalivePeer() throws Exception {
        try (TcpResponderServer server = Tcp.server(Tcp.responder("orders")); ServerSocket db = new ServerSocket(0)) {
            Peer orders = monitor.addPeer("orders", "127.0.0.1:" + server.port());
            Peer pg = monitor.addPeer("pg", "keepalive://127.0.0.1:" + db.getLocalPort());
            try (Socket s = db.accept()) {
                // a database greets in its own protocol: the fallback must not call that an error
                s.getOutputStream().write("5.7.44-log\0mysql_native_password\0".getBytes(StandardCharsets.US_ASCII));
                assertThat(orders.awaitVerdict(Duration.ofSeconds(5))).isTrue();
                assertThat(pg.awaitVerdict(Duration.ofSeconds(5))).isTrue();
                assertThat(orders.liveness()).isEqualTo(Liveness.ALIVE);
                assertThat(orders.usability()).isEqualTo(Usability.USABLE);
                assertThat(pg.liveness()).isEqualTo(Liveness.ALIVE);
                assertThat(pg.usability()).isEqualTo(Usability.UNKNOWN);
                assertThat(pg.available()).isFalse();
                assertThat(pg.state().reason()).contains("liveness from the connection only");
                assertThat(s.getInputStream().available()).isZero(); // no PING was sent to it
                assertThat(registry.peers()).containsExactlyInAnyOrder(orders, pg);
            }
            // (the link reconnects at once into the listen backlog, so look at the events, not the state)
            await().atMost(Duration.ofSeconds(5)).until(() -> events.stream()
                    .anyMatch(e -> e.peer().equals("pg") && e.toLiveness() == Liveness.DEAD));
            assertThat(events.stream().filter(e -> e.peer().equals("pg") && e.toLiveness() == Liveness.DEAD)
                    .findFirst().get().reason()).contains("closed by peer");
            try (Socket again = db.accept()) {
                await().atMost(Duration.ofSeconds(5)).until(() -> pg.liveness() == Liveness.ALIVE);
            }
            assertThat(orders.liveness()).isEqualTo(Liveness.ALIVE);
        }
        List<PeerEvent> pgEvents = events.stream().filter(e -> e.peer().equals("pg")).toList();
        assertThat(pgEvents).extracting(PeerEvent::kind).startsWith(PeerEvent.Kind.ADDED);
        assertThat(pgEvents).filteredOn(e -> e.kind() == PeerEvent.Kind.TRANSITION).extracting(PeerEvent::toLiveness)
                .startsWith(Liveness.ALIVE, Liveness.DEAD, Liveness.ALIVE);
        assertThat(pgEvents).allMatch(e -> e.toUsability() == Usability.UNKNOWN);
        assertThat(pgEvents.get(0).reason()).contains("keepalive/", "idle=2s", "intvl=1s", "cnt=3");

        monitor.close();
        assertThat(events).filteredOn(e -> e.kind() == PeerEvent.Kind.REMOVED).extracting(PeerEvent::peer)
                .containsExactlyInAnyOrder("orders", "pg");
        assertThat(keepalive.linkCount()).isZero();
    }

    @Test
    void refusedPeerIsDeadAndRemovePeerRemovesIt() throws Exception {
        int port;
        try (ServerSocket ss = new ServerSocket(0)) {
            port = ss.getLocalPort();
        }
        Peer p = monitor.addPeer("gone", "keepalive://127.0.0.1:" + port);
        await().atMost(Duration.ofSeconds(5)).until(() -> p.liveness() == Liveness.DEAD);
        assertThat(p.state().reason()).containsIgnoringCase("refused");
        assertThat(monitor.removePeer("gone")).isTrue();
        assertThat(monitor.removePeer("gone")).isFalse();
        assertThat(registry.peer("gone")).isEmpty();
        assertThat(events.get(events.size() - 1).kind()).isEqualTo(PeerEvent.Kind.REMOVED);
    }

    @Test
    void badAddressOrUnknownSchemeRegistersNothing() {
        assertThatThrownBy(() -> monitor.addPeer("x", "keepalive://nohost")).hasMessageContaining("has no port");
        assertThatThrownBy(() -> monitor.addPeer("y", "udp://127.0.0.1:1"))
                .hasMessage("peer address : 'udp://127.0.0.1:1' uses transport 'udp' (expected: one of [tcp, keepalive],"
                        + " the transports this monitor was built with)");
        assertThat(registry.size()).isZero();
        assertThat(events).isEmpty();
    }
}
