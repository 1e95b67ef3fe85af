package dev.heartbeat.bench.scale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.heartbeat.engine.HeartbeatResponder;
import dev.heartbeat.protocol.Frame;
import dev.heartbeat.protocol.FrameCodec;
import dev.heartbeat.protocol.FrameType;
import java.io.DataInputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The scale harness's answerers give each peer (UDP socket, TCP connection) its own node id, or
 * all of them one, over loopback sockets: a PING in, the PONG's node id checked.
 */
class ResponderProcessNodeIdsTest {

    private static final String HOST = "127.0.0.1";
    private static final int TIMEOUT_MS = 5_000;

    private final HeartbeatResponder shared = HeartbeatResponder.builder().nodeId("responder-test")
            .minInterval(Duration.ZERO).build();

    @AfterEach
    void close() throws Exception {
        ResponderProcess.closeAll();
    }

    @Test
    void tcpDistinctGivesEachConnectionItsOwnNodeIdAndEpoch() throws Exception {
        int port = ResponderProcess.tcpMany(ResponderProcess.NodeIds.of(shared, "distinct"), HOST, 1);
        List<Frame> pongs = tcpPongs(port, 3);
        assertThat(pongs).extracting(Frame::nodeId)
                .containsExactlyInAnyOrder("responder-test-0", "responder-test-1", "responder-test-2");
        assertThat(pongs).extracting(Frame::epoch).doesNotHaveDuplicates();
    }

    @Test
    void tcpSharedAnswersEveryConnectionWithTheOneResponder() throws Exception {
        int port = ResponderProcess.tcpMany(ResponderProcess.NodeIds.of(shared, "shared"), HOST, 1);
        List<Frame> pongs = tcpPongs(port, 3);
        assertThat(pongs).extracting(Frame::nodeId).containsOnly("responder-test");
        assertThat(pongs).extracting(Frame::epoch).containsOnly(shared.epoch());
    }

    @Test
    void udpDistinctGivesEachSocketItsOwnNodeId() throws Exception {
        List<String> addresses = ResponderProcess.udpMany(ResponderProcess.NodeIds.of(shared, "distinct"), HOST, 3, 1);
        assertThat(udpPongs(addresses)).extracting(Frame::nodeId)
                .containsExactly("responder-test-0", "responder-test-1", "responder-test-2");
    }

    @Test
    void udpSharedAnswersEverySocketWithTheOneResponder() throws Exception {
        List<String> addresses = ResponderProcess.udpMany(ResponderProcess.NodeIds.of(shared, "shared"), HOST, 3, 1);
        assertThat(udpPongs(addresses)).extracting(Frame::nodeId).containsOnly("responder-test");
    }

    @Test
    void distinctResponderSharesTheProcessLoadProvider() {
        HeartbeatResponder r = ResponderProcess.NodeIds.of(shared, "distinct").next();
        assertThat(r.loadProvider()).isSameAs(shared.loadProvider());
        assertThat(r.nodeId()).isEqualTo("responder-test-0");
    }

    @Test
    void unknownModeIsRefused() {
        assertThatThrownBy(() -> ResponderProcess.NodeIds.of(shared, "unique"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("node ids : unique (expected: distinct or shared)");
    }

    /** One PING on each of {@code n} connections (all open at once), the PONGs decoded. */
    private static List<Frame> tcpPongs(int port, int n) throws Exception {
        List<Socket> sockets = new ArrayList<>();
        try {
            List<Frame> pongs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Socket s = new Socket();
                sockets.add(s);
                s.connect(new InetSocketAddress(HOST, port), TIMEOUT_MS);
                s.setSoTimeout(TIMEOUT_MS);
                s.getOutputStream().write(ping(i));
                DataInputStream in = new DataInputStream(s.getInputStream());
                byte[] header = new byte[FrameCodec.LENGTH_FIELD_OFFSET + FrameCodec.LENGTH_FIELD_SIZE];
                in.readFully(header);
                int length = ((header[6] & 0xff) << 8) | (header[7] & 0xff);
                byte[] frame = new byte[length];
                System.arraycopy(header, 0, frame, 0, header.length);
                in.readFully(frame, header.length, length - header.length);
                pongs.add(pong(frame, length));
            }
            return pongs;
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    /** One PING to each address from one socket, the PONGs decoded in the addresses' order. */
    private static List<Frame> udpPongs(List<String> addresses) throws Exception {
        List<Frame> pongs = new ArrayList<>();
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(HOST, 0))) {
            socket.setSoTimeout(TIMEOUT_MS);
            for (int i = 0; i < addresses.size(); i++) {
                String a = addresses.get(i);
                int colon = a.lastIndexOf(':');
                byte[] ping = ping(i);
                socket.send(new DatagramPacket(ping, ping.length,
                        new InetSocketAddress(a.substring(0, colon), Integer.parseInt(a.substring(colon + 1)))));
                byte[] buf = new byte[FrameCodec.MAX_FRAME_LENGTH];
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                socket.receive(p);
                pongs.add(pong(buf, p.getLength()));
            }
        }
        return pongs;
    }

    private static byte[] ping(int sequence) {
        ByteBuffer b = ByteBuffer.allocate(FrameCodec.MAX_FRAME_LENGTH);
        FrameCodec.encode(new Frame().ping(42, sequence, 1_000, "monitor-test", 1000), b);
        b.flip();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return bytes;
    }

    private static Frame pong(byte[] bytes, int length) throws Exception {
        Frame f = new Frame();
        FrameCodec.decode(ByteBuffer.wrap(bytes, 0, length), f);
        assertThat(f.type()).isEqualTo(FrameType.PONG);
        return f;
    }
}
