package dev.heartbeat.engine;

import dev.heartbeat.engine.spi.ClientTransport;
import dev.heartbeat.engine.spi.Link;
import dev.heartbeat.engine.spi.LinkHandler;
import dev.heartbeat.engine.spi.SerialScheduler;
import dev.heartbeat.testing.VirtualScheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.Peer;
import dev.heartbeat.peer.PeerEvent;
import dev.heartbeat.peer.PeerRegistry;
import dev.heartbeat.peer.Usability;
import dev.heartbeat.protocol.Frame;
import dev.heartbeat.protocol.FrameCodec;
import dev.heartbeat.protocol.LoadReport;
import dev.heartbeat.protocol.ServingStatus;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Feeds hand-made frames to one monitored peer through a scripted link. */
class PeerMonitorFramesTest {

    private final VirtualScheduler scheduler = new VirtualScheduler();
    private final List<ByteBuffer> sent = new ArrayList<>();
    private final List<PeerEvent> events = new ArrayList<>();
    private LinkHandler handler;
    private Link link;
    private Peer peer;

    @BeforeEach
    void setUp() {
        ClientTransport transport = new ClientTransport() {
            @Override
            public Link open(String address, LinkHandler h) {
                handler = h;
                link = new Link() {
                    @Override
                    public SerialScheduler scheduler() {
                        return scheduler;
                    }

                    @Override
                    public boolean send(ByteBuffer frame) {
                        ByteBuffer copy = ByteBuffer.allocate(frame.remaining());
                        copy.put(frame).flip();
                        sent.add(copy);
                        return true;
                    }

                    @Override
                    public boolean isConnected() {
                        return true;
                    }

                    @Override
                    public boolean isWritable() {
                        return true;
                    }

                    @Override
                    public String describe() {
                        return "scripted";
                    }

                    @Override
                    public void close() {
                    }
                };
                return link;
            }

            @Override
            public String name() {
                return "scripted";
            }

            @Override
            public void close() {
            }
        };
        HeartbeatMonitor monitor = HeartbeatMonitor.builder(transport).ticker(scheduler.ticker())
                .registry(PeerRegistry.create(Runnable::run)).watchGarbageCollector(false)
                .random(new java.util.Random(3)).build();
        monitor.addListener(events::add);
        peer = monitor.addPeer("b", "b:1");
        scheduler.runPending();
    }

    private Frame lastPing() throws Exception {
        Frame f = new Frame();
        FrameCodec.decode(sent.get(sent.size() - 1).duplicate(), f);
        return f;
    }

    private void answer(Frame ping, long epoch, ServingStatus status) {
        deliver(new Frame().pong(epoch, 1, 0, "b", ping.sequence(), ping.sendTimeNanos(), status, 0,
                LoadReport.UNKNOWN));
    }

    private void deliver(Frame f) {
        ByteBuffer b = ByteBuffer.allocate(FrameCodec.MAX_FRAME_LENGTH);
        FrameCodec.encode(f, b);
        b.flip();
        handler.onFrame(link, b);
    }

    @Test
    void stalePongsFromAReplacedEpochAndDuplicatesAreIgnored() throws Exception {
        Frame p1 = lastPing();
        answer(p1, 11, ServingStatus.SERVING);
        assertThat(peer.liveness()).isEqualTo(Liveness.ALIVE);
        scheduler.advance(Duration.ofMillis(250));
        Frame p2 = lastPing();
        answer(p2, 22, ServingStatus.SERVING); // restarted
        assertThat(events).extracting(PeerEvent::kind).contains(PeerEvent.Kind.RESTARTED);
        int n = events.size();
        answer(p2, 11, ServingStatus.DRAINING); // a late answer from the old process
        answer(p2, 22, ServingStatus.DRAINING); // a duplicate answer to the same PING
        assertThat(events).hasSize(n);
        assertThat(peer.usability()).isEqualTo(Usability.USABLE);
        assertThat(peer.state().epoch()).isEqualTo(22);
    }

    @Test
    void pongsForPingsNeverSentAreIgnored() throws Exception {
        Frame p1 = lastPing();
        deliver(new Frame().pong(5, 1, 0, "b", p1.sequence() + 100, p1.sendTimeNanos(), ServingStatus.SERVING, 0,
                LoadReport.UNKNOWN));
        assertThat(peer.liveness()).isEqualTo(Liveness.UNKNOWN);
    }

    @Test
    void garbageIsIgnoredAndTheLinkKeepsWorking() throws Exception {
        handler.onFrame(link, ByteBuffer.wrap(new byte[] {0x48, 0x42, 9, 9}));
        handler.onFrame(link, ByteBuffer.wrap(new byte[2000]));
        answer(lastPing(), 7, ServingStatus.SERVING);
        assertThat(peer.liveness()).isEqualTo(Liveness.ALIVE);
    }

    @Test
    void pingsCarryTheIntervalAndIncreasingSequences() throws Exception {
        scheduler.advance(Duration.ofSeconds(1));
        Frame a = new Frame();
        Frame b = new Frame();
        FrameCodec.decode(sent.get(0).duplicate(), a);
        FrameCodec.decode(sent.get(1).duplicate(), b);
        assertThat(a.intervalMillis()).isEqualTo(200);
        assertThat(b.sequence() - a.sequence()).isEqualTo(1);
        assertThat(a.epoch()).isEqualTo(b.epoch()).isNotZero();
    }
}
