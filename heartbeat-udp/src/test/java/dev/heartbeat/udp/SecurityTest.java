package dev.heartbeat.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.heartbeat.engine.HeartbeatMonitor;
import dev.heartbeat.engine.HeartbeatResponder;
import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.Peer;
import dev.heartbeat.peer.PeerEvent;
import dev.heartbeat.peer.PeerRegistry;
import dev.heartbeat.protocol.AuthResult;
import dev.heartbeat.protocol.Frame;
import dev.heartbeat.protocol.FrameType;
import dev.heartbeat.protocol.LoadReport;
import dev.heartbeat.protocol.auth.HmacKeyRing;
import dev.heartbeat.protocol.auth.HmacSha256Authenticator;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An authenticated responder over real loopback sockets, attacked by hand-made datagrams: nothing
 * unauthenticated, wrongly keyed, badly tagged, replayed, too old or from a replaced process is
 * answered, and each is counted under its reason. Key rotation without downtime.
 */
class SecurityTest {

    private static final byte[] K7 = secret(7);
    private static final byte[] K8 = secret(8);

    private final HmacSha256Authenticator serverAuth = HmacSha256Authenticator.of(HmacKeyRing.of(7, K7));
    private final UdpResponderServer server = UdpResponderServer.builder(HeartbeatResponder.builder()
                    .nodeId("secure").loadProvider(() -> LoadReport.UNKNOWN).sealer(serverAuth).verifier(serverAuth).build())
            .host("127.0.0.1").port(0).staleEpochAfter(Duration.ofMillis(100)).senderIdleTimeout(Duration.ofSeconds(30))
            .maxReplyRate(1_000_000).replyBurst(100_000) // bursts of hand-made PINGs; the rate limit has its own test
            .bind();

    @AfterEach
    void tearDown() {
        server.close();
    }

    private static byte[] secret(int seed) {
        byte[] s = new byte[32];
        Arrays.fill(s, (byte) seed);
        s[0] = (byte) 0x5a;
        return s;
    }

    private static HmacSha256Authenticator auth(int keyId, byte[] secret) {
        return HmacSha256Authenticator.of(HmacKeyRing.of(keyId, secret));
    }

    /** Sends one datagram and returns the reply, or null. */
    private static byte[] ask(RawUdp c, byte[] ping) throws Exception {
        c.send(ping);
        return c.receive(300);
    }

    @Test
    void unauthenticatedWronglyKeyedAndBadlyTaggedPingsAreNeverAnsweredAndCounted() throws Exception {
        try (RawUdp c = new RawUdp("127.0.0.1", server.port())) {
            assertThat(ask(c, Udp.ping(11L, 1, "m", null, 0))).isNull();                    // no trailer
            assertThat(ask(c, Udp.ping(11L, 2, "m", auth(9, K7), 0))).isNull();             // key id we don't hold
            assertThat(ask(c, Udp.ping(11L, 3, "m", auth(7, K8), 0))).isNull();             // right id, wrong secret
            byte[] good = Udp.ping(11L, 4, "m", auth(7, K7), 0);
            byte[] flipped = good.clone();
            flipped[20] ^= 1;                                                                // spoofed: a field changed after signing
            assertThat(ask(c, flipped)).isNull();
            assertThat(ask(c, new byte[] {'H', 'B', 1, 1, 0, 0})).isNull();                // garbage
            byte[] pong = ask(c, good);
            assertThat(pong).isNotNull();
            Frame f = Udp.decode(pong);
            assertThat(f.type()).isEqualTo(FrameType.PONG);
            assertThat(serverAuth.verify(ByteBuffer.wrap(pong), 0, f)).isEqualTo(AuthResult.OK); // PONGs are sealed
            assertThat(c.datagramsIn).isEqualTo(1);
        }
        UdpResponderServer.Stats st = server.stats();
        assertThat(st.dropped(UdpDrop.UNAUTHENTICATED)).isEqualTo(1);
        assertThat(st.dropped(UdpDrop.UNKNOWN_KEY)).isEqualTo(1);
        assertThat(st.dropped(UdpDrop.BAD_TAG)).isEqualTo(2);
        assertThat(st.dropped(UdpDrop.MALFORMED)).isEqualTo(1);
        assertThat(st.answered()).isEqualTo(1);
    }

