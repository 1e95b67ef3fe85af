package dev.heartbeat.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.heartbeat.testing.ManualTicker;
import dev.heartbeat.peer.PeerEvent;
import dev.heartbeat.peer.PeerRegistry;
import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.Usability;
import dev.heartbeat.protocol.Frame;
import dev.heartbeat.protocol.FrameCodec;
import dev.heartbeat.protocol.FrameDecodeException;
import dev.heartbeat.protocol.FrameType;
import dev.heartbeat.protocol.LoadReport;
import dev.heartbeat.protocol.ServingStatus;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResponderAndConfigTest {

    @Test
    void responderAnswersPingWithEchoStatusAndLoad() throws Exception {
        ManualTicker t = new ManualTicker(5_000);
        LoadReport load = LoadReport.builder().cpu(0.5).inFlight(3).custom("pool.active", 7).build();
        HeartbeatResponder r = HeartbeatResponder.builder().nodeId("b").epoch(42).ticker(t).loadProvider(() -> load)
                .minInterval(Duration.ofMillis(100)).build();
        ByteBuffer ping = ByteBuffer.allocate(FrameCodec.MAX_FRAME_LENGTH);
        FrameCodec.encode(new Frame().ping(7, 99, 1234, "m", 200), ping);
        ping.flip();
        ByteBuffer reply = ByteBuffer.allocate(FrameCodec.MAX_FRAME_LENGTH);
        Frame scratch = new Frame();
        assertThat(r.respond(ping, reply, scratch)).isTrue();
        reply.flip();
        Frame pong = new Frame();
        FrameCodec.decode(reply, pong);
        assertThat(pong.type()).isEqualTo(FrameType.PONG);
        assertThat(pong.epoch()).isEqualTo(42);
        assertThat(pong.echoSequence()).isEqualTo(99);
        assertThat(pong.echoSendTimeNanos()).isEqualTo(1234);
        assertThat(pong.sendTimeNanos()).isEqualTo(5_000);
        assertThat(pong.status()).isEqualTo(ServingStatus.SERVING);
        assertThat(pong.minIntervalMillis()).isEqualTo(100);
        assertThat(pong.load()).isEqualTo(load);
        assertThat(r.answered()).isEqualTo(1);

        r.status(ServingStatus.DRAINING);
        ByteBuffer bye = ByteBuffer.allocate(FrameCodec.MAX_FRAME_LENGTH);
        r.goodbye(bye, scratch, Duration.ofSeconds(5));
        bye.flip();
        FrameCodec.decode(bye, pong);
        assertThat(pong.type()).isEqualTo(FrameType.GOODBYE);
        assertThat(pong.comeBackAfterMillis()).isEqualTo(5000);
    }

    @Test
    void responderIgnoresNonPingsAndRejectsGarbage() {
        HeartbeatResponder r = HeartbeatResponder.builder().loadProvider(LoadProvider.none()).build();
        ByteBuffer reply = ByteBuffer.allocate(FrameCodec.MAX_FRAME_LENGTH);
        assertThatThrownBy(() -> r.respond(ByteBuffer.wrap(new byte[] {1, 2, 3}), reply, new Frame()))
                .isInstanceOf(FrameDecodeException.class)
                .hasMessageStartingWith("BAD_MAGIC");
        assertThat(reply.position()).isZero();
    }

    @Test
    void responderBuilderValidates() {
        assertThatThrownBy(() -> HeartbeatResponder.builder().nodeId("")).hasMessage("nodeId : '' is 0 UTF-8 bytes (expected: 1..255)");
        assertThatThrownBy(() -> HeartbeatResponder.builder().epoch(0)).hasMessage("epoch : 0 (expected: non-zero)");
        assertThatThrownBy(() -> HeartbeatResponder.builder().minInterval(Duration.ofDays(2)))
                .hasMessage("minInterval : PT48H (expected: PT0S..PT24H)");
        assertThat(ServingStatus.parse(" draining ")).isEqualTo(ServingStatus.DRAINING);
        assertThatThrownBy(() -> ServingStatus.parse("READY"))
                .hasMessage("status : READY (expected one of SERVING, DEGRADED, DRAINING, NOT_SERVING)");
    }

    @Test
    void monitorConfigValidatesEveryOption() {
        assertThatThrownBy(() -> MonitorConfig.custom().interval(Duration.ZERO))
                .hasMessage("interval : PT0S (expected: PT0.001S..PT1H)");
        assertThatThrownBy(() -> MonitorConfig.custom().interval(null))
                .hasMessage("interval : null (expected: PT0.001S..PT1H)");
        assertThatThrownBy(() -> MonitorConfig.custom().jitter(0.6)).hasMessage("jitter : 0.6 (expected: 0.0..0.5)");
        assertThatThrownBy(() -> MonitorConfig.custom().degradeAfter(0)).hasMessage("degradeAfter : 0 (expected: 1..100)");
        assertThatThrownBy(() -> MonitorConfig.custom().interval(Duration.ofMillis(20)).build())
                .hasMessage("probeInterval : PT0.05S (expected: <= interval PT0.02S)");
        assertThatThrownBy(() -> MonitorConfig.custom().pauseGrace(Duration.ofMinutes(2)))
                .hasMessage("pauseGrace : PT2M (expected: PT0S..PT1M)");
        MonitorConfig c = MonitorConfig.custom().interval(Duration.ofSeconds(1)).build();
        assertThat(MonitorConfig.from(c).build().interval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(MonitorConfig.ofDefaults().toString()).contains("interval=PT0.2S");
    }

    @Test
    void aThrowingListenerIsLoggedAndNeverBreaksDeliveryOrDetection() {
        PeerRegistry reg = PeerRegistry.create(Runnable::run);
        List<PeerEvent> got = new ArrayList<>();
        reg.addListener(e -> {
            throw new IllegalStateException("boom");
        });
        reg.addListener(got::add);
        PeerEvent e = new PeerEvent(PeerEvent.Kind.ADDED, "x", Liveness.UNKNOWN, Liveness.UNKNOWN, Usability.UNKNOWN,
                Usability.UNKNOWN, "added", Instant.EPOCH, null);
        reg.publish(e);
        reg.publish(e);
        assertThat(got).hasSize(2);
    }

    @Test
    void illegalLivenessTransitionsThrow() {
        assertThatThrownBy(() -> Liveness.DEAD.checkMoveTo(Liveness.SUSPECT))
                .hasMessage("liveness transition DEAD -> SUSPECT is not legal");
        assertThat(Liveness.UNKNOWN.canMoveTo(Liveness.SUSPECT)).isFalse();
        assertThat(Liveness.ALIVE.canMoveTo(Liveness.DEAD)).isTrue();
    }
}
