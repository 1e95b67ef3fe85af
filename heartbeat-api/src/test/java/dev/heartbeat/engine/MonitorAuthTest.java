package dev.heartbeat.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.heartbeat.peer.FrameRejection;
import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.Peer;
import dev.heartbeat.peer.PeerRegistry;
import dev.heartbeat.protocol.Frame;
import dev.heartbeat.protocol.FrameCodec;
import dev.heartbeat.protocol.LoadReport;
import dev.heartbeat.protocol.auth.HmacKeyRing;
import dev.heartbeat.protocol.auth.HmacSha256Authenticator;
import dev.heartbeat.testing.InMemoryNetwork;
import dev.heartbeat.testing.VirtualScheduler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The monitor seals its PINGs and verifies every frame when built with authentication. */
class MonitorAuthTest {

    private static final HmacSha256Authenticator KEY_1 =
            HmacSha256Authenticator.of(HmacKeyRing.of(1, "0123456789abcdef-one".getBytes(StandardCharsets.US_ASCII)));
    private static final HmacSha256Authenticator KEY_2 =
            HmacSha256Authenticator.of(HmacKeyRing.of(2, "0123456789abcdef-two".getBytes(StandardCharsets.US_ASCII)));
    private static final HmacSha256Authenticator KEY_1_OTHER_SECRET =
            HmacSha256Authenticator.of(HmacKeyRing.of(1, "another-secret-0123".getBytes(StandardCharsets.US_ASCII)));

    private final VirtualScheduler scheduler = new VirtualScheduler();
    private final InMemoryNetwork network = new InMemoryNetwork(scheduler);
    private final HeartbeatMonitor monitor = HeartbeatMonitor.builder(network).ticker(scheduler.ticker())
            .registry(PeerRegistry.create(Runnable::run)).watchGarbageCollector(false)
            .authentication(KEY_1, KEY_1).build();

    private Peer peerAnsweredBy(String name, HmacSha256Authenticator responderAuth) {
        HeartbeatResponder.Builder r = HeartbeatResponder.builder().nodeId(name).ticker(scheduler.ticker())
                .loadProvider(() -> LoadReport.UNKNOWN);
        if (responderAuth != null) {
            r.sealer(responderAuth).verifier(responderAuth);
        }
        network.bind(name, r.build());
        return monitor.addPeer(name);
    }

    @Test
    void sealedPingsAreAnsweredWithSealedPongs() {
        Peer p = peerAnsweredBy("good", KEY_1);
        scheduler.advance(Duration.ofSeconds(1));
        assertThat(p.liveness()).isEqualTo(Liveness.ALIVE);
        assertThat(p.rejectedFrames()).isZero();
        monitor.close();
    }

    @Test
    void unauthenticatedOrWronglyKeyedAnswersAreDroppedCountedAndNamed() {
        Peer plain = peerAnsweredBy("plain", null);           // answers, unsealed
        Peer other = peerAnsweredBy("other", null);
        network.endpoint("other").restart(HeartbeatResponder.builder().nodeId("other").ticker(scheduler.ticker())
                .loadProvider(() -> LoadReport.UNKNOWN).sealer(KEY_1_OTHER_SECRET).build()); // seals with a wrong secret
        Peer rotated = peerAnsweredBy("rotated", null);
        network.endpoint("rotated").restart(HeartbeatResponder.builder().nodeId("rotated").ticker(scheduler.ticker())
                .loadProvider(() -> LoadReport.UNKNOWN).sealer(KEY_2).build()); // a key we do not hold
        scheduler.advance(MonitorConfig.DEFAULT_INITIAL_TIMEOUT.plusMillis(10));
        assertThat(plain.liveness()).isEqualTo(Liveness.DEAD);
        assertThat(plain.rejectedFrames(FrameRejection.UNAUTHENTICATED)).isPositive();
        assertThat(plain.state().reason()).contains("the last carries no authentication trailer");
        assertThat(other.liveness()).isEqualTo(Liveness.DEAD);
        assertThat(other.rejectedFrames(FrameRejection.BAD_TAG)).isPositive();
        assertThat(rotated.liveness()).isEqualTo(Liveness.DEAD);
        assertThat(rotated.rejectedFrames(FrameRejection.UNKNOWN_KEY)).isPositive();
        assertThat(rotated.state().reason()).contains("the last is signed with a key we do not hold");
        monitor.close();
    }

    @Test
    void aMalformedAnswerIsNamedInTheReason() {
        try (Scripted s = new Scripted()) {
            byte[] junk = "SSH-2.0-OpenSSH_9.6\r\n".getBytes(StandardCharsets.US_ASCII);
            s.handler.onFrame(s.link, java.nio.ByteBuffer.wrap(junk));
            s.scheduler.advance(MonitorConfig.DEFAULT_INITIAL_TIMEOUT);
            assertThat(s.peer.state().reason()).startsWith(
                    "answered only with frames it could not use (1 in 2000 ms): the last is not a valid frame (BAD_MAGIC: magic 0x5353");
        }
    }

    @Test
    void aLinkThatAsksForPaddingGetsPingsOfThatLength() {
        VirtualScheduler sch = new VirtualScheduler();
        java.util.List<Integer> lengths = new java.util.ArrayList<>();
        dev.heartbeat.engine.spi.ClientTransport padded = new dev.heartbeat.engine.spi.ClientTransport() {
            @Override
            public dev.heartbeat.engine.spi.Link open(String address, dev.heartbeat.engine.spi.LinkHandler handler) {
                return new dev.heartbeat.engine.spi.Link() {
                    public dev.heartbeat.engine.spi.SerialScheduler scheduler() {
                        return sch;
                    }

                    public boolean send(java.nio.ByteBuffer frame) {
                        lengths.add(frame.remaining());
                        Frame f = new Frame();
                        try {
                            FrameCodec.decode(frame.duplicate(), f);
                        } catch (dev.heartbeat.protocol.FrameDecodeException e) {
                            throw new AssertionError(e);
                        }
                        return true;
                    }

                    public boolean isConnected() {
                        return true;
                    }

                    public boolean isWritable() {
                        return true;
                    }

                    public int pingPaddingTo(int lastPongLength) {
                        return 200;
                    }

                    public String describe() {
                        return "padded";
                    }

                    public void close() {
                    }
                };
            }

            public String name() {
                return "padded";
            }

            public void close() {
            }
        };
        HeartbeatMonitor m = HeartbeatMonitor.builder(padded).ticker(sch.ticker())
                .registry(PeerRegistry.create(Runnable::run)).watchGarbageCollector(false).build();
        m.addPeer("p", "p:1");
        sch.advance(Duration.ofSeconds(1));
        assertThat(lengths).isNotEmpty().allMatch(n -> n == 200);
        m.close();
    }
}
