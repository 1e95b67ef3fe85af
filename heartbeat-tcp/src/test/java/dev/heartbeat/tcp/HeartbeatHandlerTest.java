package dev.heartbeat.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.heartbeat.engine.HeartbeatResponder;
import dev.heartbeat.peer.Liveness;
import dev.heartbeat.protocol.Frame;
import dev.heartbeat.protocol.FrameCodec;
import dev.heartbeat.protocol.FrameType;
import dev.heartbeat.protocol.LoadReport;
import dev.heartbeat.protocol.ServingStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The pipeline handler on virtual time, through EmbeddedChannel. */
class HeartbeatHandlerTest {

    /** Collects the handler's events, as a user's handler would see them. */
    static final class Events extends ChannelInboundHandlerAdapter {
        final List<HeartbeatEvent> seen = new ArrayList<>();

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof HeartbeatEvent) {
                seen.add((HeartbeatEvent) evt);
            }
        }
    }

    private final EmbeddedChannel ch = new EmbeddedChannel();
    private final Events events = new Events();
    private HeartbeatHandler handler;

    private void install(HeartbeatHandler h) {
        ch.freezeTime();
        handler = h;
        ch.pipeline().addLast(h, events);
    }

    @AfterEach
    void tearDown() {
        ch.finishAndReleaseAll();
    }

    private void advance(long ms) {
        ch.advanceTimeBy(ms, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
    }

    /** Reads the next outbound frame, decodes it and releases the buffer. */
    private Frame nextOutbound() throws Exception {
        ByteBuf b = ch.readOutbound();
        assertThat(b).as("an outbound frame").isNotNull();
        try {
            Frame f = new Frame();
            FrameCodec.decode(b.nioBuffer(), f);
            return f;
        } finally {
            b.release();
        }
    }

    private static ByteBuf encode(Frame f) {
        ByteBuffer b = ByteBuffer.allocate(FrameCodec.MAX_FRAME_LENGTH);
        FrameCodec.encode(f, b);
        b.flip();
        return Unpooled.wrappedBuffer(b);
    }

    private static ByteBuf pongTo(Frame ping) {
        return encode(new Frame().pong(77, 1, 0, "peer", ping.sequence(), ping.sendTimeNanos(), ServingStatus.SERVING,
                0, LoadReport.UNKNOWN));
    }

    @Test
    void pingsWhenReadIdleAndAPongMakesThePeerAlive() throws Exception {
        install(HeartbeatHandler.builder().interval(Duration.ofMillis(100)).build());
        assertThat(ch.<Object>readOutbound()).as("nothing before a whole idle interval").isNull();
        advance(100);
        Frame ping = nextOutbound();
        assertThat(ping.type()).isEqualTo(FrameType.PING);
        assertThat(ping.intervalMillis()).isEqualTo(100);
        advance(3);
        assertThat(ch.writeInbound(pongTo(ping))).as("PONG consumed, not passed on").isFalse();
        assertThat(events.seen).singleElement().satisfies(e -> {
            assertThat(e.kind()).isEqualTo(HeartbeatEvent.Kind.LIVENESS);
            assertThat(e.from()).isEqualTo(Liveness.UNKNOWN);
            assertThat(e.to()).isEqualTo(Liveness.ALIVE);
            assertThat(e.reason()).contains("first heartbeat, rtt 3.0 ms");
        });
        assertThat(handler.liveness()).isEqualTo(Liveness.ALIVE);
        assertThat(handler.rttNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(3));
    }

    @Test
    void silenceMakesThePeerSuspectThenDeadAndAnAnswerBringsItBack() throws Exception {
        install(HeartbeatHandler.builder().interval(Duration.ofMillis(100)).build());
        // A steady rhythm first, so the detector learns it.
        for (int i = 0; i < 20; i++) {
            advance(100);
            Frame ping = nextOutbound();
            advance(1);
            ch.writeInbound(pongTo(ping));
        }
        events.seen.clear();
        Frame last = null;
        for (int i = 0; i < 100 && handler.liveness() != Liveness.DEAD; i++) {
            advance(10);
            ByteBuf b;
            while ((b = ch.readOutbound()) != null) {
                Frame f = new Frame();
                FrameCodec.decode(b.nioBuffer(), f);
                b.release();
                last = f;
            }
        }
        assertThat(events.seen).extracting(HeartbeatEvent::to).containsExactly(Liveness.SUSPECT, Liveness.DEAD);
        assertThat(events.seen.get(1).reason()).contains("φ");
        ch.writeInbound(pongTo(last));
        assertThat(handler.liveness()).isEqualTo(Liveness.ALIVE);
        assertThat(events.seen.get(2).reason()).startsWith("heartbeat again");
    }

    private int drainOutbound() {
        int n = 0;
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            b.release();
            n++;
        }
        return n;
    }

    /** One PING per interval of quiet, however often the handler wakes (1 ms steps here). */
    @Test
    void aSilentPeerGetsOnePingPerIntervalNotAFlood() {
        install(HeartbeatHandler.builder().interval(Duration.ofMillis(100)).build());
        int pings = 0;
        for (int i = 0; i < 1000; i++) {
            advance(1);
            pings += drainOutbound();
        }
        assertThat(pings).isBetween(9, 11);
    }

    @Test
    void aHealthyPeerWithSomeRttGetsOnePingPerInterval() throws Exception {
        install(HeartbeatHandler.builder().interval(Duration.ofMillis(100)).build());
        int pings = 0;
        Frame pending = null;
        long pendingAt = 0;
        for (int t = 1; t <= 2000; t++) {
            advance(1);
            ByteBuf b;
            while ((b = ch.readOutbound()) != null) {
                pending = new Frame();
                FrameCodec.decode(b.nioBuffer(), pending);
                b.release();
                pendingAt = t;
                pings++;
            }
            if (pending != null && t - pendingAt == 5) { // 5 ms RTT
                ch.writeInbound(pongTo(pending));
                pending = null;
            }
        }
        assertThat(pings).isBetween(18, 21);
        assertThat(handler.liveness()).isEqualTo(Liveness.ALIVE);
    }

    @Test
    void aNewEpochIsARestartAndResetsTheDetector() throws Exception {
        install(HeartbeatHandler.builder().interval(Duration.ofMillis(100)).build());
        advance(100);
        Frame ping = nextOutbound();
        ch.writeInbound(pongTo(ping));
        advance(100);
        ping = nextOutbound();
        ch.writeInbound(encode(new Frame().pong(78, 2, 0, "peer", ping.sequence(), ping.sendTimeNanos(),
                ServingStatus.SERVING, 0, LoadReport.UNKNOWN)));
        assertThat(events.seen).extracting(HeartbeatEvent::kind)
                .containsExactly(HeartbeatEvent.Kind.LIVENESS, HeartbeatEvent.Kind.RESTARTED);
        assertThat(events.seen.get(1).reason()).endsWith("restart");
        assertThat(handler.liveness()).isEqualTo(Liveness.ALIVE);
    }

    @Test
    void otherMessagesPassThroughAndCountAsLife() {
        install(HeartbeatHandler.builder().interval(Duration.ofMillis(100)).build());
        ByteBuf app = Unpooled.copiedBuffer("HB but not a frame", StandardCharsets.US_ASCII);
        assertThat(ch.writeInbound(app)).isTrue();
        ByteBuf got = ch.readInbound();
        assertThat(got.toString(StandardCharsets.US_ASCII)).isEqualTo("HB but not a frame");
        got.release();
        assertThat(ch.writeInbound("a decoded message")).isTrue();
        assertThat(ch.<Object>readInbound()).isEqualTo("a decoded message");
        // once the peer is ALIVE, reads keep the connection from being idle: no PING while traffic flows
        advance(100);
        try {
            ch.writeInbound(pongTo(nextOutbound()));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        assertThat(handler.liveness()).isEqualTo(Liveness.ALIVE);
        for (int i = 0; i < 5; i++) {
            advance(60);
            ch.writeInbound("traffic");
            ch.readInbound();
        }
        assertThat(ch.<Object>readOutbound()).isNull();
        assertThat(handler.liveness()).isEqualTo(Liveness.ALIVE);
    }

    @Test
    void answersPingsWhenGivenAResponder() throws Exception {
        HeartbeatResponder r = HeartbeatResponder.builder().nodeId("me").build();
        install(HeartbeatHandler.builder().interval(Duration.ofMillis(100)).responder(r).build());
        Frame ping = new Frame().ping(5, 42, 123, "them", 100);
        ch.writeInbound(encode(ping));
        Frame pong = nextOutbound();
        assertThat(pong.type()).isEqualTo(FrameType.PONG);
        assertThat(pong.echoSequence()).isEqualTo(42);
        assertThat(pong.nodeId()).isEqualTo("me");
    }

    @Test
    void goodbyeIsAnEventAndAPeerThatNeverAnswersIsDead() throws Exception {
        install(HeartbeatHandler.builder().interval(Duration.ofMillis(100)).initialTimeout(Duration.ofMillis(500)).build());
        ch.writeInbound(encode(new Frame().goodbye(9, 1, 0, "peer", 1000)));
        assertThat(events.seen).singleElement().satisfies(e -> {
            assertThat(e.kind()).isEqualTo(HeartbeatEvent.Kind.GOODBYE);
            assertThat(e.reason()).contains("back in about 1000 ms");
        });
        for (int i = 0; i < 10; i++) {
            advance(100);
            ByteBuf b;
            while ((b = ch.readOutbound()) != null) {
                b.release();
            }
        }
        assertThat(handler.liveness()).isEqualTo(Liveness.DEAD);
        assertThat(events.seen.get(1).reason()).isEqualTo("no answer within 500 ms");
    }

    @Test
    void builderRejectsBadValues() {
        assertThatThrownBy(() -> HeartbeatHandler.builder().interval(Duration.ofMillis(1)))
                .hasMessage("interval : PT0.001S (expected: PT0.01S..PT1H)");
    }
}
