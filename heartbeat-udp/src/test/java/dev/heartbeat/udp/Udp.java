package dev.heartbeat.udp;

import dev.heartbeat.engine.HeartbeatMonitor;
import dev.heartbeat.engine.HeartbeatResponder;
import dev.heartbeat.engine.MonitorConfig;
import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.PeerEvent;
import dev.heartbeat.peer.PeerRegistry;
import dev.heartbeat.protocol.Frame;
import dev.heartbeat.protocol.FrameCodec;
import dev.heartbeat.protocol.FrameSealer;
import dev.heartbeat.protocol.LoadReport;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Test helpers: responders, servers, monitors, raw frames. */
final class Udp {

    /** 100 ms pings. */
    static final MonitorConfig FAST = MonitorConfig.custom()
            .interval(Duration.ofMillis(100))
            .probeInterval(Duration.ofMillis(50))
            .initialTimeout(Duration.ofSeconds(5))
            .build();

    private Udp() {
    }

    static HeartbeatResponder responder(String nodeId) {
        return HeartbeatResponder.builder().nodeId(nodeId)
                .loadProvider(() -> LoadReport.builder().cpu(0.1).memory(0.2).build()).build();
    }

    static UdpResponderServer server(HeartbeatResponder r) {
        return UdpResponderServer.builder(r).host("127.0.0.1").port(0).bind();
    }

    /** A monitor whose events land in {@code events}, dispatched on the publishing thread. */
    static HeartbeatMonitor monitor(UdpClientTransport t, List<PeerEvent> events) {
        return monitor(t, events, FAST);
    }

    static HeartbeatMonitor monitor(UdpClientTransport t, List<PeerEvent> events, MonitorConfig config) {
        HeartbeatMonitor m = HeartbeatMonitor.builder(t).config(config).nodeId("test-monitor").closeTransports(false)
                .registry(PeerRegistry.create(Runnable::run)).watchGarbageCollector(false).build();
        m.addListener(events::add);
        return m;
    }

    static List<PeerEvent> events() {
        return new CopyOnWriteArrayList<>();
    }

    static boolean everWas(List<PeerEvent> events, Liveness l) {
        return events.stream().anyMatch(e -> e.kind() == PeerEvent.Kind.TRANSITION && e.toLiveness() == l);
    }

    /** An encoded PING: sealed when {@code sealer} is not null, padded to {@code padTo} when &gt; 0. */
    static byte[] ping(long epoch, int seq, String nodeId, FrameSealer sealer, int padTo) {
        Frame f = new Frame().ping(epoch, seq, System.nanoTime(), nodeId, 100);
        ByteBuffer b = ByteBuffer.allocate(FrameCodec.MAX_FRAME_LENGTH);
        if (padTo > 0) {
            FrameCodec.encodePadded(f, b, sealer, FrameCodec.padTarget(f, sealer, padTo));
        } else {
            FrameCodec.encode(f, b, sealer);
        }
        b.flip();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    /** Decodes a datagram (throws on bad bytes). */
    static Frame decode(byte[] datagram) throws Exception {
        Frame f = new Frame();
        FrameCodec.decode(ByteBuffer.wrap(datagram), f);
        return f;
    }
}
