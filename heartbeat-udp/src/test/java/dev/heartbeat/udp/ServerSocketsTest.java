package dev.heartbeat.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.heartbeat.protocol.auth.HmacKeyRing;
import dev.heartbeat.protocol.auth.HmacSha256Authenticator;
import dev.heartbeat.engine.HeartbeatResponder;
import dev.heartbeat.udp.internal.UdpIo;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The responder's sockets: SO_REUSEPORT on epoll, one on NIO; the exposure warning at bind. */
class ServerSocketsTest {

    @Test
    void onEpollSeveralSocketsShareThePortAndAllAnswer() throws Exception {
        assumeTrue(UdpIo.best() == UdpIo.EPOLL, "epoll native transport not available: no SO_REUSEPORT");
        try (UdpResponderServer s = UdpResponderServer.builder(Udp.responder("spread")).host("127.0.0.1").port(0)
                .eventLoopThreads(3).bind()) {
            assertThat(s.socketCount()).isEqualTo(3);
            assertThat(s.transportName()).isEqualTo("udp/epoll");
            // Many source ports: the kernel hashes them over the sockets; every PING is answered.
            List<RawUdp> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 24; i++) {
                    clients.add(new RawUdp("127.0.0.1", s.port()));
                }
                for (int i = 0; i < clients.size(); i++) {
                    clients.get(i).send(Udp.ping(500L + i, 1, "c" + i, null, 400));
                }
                for (RawUdp c : clients) {
                    assertThat(c.receive(1000)).isNotNull();
                }
            } finally {
                clients.forEach(RawUdp::close);
            }
        }
    }

    @Test
    void onNioOneSocketReceivesEverything() throws Exception {
        try (UdpResponderServer s = UdpResponderServer.builder(Udp.responder("single")).host("127.0.0.1").port(0)
                .eventLoopThreads(3).preferNio(true).bind();
             RawUdp c = new RawUdp("127.0.0.1", s.port())) {
            assertThat(s.socketCount()).isEqualTo(1);
            assertThat(s.transportName()).isEqualTo("udp/nio");
            c.send(Udp.ping(600L, 1, "c", null, 400));
            assertThat(c.receive(1000)).isNotNull();
        }
    }

    @Test
    void bindingUnauthenticatedToTheWildcardWarnsAndAuthenticatedDoesNot() {
        // Bind only: nothing is sent to or from a non-loopback address.
        try (UdpResponderServer open = UdpResponderServer.builder(Udp.responder("exposed")).host("0.0.0.0").port(0).bind()) {
            assertThat(open.exposureWarning()).contains("UNAUTHENTICATED", "(every interface)");
        }
        HmacSha256Authenticator auth = HmacSha256Authenticator.of(HmacKeyRing.of(1, new byte[32]));
        try (UdpResponderServer closed = UdpResponderServer.builder(HeartbeatResponder.builder().nodeId("guarded")
                .sealer(auth).verifier(auth).build()).host("0.0.0.0").port(0).bind()) {
            assertThat(closed.exposureWarning()).isNull();
            assertThat(closed.authenticated()).isTrue();
        }
        try (UdpResponderServer local = Udp.server(Udp.responder("local"))) {
            assertThat(local.exposureWarning()).isNull();
        }
    }
}