    @Test
    void replaysAreRefusedFromAnySourceAndOldSequencesToo() throws Exception {
        HmacSha256Authenticator a = auth(7, K7);
        byte[] recorded = Udp.ping(21L, 1000, "m", a, 0);
        try (RawUdp monitor = new RawUdp("127.0.0.1", server.port());
             RawUdp attacker = new RawUdp("127.0.0.2", server.port())) {
            assertThat(ask(monitor, recorded)).isNotNull();
            assertThat(ask(monitor, recorded)).isNull();   // the same datagram again
            assertThat(ask(attacker, recorded)).isNull();  // replayed from another address (a spoofed victim)
            int answered = 0;
            for (int s = 1001; s <= 1300; s++) { // one at a time: a burst would overflow our own receive buffer
                answered += ask(monitor, Udp.ping(21L, s, "m", a, 0)) != null ? 1 : 0;
            }
            assertThat(answered).isEqualTo(300);
            assertThat(ask(attacker, Udp.ping(21L, 1299, "m", a, 0))).isNull(); // inside the window, already seen
            assertThat(ask(attacker, Udp.ping(21L, 1010, "m", a, 0))).isNull(); // behind the window, already used
            assertThat(ask(monitor, Udp.ping(21L, 1302, "m", a, 0))).isNotNull(); // a gap is fine
            assertThat(ask(monitor, Udp.ping(21L, 1301, "m", a, 0))).isNotNull(); // and so is filling it late
        }
        assertThat(server.stats().dropped(UdpDrop.REPLAYED)).isEqualTo(3);
        assertThat(server.stats().dropped(UdpDrop.TOO_OLD)).isEqualTo(1);
    }

    @Test
    void aReplacedMonitorProcessesEpochIsRefusedAsStale() throws Exception {
        HmacSha256Authenticator a = auth(7, K7);
        try (RawUdp c = new RawUdp("127.0.0.1", server.port())) {
            assertThat(ask(c, Udp.ping(31L, 5, "restarting-monitor", a, 0))).isNotNull(); // the old process
            assertThat(ask(c, Udp.ping(32L, 9, "restarting-monitor", a, 0))).isNotNull(); // its successor
            // The old epoch stays silent past staleEpochAfter (100 ms): the sweep (every second) retires it.
            await().atMost(Duration.ofSeconds(5)).until(() -> server.senderCount() == 1);
            assertThat(ask(c, Udp.ping(31L, 6, "restarting-monitor", a, 0))).isNull();  // a fresh sequence, stale epoch
            assertThat(ask(c, Udp.ping(32L, 10, "restarting-monitor", a, 0))).isNotNull();
        }
        assertThat(server.stats().dropped(UdpDrop.STALE_EPOCH)).isEqualTo(1);
    }

    @Test
    void keyRotationAcceptsBothKeysThenRefusesTheOldOneWhileAMonitorStaysAlive() throws Exception {
        HmacSha256Authenticator monitorAuth = auth(7, K7);
        List<PeerEvent> events = Udp.events();
        try (UdpClientTransport t = UdpClientTransport.builder().eventLoopThreads(1).padPings(false).build();
             HeartbeatMonitor m = HeartbeatMonitor.builder(t).config(Udp.FAST).nodeId("rotating")
                     .authentication(monitorAuth, monitorAuth).registry(PeerRegistry.create(Runnable::run))
                     .watchGarbageCollector(false).build();
             RawUdp c = new RawUdp("127.0.0.1", server.port())) {
            m.addListener(events::add);
            Peer p = m.addPeer("secure", "127.0.0.1:" + server.port());
            await().atMost(Duration.ofSeconds(5)).until(() -> p.liveness() == Liveness.ALIVE);

            // Step 1 everywhere: accept 8 too, still sign with 7.
            HmacKeyRing step1 = serverAuth.keyRing().toBuilder().key(8, K8).signWith(7).build();
            serverAuth.keyRing(step1);
            monitorAuth.keyRing(step1);
            // Step 2 everywhere: sign with 8. During the rotation both keys are answered.
            HmacKeyRing step2 = step1.toBuilder().signWith(8).build();
            monitorAuth.keyRing(step2);
            assertThat(ask(c, Udp.ping(41L, 1, "raw", auth(7, K7), 0))).isNotNull();
            assertThat(ask(c, Udp.ping(41L, 2, "raw", auth(8, K8), 0))).isNotNull();
            serverAuth.keyRing(step2);
            // Step 3 everywhere: drop 7. Its PINGs are now refused.
            HmacKeyRing step3 = step2.toBuilder().remove(7).build();
            serverAuth.keyRing(step3);
            monitorAuth.keyRing(step3);
            assertThat(ask(c, Udp.ping(41L, 3, "raw", auth(7, K7), 0))).isNull();
            assertThat(ask(c, Udp.ping(41L, 4, "raw", auth(8, K8), 0))).isNotNull();
            assertThat(server.stats().dropped(UdpDrop.UNKNOWN_KEY)).isEqualTo(1);

            long answered = server.stats().answered();
            await().atMost(Duration.ofSeconds(3)).until(() -> server.stats().answered() > answered + 5);
            assertThat(p.liveness()).isEqualTo(Liveness.ALIVE);
            assertThat(Udp.everWas(events, Liveness.DEAD)).isFalse();
            assertThat(Udp.everWas(events, Liveness.SUSPECT)).isFalse();
        }
    }
}
