package dev.heartbeat.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.heartbeat.engine.HeartbeatMonitor;
import dev.heartbeat.engine.HeartbeatResponder;
import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.Peer;
import dev.heartbeat.peer.PeerEvent;
import dev.heartbeat.peer.Usability;
import dev.heartbeat.protocol.ServingStatus;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A real monitor against a real responder over loopback TCP. */
class TcpMonitorTest {

    private final List<PeerEvent> events = Tcp.events();
    private final HeartbeatResponder responder = Tcp.responder("orders-1");
    private final TcpResponderServer server = Tcp.server(responder);
    private final TcpClientTransport transport = TcpClientTransport.create();
    private final HeartbeatMonitor monitor = Tcp.monitor(transport, events);

    @AfterEach
    void tearDown() {
        monitor.close();
        transport.close();
        server.close();
    }

    private Peer alivePeer() {
        Peer p = monitor.addPeer("orders", "127.0.0.1:" + server.port());
        await().atMost(Duration.ofSeconds(5)).until(() -> p.liveness() == Liveness.ALIVE && p.usability() == Usability.USABLE);
        return p;
    }

    @Test
    void peerBecomesAliveAndUsable() {
        Peer p = alivePeer();
        assertThat(transport.name()).isIn("tcp/epoll", "tcp/nio");
        assertThat(server.transportName()).isEqualTo(transport.name());
        assertThat(p.state().nodeId()).isEqualTo("orders-1");
        assertThat(p.state().epoch()).isEqualTo(responder.epoch());
        assertThat(p.state().rttNanos()).isPositive();
        assertThat(server.connectionCount()).isEqualTo(1);
    }

    @Test
    void serverCloseMakesPeerDeadThroughTheConnectionNotATimeout() {
        Peer p = alivePeer();
        server.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> p.liveness() == Liveness.DEAD);
        PeerEvent dead = lastTransitionTo(Liveness.DEAD);
        assertThat(dead.reason()).containsAnyOf("closed by peer", "reset");
        assertThat(dead.fromLiveness()).isEqualTo(Liveness.ALIVE); // no SUSPECT phase: the FIN said it
    }

    @Test
    void goodbyeMakesPeerUnusableThenDead() {
        Peer p = alivePeer();
        server.closeGracefully(Duration.ofSeconds(3));
        await().atMost(Duration.ofSeconds(5)).until(() -> p.liveness() == Liveness.DEAD);
        int unusable = -1;
        int dead = -1;
        for (int i = 0; i < events.size(); i++) {
            PeerEvent e = events.get(i);
            if (e.kind() != PeerEvent.Kind.TRANSITION) {
                continue;
            }
            if (unusable < 0 && e.toUsability() == Usability.UNUSABLE && e.reason().contains("GOODBYE")) {
                unusable = i;
            }
            if (e.toLiveness() == Liveness.DEAD) {
                dead = i;
            }
        }
        assertThat(unusable).as("GOODBYE transition in %s", events).isNotNegative();
        assertThat(dead).isGreaterThan(unusable);
        assertThat(server.connectionCount()).isZero();
        assertThat(server.stats().resets()).isZero();
    }

    @Test
    void drainingStatusIsVisible() {
        Peer p = alivePeer();
        responder.status(ServingStatus.DRAINING);
        await().atMost(Duration.ofSeconds(5)).until(() -> p.usability() == Usability.UNUSABLE);
        assertThat(p.liveness()).isEqualTo(Liveness.ALIVE);
        assertThat(p.state().status()).isEqualTo(ServingStatus.DRAINING);
        assertThat(lastUsabilityChange().reason()).contains("DRAINING");
    }

    @Test
    void reconnectsAfterTheResponderComesBack() {
        Peer p = alivePeer();
        int port = server.port();
        server.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> p.liveness() == Liveness.DEAD);
        HeartbeatResponder second = Tcp.responder("orders-2");
        try (TcpResponderServer again = TcpResponderServer.builder(second).host("127.0.0.1").port(port).bind()) {
            await().atMost(Duration.ofSeconds(15)).until(() -> p.liveness() == Liveness.ALIVE);
            assertThat(p.state().nodeId()).isEqualTo("orders-2");
        }
    }

    private PeerEvent lastTransitionTo(Liveness l) {
        PeerEvent found = null;
        for (PeerEvent e : events) {
            if (e.kind() == PeerEvent.Kind.TRANSITION && e.toLiveness() == l) {
                found = e;
            }
        }
        assertThat(found).as("transition to %s in %s", l, events).isNotNull();
        return found;
    }

    private PeerEvent lastUsabilityChange() {
        PeerEvent found = null;
        for (PeerEvent e : events) {
            if (e.kind() == PeerEvent.Kind.TRANSITION && e.usabilityChanged()) {
                found = e;
            }
        }
        return found;
    }
}
