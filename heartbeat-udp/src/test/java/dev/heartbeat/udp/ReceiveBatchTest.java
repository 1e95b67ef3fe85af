package dev.heartbeat.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.heartbeat.engine.HeartbeatResponder;
import dev.heartbeat.protocol.Frame;
import dev.heartbeat.protocol.FrameType;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The responder's batched receive path over real loopback sockets: datagrams taken several per
 * receive call, PONGs flushed once per batch, per-socket counters, a replay-window cache of
 * senders. Bursts from many interleaved monitors are all answered once, their replays
 * refused, and a datagram longer than a frame is refused without disturbing the rest.
 */
class ReceiveBatchTest {

    private static final int MONITORS = 12;
    private static final int ROUNDS = 10;

    private final HeartbeatResponder responder = Udp.responder("batch");
    private final UdpResponderServer server = UdpResponderServer.builder(responder).host("127.0.0.1").port(0)
            .maxReplyRate(1_000_000).replyBurst(100_000) // one source sends the whole burst; the rate has its own test
            .bind();

    @AfterEach
    void close() {
        server.close();
    }

    private static long epoch(int monitor) {
        return 0x5EED_0000_0000_0000L + monitor * 0x1_0000_0001L;
    }

    @Test
    void aBurstFromInterleavedMonitorsIsAnsweredOnceEachAndItsReplayIsRefused() throws Exception {
        byte[][] pings = new byte[MONITORS * ROUNDS][];
        int pongLength = 200; // padded PINGs: full PONGs (no amplification rule in the way)
        for (int round = 0; round < ROUNDS; round++) {
            for (int m = 0; m < MONITORS; m++) {
                pings[round * MONITORS + m] = Udp.ping(epoch(m), 1000 + round, "monitor-" + m, null, pongLength);
            }
        }
        try (RawUdp client = new RawUdp("127.0.0.1", server.port())) {
            for (byte[] p : pings) {
                client.send(p); // back to back: the responder sees them in batches
            }
            Set<String> echoed = new HashSet<>();
            for (int i = 0; i < pings.length; i++) {
                byte[] d = client.receive(3_000);
                assertThat(d).as("PONG %d of %d", i + 1, pings.length).isNotNull();
                Frame pong = Udp.decode(d);
                assertThat(pong.type()).isEqualTo(FrameType.PONG);
                assertThat(pong.status()).isNotNull();
                echoed.add(Long.toHexString(pong.echoSendTimeNanos()) + "/" + pong.echoSequence());
            }
            assertThat(echoed).hasSize(pings.length); // each PING answered once, none twice
            await().atMost(Duration.ofSeconds(3)).until(() -> server.stats().answered() == pings.length);

            for (int m = 0; m < MONITORS; m++) {
                client.send(pings[(ROUNDS - 1) * MONITORS + m]); // each monitor's last PING, again
            }
            await().atMost(Duration.ofSeconds(3)).until(() -> server.stats().dropped(UdpDrop.REPLAYED) == MONITORS);
            assertThat(client.receive(200)).isNull();
            UdpResponderServer.Stats st = server.stats();
            assertThat(st.received()).isEqualTo(pings.length + MONITORS);
            assertThat(st.answered()).isEqualTo(pings.length);
            assertThat(st.bytesIn()).isEqualTo((long) (pings.length + MONITORS) * pings[0].length);
            assertThat(server.senderCount()).isEqualTo(MONITORS);
        }
    }

    @Test
    void aDatagramLongerThanAFrameIsRefusedAndTheBatchAroundItAnswered() throws Exception {
        byte[] before = Udp.ping(epoch(1), 7, "monitor-1", null, 200);
        byte[] after = Udp.ping(epoch(1), 8, "monitor-1", null, 200);
        byte[] huge = new byte[3000];
        System.arraycopy(before, 0, huge, 0, before.length); // a valid PING's bytes, then far too many
        try (RawUdp client = new RawUdp("127.0.0.1", server.port())) {
            client.send(before);
            client.send(huge);
            client.send(after);
            assertThat(Udp.decode(client.receive(3_000)).echoSequence()).isEqualTo(7);
            assertThat(Udp.decode(client.receive(3_000)).echoSequence()).isEqualTo(8);
            await().atMost(Duration.ofSeconds(3)).until(() -> server.stats().dropped(UdpDrop.MALFORMED) == 1);
            assertThat(server.stats().answered()).isEqualTo(2);
        }
    }
}
