package dev.heartbeat.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.heartbeat.engine.HeartbeatMonitor;
import dev.heartbeat.engine.HeartbeatResponder;
import dev.heartbeat.engine.MonitorConfig;
import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.PeerEvent;
import dev.heartbeat.peer.PeerRegistry;
import dev.heartbeat.peer.Usability;
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

/**
 * The pipeline handler on virtual time, through EmbeddedChannel. Its peer is one of a monitor's:
 * the same detection code, and its events reach both the pipeline and the registry's listeners.
 */
class HeartbeatHandlerTest {

    /** Collects the handler's events, as a user's handler would see them. */
    static final class Events extends ChannelInboundHandlerAdapter {
        final List<PeerEvent> seen = new ArrayList<>();

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof PeerEvent) {
                seen.add((PeerEvent) evt);
            }
        }
    }

    private static final MonitorConfig CFG = MonitorConfig.custom().interval(Duration.ofMillis(100))
            .probeInterval(Duration.ofMillis(50)).initialTimeout(Duration.ofMillis(500)).jitter(0).build();

    private final EmbeddedChannel ch = new EmbeddedChannel();
    private final Events events = new Events();
    private final List<PeerEvent> registryEvents = new ArrayList<>();
    private final HeartbeatMonitor monitor;
    private HeartbeatHandler handler;

    HeartbeatHandlerTest() {
        ch.freezeTime();
        monitor = HeartbeatMonitor.builder().config(CFG).ticker(() -> ch.eventLoop().ticker().nanoTime())
                .registry(PeerRegistry.create(Runnable::run)).watchGarbageCollector(false).build();
        monitor.addListener(registryEvents::add);
    }

    private void install(HeartbeatHandler h) {
        handler = h;
        ch.pipeline().addLast(h, events);
    }

    @AfterEach
    void tearDown() {
        ch.finishAndReleaseAll();
        monitor.close();
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

    private Frame lastOutbound() throws Exception {
        Frame last = null;
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            Frame f = new Frame();
            FrameCodec.decode(b.nioBuffer(), f);
            b.release();
            last = f;
        }
        return last;
    }

    private static ByteBuf encode(Frame f) {
        ByteBuffer b = ByteBuffer.allocate(FrameCodec.MAX_FRAME_LENGTH);
        FrameCodec.encode(f, b);
        b.flip();
        return Unpooled.wrappedBuffer(b);
    }

    private static ByteBuf pongTo(Frame ping, long epoch) {
        return encode(new Frame().pong(epoch, 1, 0, "peer", ping.sequence(), ping.sendTimeNanos(), ServingStatus.SERVING,
                0, LoadReport.UNKNOWN));
    }

    @Test
    void pingsAndAPongMakesThePeerAliveInThePipelineAndInTheRegistry() throws Exception {
        install(HeartbeatHandler.builder(monitor).name("conn-1").build());
        Frame ping = nextOutbound(); // the first PING goes out as the channel is active
        assertThat(ping.type()).isEqualTo(FrameType.PING);
        assertThat(ping.intervalMillis()).isEqualTo(100);
        assertThat(ping.nodeId()).isEqualTo(monitor.nodeId());
        advance(3);
        assertThat(ch.writeInbound(pongTo(ping, 77))).as("PONG consumed, not passed on").isFalse();
        assertThat(events.seen).singleElement().satisfies(e -> {
            assertThat(e.kind()).isEqualTo(PeerEvent.Kind.TRANSITION);
            assertThat(e.fromLiveness()).isEqualTo(Liveness.UNKNOWN);
            assertThat(e.toLiveness()).isEqualTo(Liveness.ALIVE);
            assertThat(e.reason()).isEqualTo("first heartbeat; status SERVING"); // the RTT is the state's own field
            assertThat(e.state().rttNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(3));
        });
        assertThat(registryEvents).extracting(PeerEvent::kind).containsExactly(PeerEvent.Kind.ADDED, PeerEvent.Kind.TRANSITION);
        assertThat(registryEvents.get(1)).isEqualTo(events.seen.get(0)); // the same stamped event
        assertThat(events.seen.get(0).sequence()).isEqualTo(registryEvents.get(0).sequence() + 1);
        assertThat(handler.liveness()).isEqualTo(Liveness.ALIVE);
        assertThat(handler.usability()).isEqualTo(Usability.USABLE);
        assertThat(handler.rttNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(3));
        assertThat(monitor.peer("conn-1")).containsSame(handler.peer());
    }

    @Test
    void silenceMakesThePeerSuspectThenDeadAndAnAnswerBringsItBack() throws Exception {
        install(HeartbeatHandler.builder(monitor).build());
        for (int i = 0; i < 20; i++) { // a steady rhythm first, so the detector learns it
            Frame ping = lastOutbound();
            advance(1);
            ch.writeInbound(pongTo(ping, 77));
            advance(99);
        }
        events.seen.clear();
        Frame last = null;
        for (int i = 0; i < 500 && handler.liveness() != Liveness.DEAD; i++) {
            advance(10);
            Frame f = lastOutbound();
            last = f != null ? f : last;
        }
        assertThat(events.seen).extracting(PeerEvent::toLiveness).containsExactly(Liveness.SUSPECT, Liveness.DEAD);
        assertThat(events.seen.get(1).reason()).contains("φ");
        ch.writeInbound(pongTo(last, 77));
        assertThat(handler.liveness()).isEqualTo(Liveness.ALIVE);
        assertThat(events.seen.get(2).reason()).startsWith("answering again after");
    }

    /** One PING per interval, however often time moves (1 ms steps here). */
    @Test
    void aSilentPeerGetsAPingPerIntervalAndProbesNotAFlood() {
        install(HeartbeatHandler.builder(monitor).build());
        int pings = 0;
        for (int i = 0; i < 400; i++) { // 400 ms: UNKNOWN, one PING per 100 ms
            advance(1);
            ByteBuf b;
            while ((b = ch.readOutbound()) != null) {
                b.release();
                pings++;
            }
        }
        assertThat(pings).isBetween(4, 6);
    }

    @Test
    void aNewEpochIsARestart() throws Exception {
        install(HeartbeatHandler.builder(monitor).build());
        ch.writeInbound(pongTo(nextOutbound(), 77));
        advance(100);
        ch.writeInbound(pongTo(lastOutbound(), 78));
        assertThat(events.seen).extracting(PeerEvent::kind)
                .containsExactly(PeerEvent.Kind.TRANSITION, PeerEvent.Kind.RESTARTED);
        assertThat(events.seen.get(1).reason()).endsWith("restart");
        assertThat(handler.liveness()).isEqualTo(Liveness.ALIVE);
    }

    @Test
    void otherMessagesPassThroughUntouched() {
        install(HeartbeatHandler.builder(monitor).build());
        ByteBuf app = Unpooled.copiedBuffer("HB but not a frame", StandardCharsets.US_ASCII);
        assertThat(ch.writeInbound(app)).isTrue();
        ByteBuf got = ch.readInbound();
        assertThat(got.toString(StandardCharsets.US_ASCII)).isEqualTo("HB but not a frame");
        got.release();
        assertThat(ch.writeInbound("a decoded message")).isTrue();
        assertThat(ch.<Object>readInbound()).isEqualTo("a decoded message");
    }

    @Test
    void answersPingsWhenGivenAResponder() throws Exception {
        HeartbeatResponder r = HeartbeatResponder.builder().nodeId("me").loadProvider(() -> LoadReport.UNKNOWN).build();
        install(HeartbeatHandler.builder(monitor).responder(r).build());
        lastOutbound(); // our own first PING
        ch.writeInbound(encode(new Frame().ping(5, 42, 123, "them", 100)));
        Frame pong = nextOutbound();
        assertThat(pong.type()).isEqualTo(FrameType.PONG);
        assertThat(pong.echoSequence()).isEqualTo(42);
        assertThat(pong.nodeId()).isEqualTo("me");
    }

    @Test
    void goodbyeMakesItUnusableAndAPeerThatNeverAnswersIsDead() throws Exception {
        install(HeartbeatHandler.builder(monitor).build());
        ch.writeInbound(encode(new Frame().goodbye(9, 1, 0, "peer", 1000)));
        assertThat(events.seen).singleElement().satisfies(e -> {
            assertThat(e.toUsability()).isEqualTo(Usability.UNUSABLE);
            assertThat(e.reason()).contains("back in about 1000 ms");
        });
        for (int i = 0; i < 10; i++) {
            advance(100);
            lastOutbound();
        }
        assertThat(handler.liveness()).isEqualTo(Liveness.DEAD);
        assertThat(events.seen.get(1).reason()).isEqualTo("no answer within 500 ms");
    }

    @Test
    void theChannelClosingRemovesThePeerAndRemovingThePeerLeavesTheChannelOpen() throws Exception {
        install(HeartbeatHandler.builder(monitor).name("a").build());
        EmbeddedChannel other = new EmbeddedChannel();
        other.freezeTime();
        // (another channel on another embedded loop: it just must not collide on the default name)
        assertThat(monitor.removePeer("a")).isTrue();
        assertThat(ch.isActive()).isTrue(); // the channel is the user's
        assertThat(registryEvents.get(registryEvents.size() - 1).kind()).isEqualTo(PeerEvent.Kind.REMOVED);
        lastOutbound();
        advance(500);
        assertThat(ch.<Object>readOutbound()).as("no PING after removal").isNull();
        other.finishAndReleaseAll();

        EmbeddedChannel ch2 = new EmbeddedChannel();
        ch2.freezeTime();
        HeartbeatMonitor m2 = HeartbeatMonitor.builder().ticker(() -> ch2.eventLoop().ticker().nanoTime())
                .registry(PeerRegistry.create(Runnable::run)).watchGarbageCollector(false).build();
        List<PeerEvent> ev2 = new ArrayList<>();
        m2.addListener(ev2::add);
        ch2.pipeline().addLast(HeartbeatHandler.builder(m2).build());
        assertThat(m2.peers()).singleElement().satisfies(p -> assertThat(p.name()).startsWith("netty-"));
        ch2.close();
        assertThat(m2.peers()).isEmpty();
        assertThat(ev2).extracting(PeerEvent::kind)
                .containsExactly(PeerEvent.Kind.ADDED, PeerEvent.Kind.TRANSITION, PeerEvent.Kind.REMOVED);
        assertThat(ev2.get(1).toLiveness()).isEqualTo(Liveness.DEAD);
        assertThat(ev2.get(1).reason()).isEqualTo("channel closed");
        ch2.finishAndReleaseAll();
        m2.close();
    }

    @Test
    void builderRejectsBadValuesAndTheNodeIdIsTheMonitorsValidatedOne() {
        assertThatThrownBy(() -> HeartbeatHandler.builder(monitor).name(" ")).hasMessage("name : ' ' (expected: not blank)");
        // A node id with an unpaired surrogate once passed the handler's own check and broke its first tick.
        assertThatThrownBy(() -> HeartbeatMonitor.builder().nodeId("a\uD800b"))
                .hasMessageContaining("nodeId");
    }
}
