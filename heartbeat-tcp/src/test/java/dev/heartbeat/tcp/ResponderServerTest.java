package dev.heartbeat.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.heartbeat.engine.HeartbeatResponder;
import dev.heartbeat.protocol.Frame;
import dev.heartbeat.protocol.FrameType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The responder server against plain blocking sockets: half-close, clean close, bad input, limits. */
class ResponderServerTest {

    private final HeartbeatResponder responder = Tcp.responder("srv");
    private TcpResponderServer server = Tcp.server(responder);

    @AfterEach
    void tearDown() {
        server.close();
    }

    private Socket connect() throws IOException {
        Socket s = new Socket("127.0.0.1", server.port());
        s.setSoTimeout(5_000);
        s.setTcpNoDelay(true);
        return s;
    }

    /** Reads until EOF; a reset counts as EOF here (the server may hard-close bad clients). */
    private static void readToEnd(InputStream in) throws IOException {
        try {
            Tcp.drain(in);
        } catch (SocketException e) {
            assertThat(e.getMessage()).containsIgnoringCase("reset");
        }
    }

    @Test
    void halfClosingClientGetsItsReplyThenACleanEof() throws Exception {
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            out.write(Tcp.ping(41));
            out.write(Tcp.ping(42));
            out.flush();
            s.shutdownOutput(); // "I have said everything"; now read the answers
            InputStream in = s.getInputStream();
            Frame a = Tcp.readFrame(in);
            Frame b = Tcp.readFrame(in);
            assertThat(a.type()).isEqualTo(FrameType.PONG);
            assertThat(a.echoSequence()).isEqualTo(41);
            assertThat(b.echoSequence()).isEqualTo(42);
            assertThat(Tcp.readFrame(in)).as("EOF after the replies").isNull();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> server.connectionCount() == 0);
        assertThat(server.stats().resets()).isZero();
    }

    @Test
    void clientThatClosesGetsACleanCloseWithoutResets() throws Exception {
        for (int i = 0; i < 20; i++) {
            try (Socket s = connect()) {
                s.getOutputStream().write(Tcp.ping(i));
                assertThat(Tcp.readFrame(s.getInputStream()).echoSequence()).isEqualTo(i);
            }
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> server.connectionCount() == 0);
        TcpResponderServer.Stats st = server.stats();
        assertThat(st.resets()).isZero();
        assertThat(st.protocolErrors()).isZero();
        assertThat(st.accepted()).isEqualTo(20);
    }

    @Test
    void garbageClosesTheConnectionAndTheServerStaysHealthy() throws Exception {
        try (Socket s = connect()) {
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            readToEnd(s.getInputStream());
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().protocolErrors() == 1);
        assertServerStillAnswers();
    }

    @Test
    void oversizedLengthClosesTheConnection() throws Exception {
        byte[] head = Tcp.ping(1);
        head[6] = (byte) 0xFF; // length 0xFFxx: far over 1024
        try (Socket s = connect()) {
            s.getOutputStream().write(head, 0, 8); // the header alone is enough to refuse it
            readToEnd(s.getInputStream());
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().protocolErrors() == 1);
        assertServerStillAnswers();
    }

    @Test
    void wellFramedButUndecodableFrameClosesTheConnection() throws Exception {
        byte[] bad = Tcp.ping(1);
        bad[28] = 0; // node id length 0: framed correctly, refused by the codec
        try (Socket s = connect()) {
            s.getOutputStream().write(bad);
            readToEnd(s.getInputStream());
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().protocolErrors() == 1);
        assertServerStillAnswers();
    }

    @Test
    void unknownVersionClosesTheConnectionAtTheHeader() throws Exception {
        byte[] bad = Tcp.ping(1);
        bad[2] = 9; // version 9
        try (Socket s = connect()) {
            s.getOutputStream().write(bad, 0, 8);
            readToEnd(s.getInputStream());
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().protocolErrors() == 1);
        assertServerStillAnswers();
    }

    @Test
    void connectionThatNeverSendsAWholePingIsClosedAfterTheIdleTimeout() throws Exception {
        server.close();
        server = TcpResponderServer.builder(responder).host("127.0.0.1").idleTimeout(Duration.ofMillis(200)).bind();
        try (Socket silent = connect(); Socket partial = connect()) {
            partial.getOutputStream().write(Tcp.ping(1), 0, 10); // a header, never the rest
            readToEnd(silent.getInputStream());
            readToEnd(partial.getInputStream());
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().idleTimeouts() == 2);
        assertServerStillAnswers();
    }

    @Test
    void clientThatStopsPingingIsEvicted() throws Exception {
        server.close();
        server = TcpResponderServer.builder(responder).host("127.0.0.1").evictAfterMissedPings(3).bind();
        try (Socket s = connect()) {
            s.getOutputStream().write(Tcp.ping(1)); // advertises 100 ms: evicted after ~300 ms of silence
            assertThat(Tcp.readFrame(s.getInputStream()).type()).isEqualTo(FrameType.PONG);
            assertThat(Tcp.readFrame(s.getInputStream())).as("EOF from eviction").isNull();
        }
        assertThat(server.stats().evicted()).isEqualTo(1);
    }

    /** No PING can exempt a client from eviction: "no interval" counts as the idle timeout, huge ones are capped. */
    @Test
    void aPingAdvertisingNoIntervalOrAHugeOneDoesNotExemptTheClient() throws Exception {
        server.close();
        server = TcpResponderServer.builder(responder).host("127.0.0.1").idleTimeout(Duration.ofMillis(100))
                .evictAfterMissedPings(2).maxEvictWindow(Duration.ofSeconds(1)).bind();
        try (Socket zero = connect(); Socket huge = connect()) {
            zero.getOutputStream().write(Tcp.ping(1, 0));
            huge.getOutputStream().write(Tcp.ping(1, Integer.MAX_VALUE));
            assertThat(Tcp.readFrame(zero.getInputStream()).type()).isEqualTo(FrameType.PONG);
            assertThat(Tcp.readFrame(huge.getInputStream()).type()).isEqualTo(FrameType.PONG);
            assertThat(Tcp.readFrame(zero.getInputStream())).as("EOF: evicted after 2 × the idle timeout").isNull();
            assertThat(Tcp.readFrame(huge.getInputStream())).as("EOF: evicted after the 1 s cap").isNull();
        }
        assertThat(server.stats().evicted()).isEqualTo(2);
        assertThatThrownBy(() -> TcpResponderServer.builder(responder).maxEvictWindow(Duration.ZERO))
                .hasMessage("maxEvictWindow : PT0S (expected: PT1S..PT24H)");
    }

    @Test
    void bindingATakenPortFailsWithTheAddressAndReason() {
        assertThatThrownBy(() -> TcpResponderServer.builder(responder).host("127.0.0.1").port(server.port()).bind())
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("127.0.0.1:" + server.port())
                .hasMessageContaining("in use");
    }

    @Test
    void builderRejectsBadValuesNamingThem() {
        TcpResponderServer.Builder b = TcpResponderServer.builder(responder);
        assertThatThrownBy(() -> b.port(70000)).hasMessage("port : 70000 (expected: 0..65535)");
        assertThatThrownBy(() -> b.maxConnections(0)).hasMessage("maxConnections : 0 (expected: 1..1000000)");
        assertThatThrownBy(() -> b.evictAfterMissedPings(1)).hasMessage("evictAfterMissedPings : 1 (expected: 0 or 2..1000)");
        assertThatThrownBy(() -> b.idleTimeout(Duration.ZERO)).hasMessageStartingWith("idleTimeout : PT0S");
    }

    private void assertServerStillAnswers() throws Exception {
        try (Socket s = connect()) {
            s.getOutputStream().write(Tcp.ping(7));
            assertThat(Tcp.readFrame(s.getInputStream()).echoSequence()).isEqualTo(7);
        }
    }

    @Test
    void refusedStreamsAreCountedByReason() throws Exception {
        try (Socket ssh = connect()) {
            ssh.getOutputStream().write("SSH-2.0-OpenSSH_9.2p1\r\n".getBytes(StandardCharsets.US_ASCII));
            readToEnd(ssh.getInputStream());
        }
        try (Socket v2 = connect()) {
            byte[] ping = Tcp.ping(1);
            ping[2] = 2; // version 2
            v2.getOutputStream().write(ping);
            readToEnd(v2.getInputStream());
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(server.rejectedFrames()).containsOnly(
                    java.util.Map.entry(dev.heartbeat.protocol.FrameDecodeException.Reason.BAD_MAGIC, 1L),
                    java.util.Map.entry(dev.heartbeat.protocol.FrameDecodeException.Reason.UNSUPPORTED_VERSION, 1L));
            assertThat(server.stats().protocolErrors()).isEqualTo(2);
        });
    }
}
