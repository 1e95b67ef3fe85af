package dev.heartbeat.tcp;

import dev.heartbeat.engine.HeartbeatMonitor;
import dev.heartbeat.engine.HeartbeatResponder;
import dev.heartbeat.engine.MonitorConfig;
import dev.heartbeat.peer.PeerEvent;
import dev.heartbeat.peer.PeerRegistry;
import dev.heartbeat.protocol.Frame;
import dev.heartbeat.protocol.FrameCodec;
import dev.heartbeat.protocol.LoadReport;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Test helpers: responders, monitors, raw frames. */
final class Tcp {

    /** 100 ms pings, quick initial timeout. */
    static final MonitorConfig FAST = MonitorConfig.custom()
            .interval(Duration.ofMillis(100))
            .probeInterval(Duration.ofMillis(50))
            .initialTimeout(Duration.ofSeconds(5))
            .build();

    private Tcp() {
    }

    static HeartbeatResponder responder(String nodeId) {
        return HeartbeatResponder.builder().nodeId(nodeId)
                .loadProvider(() -> LoadReport.builder().cpu(0.1).memory(0.2).build()).build();
    }

    static TcpResponderServer server(HeartbeatResponder r) {
        return TcpResponderServer.builder(r).host("127.0.0.1").port(0).closeGrace(Duration.ofSeconds(1)).bind();
    }

    /** A monitor whose events land in {@code events}, dispatched on the publishing thread. */
    static HeartbeatMonitor monitor(TcpClientTransport t, List<PeerEvent> events) {
        HeartbeatMonitor m = HeartbeatMonitor.builder(t).config(FAST).nodeId("test-monitor")
                .registry(PeerRegistry.create(Runnable::run)).watchGarbageCollector(false).build();
        m.addListener(events::add);
        return m;
    }

    static List<PeerEvent> events() {
        return new CopyOnWriteArrayList<>();
    }

    /** An encoded PING. */
    static byte[] ping(int seq) {
        return ping(seq, 100);
    }

    /** A PING advertising {@code intervalMillis}. */
    static byte[] ping(int seq, int intervalMillis) {
        Frame f = new Frame().ping(0x1234_5678_9abcL, seq, System.nanoTime(), "raw-client", intervalMillis);
        ByteBuffer b = ByteBuffer.allocate(FrameCodec.MAX_FRAME_LENGTH);
        FrameCodec.encode(f, b);
        b.flip();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    /** Reads one frame from a blocking stream (header, then the rest), or null at EOF. */
    static Frame readFrame(InputStream in) throws Exception {
        DataInputStream d = new DataInputStream(in);
        byte[] head = new byte[8];
        int n = d.read(head, 0, 1);
        if (n < 0) {
            return null;
        }
        d.readFully(head, 1, 7);
        int len = ((head[6] & 0xFF) << 8) | (head[7] & 0xFF);
        byte[] all = new byte[len];
        System.arraycopy(head, 0, all, 0, 8);
        d.readFully(all, 8, len - 8);
        Frame f = new Frame();
        FrameCodec.decode(ByteBuffer.wrap(all), f);
        return f;
    }

    /** Reads until EOF; returns how many bytes came. */
    static int drain(InputStream in) throws IOException {
        int total = 0;
        byte[] buf = new byte[4096];
        int n;
        while ((n = in.read(buf)) >= 0) {
            total += n;
        }
        return total;
    }
}
