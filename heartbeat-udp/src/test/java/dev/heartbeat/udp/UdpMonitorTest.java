package dev.heartbeat.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.heartbeat.engine.HeartbeatMonitor;
import dev.heartbeat.engine.HeartbeatResponder;
import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.Peer;
import dev.heartbeat.peer.PeerEvent;
import dev.heartbeat.peer.Usability;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The monitor over real loopback UDP sockets: liveness, usability, load, sockets, IPv6, stops and GOODBYEs. */
class UdpMonitorTest {

    private final List<PeerEvent> events = Udp.events();
    private final UdpClientTransport transport = UdpClientTransport.builder().eventLoopThreads(1).build();
    private final HeartbeatMonitor monitor = Udp.monitor(transport, events);
    private final List<UdpResponderServer> servers = new ArrayList<>();

    @AfterEach
    void tearDown() {
        monitor.close();
        transport.close();
        servers.forEach(UdpResponderServer::close);
    }

    private UdpResponderServer serve(String nodeId) {
        UdpResponderServer s = Udp.server(Udp.responder(nodeId));
        servers.add(s);
        return s;
    }

    @Test
    void peerIsAliveAndUsableWithItsLoadAndNoAmplification() {
        UdpResponderServer s = serve("udp-1");
        Peer p = monitor.addPeer("p", "127.0.0.1:" + s.port());
        await().atMost(Duration.ofSeconds(5)).until(() -> p.liveness() == Liveness.ALIVE && p.usability() == Usability.USABLE);
        assertThat(p.load().cpu()).isEqualTo(0.1);
        assertThat(p.rttNanos()).isPositive();
        assertThat(transport.name()).startsWith("udp/");
        await().atMost(Duration.ofSeconds(3)).until(() -> s.stats().answered() >= 10);
        // PINGs are padded to the PONG they ask for: the responder never sent more than it got.
        UdpResponderServer.Stats st = s.stats();
        assertThat(st.bytesOut()).isLessThanOrEqualTo(st.bytesIn());
        assertThat(st.droppedTotal()).isZero();
        assertThat(st.reducedReplies()).isZero(); // the first PING was padded to the cap: full PONGs from the start
    }

    @Test
    void ipv6LoopbackWorksToo() throws Exception {
        assumeTrue(ipv6Loopback(), "no IPv6 loopback on this host");
        UdpResponderServer s = UdpResponderServer.builder(Udp.responder("udp-v6")).host("::1").port(0).bind();
        servers.add(s);
        Peer p = monitor.addPeer("v6", "[::1]:" + s.port());
        await().atMost(Duration.ofSeconds(5)).until(() -> p.liveness() == Liveness.ALIVE && p.usability() == Usability.USABLE);
        assertThat(s.localAddress().getAddress().getHostAddress()).contains(":");
    }

    @Test
    void stoppedResponderIsDeadWithinAFewIntervals() {
        UdpResponderServer s = serve("to-stop");
        Peer p = monitor.addPeer("p", "udp://127.0.0.1:" + s.port());
        await().atMost(Duration.ofSeconds(5)).until(() -> p.liveness() == Liveness.ALIVE);
        long t0 = System.nanoTime();
        s.close();
        await().pollInterval(Duration.ofMillis(5)).atMost(Duration.ofSeconds(5)).until(() -> p.liveness() == Liveness.DEAD);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf(Locale.ROOT, "UDP: stopped responder detected DEAD after %d ms (100 ms interval)%n", ms);
        assertThat(Udp.everWas(events, Liveness.SUSPECT)).isTrue(); // by the detector: UDP has no connection to lose
    }

    @Test
    void manyPeersShareOneSocketPerFamilyAndLoop() {
        int before = transport.socketCount(); // IPv4 (+ IPv6 where the host has it) for the one loop
        assertThat(before).isBetween(1, 2);
        List<Peer> peers = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            UdpResponderServer s = UdpResponderServer.builder(Udp.responder("r" + i)).host("127.0.0.1").port(0)
                    .eventLoopThreads(1).bind();
            servers.add(s);
            peers.add(monitor.addPeer("p" + i, "127.0.0.1:" + s.port()));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> peers.stream().allMatch(p -> p.liveness() == Liveness.ALIVE));
        assertThat(transport.socketCount()).isEqualTo(before);
        assertThat(transport.linkCount()).isEqualTo(12);

        // Two peers of the same responder: replies are told apart by source address, so the second
        // gets a socket of its own; both are answered.
        Peer twin = monitor.addPeer("twin", "127.0.0.1:" + servers.get(0).port());
        await().atMost(Duration.ofSeconds(5)).until(() -> twin.liveness() == Liveness.ALIVE);
        assertThat(transport.socketCount()).isEqualTo(before + 1);
        assertThat(peers.get(0).liveness()).isEqualTo(Liveness.ALIVE);
        monitor.removePeer("twin");
        await().atMost(Duration.ofSeconds(5)).until(() -> transport.socketCount() == before);
    }

    @Test
    void gracefulCloseSendsGoodbyeSoThePeerIsUnusableAtOnce() {
        UdpResponderServer s = serve("leaving");
        Peer p = monitor.addPeer("p", "127.0.0.1:" + s.port());
        await().atMost(Duration.ofSeconds(5)).until(() -> p.usability() == Usability.USABLE);
        s.closeGracefully(Duration.ofSeconds(30));
        assertThat(s.stats().goodbyes()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(2)).until(() -> p.usability() == Usability.UNUSABLE || p.liveness() == Liveness.DEAD);
        assertThat(events).anyMatch(e -> e.reason().toLowerCase(Locale.ROOT).contains("goodbye"));
    }

    @Test
    void badAddressesAreRefusedWithTheRule() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> transport.open("::1:7000", null))
                .hasMessageContaining("(expected: [ipv6]:port)");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> transport.open("host:99999", null))
                .hasMessageContaining("port 99999 (expected: 1..65535)");
    }

    static boolean ipv6Loopback() {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("::1"), 0))) {
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
