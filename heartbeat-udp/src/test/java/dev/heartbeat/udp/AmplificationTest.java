package dev.heartbeat.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.heartbeat.engine.HeartbeatMonitor;
import dev.heartbeat.engine.HeartbeatResponder;
import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.Peer;
import dev.heartbeat.peer.PeerEvent;
import dev.heartbeat.peer.Usability;
import dev.heartbeat.protocol.Frame;
import dev.heartbeat.protocol.FrameCodec;
import dev.heartbeat.protocol.LoadReport;
import dev.heartbeat.protocol.auth.HmacKeyRing;
import dev.heartbeat.protocol.auth.HmacSha256Authenticator;
import dev.heartbeat.udp.internal.ReducedPong;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The no-amplification rule, measured: bytes in and bytes out per source, over real loopback
 * sockets; and the per-source reply rate limit.
 */
class AmplificationTest {

    /** A responder whose PONGs (with four custom metrics) are much larger than a bare PING. */
    private static HeartbeatResponder bigResponder() {
        return HeartbeatResponder.builder().nodeId("amplifier-candidate")
                .loadProvider(() -> LoadReport.builder().cpu(0.3).memory(0.4)
                        .custom("pool.active", 12).custom("pool.idle", 4).custom("queue.wait_ms", 2.5)
                        .custom("gc.pause_ms", 1.0).build())
                .build();
    }

    @Test
    void anUnauthenticatedResponderNeverSendsASourceMoreBytesThanItReceived() throws Exception {
        try (UdpResponderServer server = UdpResponderServer.builder(bigResponder()).host("127.0.0.1").port(0).bind();
             RawUdp bare = new RawUdp("127.0.0.1", server.port());
             RawUdp halfPadded = new RawUdp("127.0.0.2", server.port());
             RawUdp fullyPadded = new RawUdp("127.0.0.3", server.port())) {
            int full = fullPongLength(server);
            for (int i = 0; i < 50; i++) {
                bare.send(Udp.ping(101L, i, "a", null, 0));                // 36 bytes: even a reduced PONG is longer
                assertThat(bare.receive(100)).isNull();
                halfPadded.send(Udp.ping(102L, i, "b", null, 110));        // room for the reduced PONG only
                byte[] r = halfPadded.receive(1000);
                assertThat(r).isNotNull();
                Frame f = Udp.decode(r);
                assertThat(f.load()).isEqualTo(LoadReport.UNKNOWN);       // status yes, load withheld
                assertThat(ReducedPong.withheldLength(ByteBuffer.wrap(r), 0, r.length)).isEqualTo(full);
                fullyPadded.send(Udp.ping(103L, i, "c", null, full));      // padded to the PONG: answered in full
                byte[] g = fullyPadded.receive(1000);
                assertThat(g).isNotNull().hasSize(full);
                assertThat(Udp.decode(g).load().customCount()).isEqualTo(4);
            }
            String[] names = {"127.0.0.1 bare PINGs", "127.0.0.2 PINGs padded to 110", "127.0.0.3 PINGs padded to the PONG"};
            List<RawUdp> sources = List.of(bare, halfPadded, fullyPadded);
            for (int i = 0; i < 3; i++) {
                RawUdp c = sources.get(i);
                System.out.printf(Locale.ROOT, "UDP amplification, source %s: %d bytes in, %d bytes out (%.2fx)%n",
                        names[i], c.bytesOut, c.bytesIn, (double) c.bytesIn / c.bytesOut);
                assertThat(c.bytesIn).as("bytes sent to a source").isLessThanOrEqualTo(c.bytesOut);
            }
            assertThat(bare.bytesIn).isZero();
            UdpResponderServer.Stats st = server.stats();
            assertThat(st.dropped(UdpDrop.AMPLIFICATION)).isEqualTo(50);
            assertThat(st.reducedReplies()).isEqualTo(50);
            assertThat(st.bytesOut()).isLessThanOrEqualTo(st.bytesIn());
        }
    }

    @Test
    void aRealMonitorPadsItsPingsAndGetsTheFullLoadWithoutAmplification() throws Exception {
        List<PeerEvent> events = Udp.events();
        try (UdpResponderServer server = UdpResponderServer.builder(bigResponder()).host("127.0.0.1").port(0).bind();
             UdpFaultProxy proxy = new UdpFaultProxy(server.port());
             UdpClientTransport t = UdpClientTransport.builder().eventLoopThreads(1).build();
             HeartbeatMonitor m = Udp.monitor(t, events)) {
            Peer p = m.addPeer("big", "127.0.0.1:" + proxy.port());
            await().atMost(Duration.ofSeconds(5)).until(() -> p.liveness() == Liveness.ALIVE && p.usability() == Usability.USABLE);
            await().atMost(Duration.ofSeconds(5)).until(() -> proxy.up.datagrams.get() >= 20);
            assertThat(p.load().customCount()).isEqualTo(4);
            long up = proxy.up.bytes.get();
            long down = proxy.down.bytes.get();
            System.out.printf(Locale.ROOT, "UDP monitor with padding: %d PINGs, %d bytes up, %d bytes down%n",
                    proxy.up.datagrams.get(), up, down);
            assertThat(down).isLessThanOrEqualTo(up);
            assertThat(server.stats().dropped(UdpDrop.AMPLIFICATION)).isZero();
        }
    }

