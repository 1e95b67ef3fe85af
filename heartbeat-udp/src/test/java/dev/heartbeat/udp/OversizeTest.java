package dev.heartbeat.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.heartbeat.engine.HeartbeatMonitor;
import dev.heartbeat.engine.HeartbeatResponder;
import dev.heartbeat.engine.spi.DisconnectCause;
import dev.heartbeat.engine.spi.Link;
import dev.heartbeat.engine.spi.LinkHandler;
import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.Peer;
import dev.heartbeat.protocol.LoadReport;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** One frame per datagram, never over the cap: oversize PONGs and PINGs are refused with their size and the cap. */
class OversizeTest {

    /** 16 custom metrics with 32-byte names: a 743-byte PONG for a 16-byte node id. */
    private static HeartbeatResponder hugeResponder() {
        LoadReport.Builder l = LoadReport.builder();
        for (int i = 0; i < 16; i++) {
            l.custom(String.format("metric-%02d-padded-to-32-bytes-xxx", i), i);
        }
        LoadReport load = l.build();
        return HeartbeatResponder.builder().nodeId("orders-eu-west-3").loadProvider(() -> load).build();
    }

    @Test
    void aPongOverTheCapIsNotSentAndTheErrorNamesItsSizeAndTheCap() throws Exception {
        try (UdpResponderServer server = UdpResponderServer.builder(hugeResponder()).host("127.0.0.1").port(0).bind();
             RawUdp c = new RawUdp("127.0.0.1", server.port())) {
            c.send(Udp.ping(1L, 1, "m", null, 508));
            assertThat(c.receive(300)).isNull();
            assertThat(server.stats().dropped(UdpDrop.OVERSIZE_REPLY)).isEqualTo(1);
            assertThat(server.lastOversizeError()).isEqualTo("PONG : 743 bytes (expected: <= maxLength 508)");
        }
    }

    @Test
    void aLargerCapCarriesThePongToAMonitorWithTheSameCap() {
        try (UdpResponderServer server = UdpResponderServer.builder(hugeResponder()).host("127.0.0.1").port(0)
                .maxDatagramSize(1472).bind();
             UdpClientTransport t = UdpClientTransport.builder().eventLoopThreads(1).maxDatagramSize(1472).build();
             HeartbeatMonitor m = Udp.monitor(t, Udp.events())) {
            Peer p = m.addPeer("huge", "127.0.0.1:" + server.port());
            await().atMost(Duration.ofSeconds(5)).until(() -> p.liveness() == Liveness.ALIVE);
            assertThat(p.load().customCount()).isEqualTo(16);
            assertThat(server.stats().dropped(UdpDrop.OVERSIZE_REPLY)).isZero();
        }
    }

    @Test
    void theLinkRefusesAFrameOverItsCap() {
        AtomicBoolean up = new AtomicBoolean();
        try (UdpClientTransport t = UdpClientTransport.builder().eventLoopThreads(1).build()) {
            Link link = t.open("127.0.0.1:9", new LinkHandler() { // port 9 (discard): nothing is sent in this test
                @Override
                public void onConnected(Link l) {
                    up.set(true);
                }

                @Override
                public void onFrame(Link l, ByteBuffer frame) {
                }

                @Override
                public void onDisconnected(Link l, DisconnectCause cause, String detail) {
                }
            });
            await().atMost(Duration.ofSeconds(2)).untilTrue(up);
            ByteBuffer big = ByteBuffer.wrap(Udp.ping(1L, 1, "m", null, 600));
            boolean[] sent = new boolean[1];
            link.scheduler().execute(() -> sent[0] = link.send(big));
            await().atMost(Duration.ofSeconds(2)).until(() -> t.stats().oversizeRefused() == 1);
            assertThat(sent[0]).isFalse();
            assertThat(t.stats().datagramsSent()).isZero();
            link.close();
        }
    }

    @Test
    void capsOutsideTheirRangeAreRefusedWithTheRule() {
        assertThatThrownBy(() -> UdpClientTransport.builder().maxDatagramSize(1473))
                .hasMessage("maxDatagramSize : 1473 (expected: 356..1472)");
        assertThatThrownBy(() -> UdpResponderServer.builder(Udp.responder("x")).maxDatagramSize(100))
                .hasMessage("maxDatagramSize : 100 (expected: 356..1472)");
        assertThatThrownBy(() -> UdpResponderServer.builder(Udp.responder("x")).staleEpochAfter(Duration.ofMinutes(20))
                .senderIdleTimeout(Duration.ofMinutes(10)).bind())
                .hasMessage("senderIdleTimeout : PT10M (expected: >= staleEpochAfter PT20M)");
    }
}