    @Test
    void withoutPaddingAMonitorStillGetsLivenessAndStatusFromReducedPongs() throws Exception {
        List<PeerEvent> events = Udp.events();
        try (UdpResponderServer server = UdpResponderServer.builder(bigResponder()).host("127.0.0.1").port(0).bind();
             UdpClientTransport t = UdpClientTransport.builder().eventLoopThreads(1).padPings(false).build();
             HeartbeatMonitor m = HeartbeatMonitor.builder(t).config(Udp.FAST)
                     .nodeId("monitor-with-a-node-id-long-enough-for-a-reduced-pong-to-fit-in-its-ping")
                     .watchGarbageCollector(false).build()) {
            m.addListener(events::add);
            Peer p = m.addPeer("big", "127.0.0.1:" + server.port());
            await().atMost(Duration.ofSeconds(5)).until(() -> p.liveness() == Liveness.ALIVE);
            assertThat(p.load().cpu()).isNaN(); // withheld
            assertThat(server.stats().reducedReplies()).isPositive();
            assertThat(server.stats().bytesOut()).isLessThanOrEqualTo(server.stats().bytesIn());
        }
    }

    @Test
    void anAuthenticatedSourceGetsTheFullPongWhateverItsSize() throws Exception {
        byte[] secret = new byte[32];
        Arrays.fill(secret, (byte) 3);
        HmacSha256Authenticator auth = HmacSha256Authenticator.of(HmacKeyRing.of(1, secret));
        HeartbeatResponder r = HeartbeatResponder.builder().nodeId("authenticated").sealer(auth).verifier(auth)
                .loadProvider(() -> LoadReport.builder().cpu(0.5).custom("pool.active", 3).build()).build();
        try (UdpResponderServer server = UdpResponderServer.builder(r).host("127.0.0.1").port(0).bind();
             RawUdp c = new RawUdp("127.0.0.1", server.port())) {
            byte[] ping = Udp.ping(201L, 1, "m", auth, 0);
            c.send(ping);
            byte[] pong = c.receive(1000);
            assertThat(pong).isNotNull();
            assertThat(pong.length).isGreaterThan(ping.length);
            assertThat(Udp.decode(pong).load().cpu()).isEqualTo(0.5);
        }
    }

    @Test
    void aFloodFromOneSourceIsCutToItsRateAndOtherSourcesAreStillAnswered() throws Exception {
        try (UdpResponderServer server = UdpResponderServer.builder(Udp.responder("flooded")).host("127.0.0.1").port(0)
                .maxReplyRate(100).replyBurst(20).bind();
             RawUdp flooder = new RawUdp("127.0.0.5", server.port());
             RawUdp honest = new RawUdp("127.0.0.6", server.port())) {
            long t0 = System.nanoTime();
            int answered = 0;
            for (int i = 0; i < 1000; i++) {
                flooder.send(Udp.ping(301L, i, "flood", null, 200));
                if (i % 20 == 19) {
                    answered += flooder.drain(1);
                }
            }
            answered += flooder.drain(200);
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "UDP reply rate limit 100/s, burst 20: 1000 PINGs in %.2f s, %d answered%n",
                    seconds, answered);
            assertThat(answered).isLessThanOrEqualTo((int) (20 + 100 * seconds) + 1);
            UdpResponderServer.Stats st = server.stats();
            assertThat(st.answered()).isLessThanOrEqualTo((long) (20 + 100 * seconds) + 1);
            // every PING that reached the responder and was not answered was cut by the rate limit
            assertThat(st.dropped(UdpDrop.RATE_LIMITED)).isEqualTo(st.received() - st.answered()).isPositive();
            honest.send(Udp.ping(302L, 1, "honest", null, 200));
            assertThat(honest.receive(1000)).isNotNull();
        }
    }

    /** Asks a throwaway source for one PONG padded to the maximum, and returns its length. */
    private static int fullPongLength(UdpResponderServer server) throws Exception {
        try (RawUdp probe = new RawUdp("127.0.0.9", server.port())) {
            probe.send(Udp.ping(100L, 1, "probe", null, FrameCodec.MAX_FRAME_LENGTH / 2));
            byte[] r = probe.receive(1000);
            assertThat(r).isNotNull();
            return r.length;
        }
    }
}
