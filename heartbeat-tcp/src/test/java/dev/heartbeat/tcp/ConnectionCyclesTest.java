package dev.heartbeat.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.heartbeat.engine.spi.DisconnectCause;
import dev.heartbeat.engine.spi.Link;
import dev.heartbeat.engine.spi.LinkHandler;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Many connect/disconnect cycles leave nothing behind: no channel on the server, and no socket of
 * the test's port in CLOSE_WAIT (the state of a passive side that never closed).
 */
class ConnectionCyclesTest {

    @Test
    void thousandCyclesLeakNothing() throws Exception {
        try (TcpResponderServer server = Tcp.server(Tcp.responder("cycles"))) {
            int port = server.port();
            for (int i = 0; i < 1000; i++) {
                try (Socket s = new Socket("127.0.0.1", port)) {
                    s.setSoTimeout(5_000);
                    switch (i % 4) {
                        case 0: // ask, read, close
                            s.getOutputStream().write(Tcp.ping(i));
                            assertThat(Tcp.readFrame(s.getInputStream()).echoSequence()).isEqualTo(i);
                            break;
                        case 1: // ask, half-close, read to the server's FIN
                            s.getOutputStream().write(Tcp.ping(i));
                            s.shutdownOutput();
                            assertThat(Tcp.readFrame(s.getInputStream()).echoSequence()).isEqualTo(i);
                            assertThat(Tcp.readFrame(s.getInputStream())).isNull();
                            break;
                        case 2: // connect and leave at once
                            break;
                        default: // half a frame, then close
                            s.getOutputStream().write(Tcp.ping(i), 0, 5);
                            break;
                    }
                }
            }
            // And links of the real client transport, opened and closed.
            try (TcpClientTransport t = TcpClientTransport.create()) {
                for (int i = 0; i < 100; i++) {
                    CountDownLatch up = new CountDownLatch(1);
                    Link l = t.open("127.0.0.1:" + port, new LinkHandler() {
                        @Override
                        public void onConnected(Link link) {
                            up.countDown();
                        }

                        @Override
                        public void onFrame(Link link, ByteBuffer frame) {
                        }

                        @Override
                        public void onDisconnected(Link link, DisconnectCause cause, String detail) {
                        }
                    });
                    assertThat(up.await(5, TimeUnit.SECONDS)).isTrue();
                    l.close();
                }
                await().atMost(Duration.ofSeconds(5)).until(() -> t.linkCount() == 0);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> server.connectionCount() == 0);
            assertThat(server.stats().accepted()).isEqualTo(1100);
            if (Files.isReadable(Path.of("/proc/net/tcp"))) {
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(closeWait(port)).isEmpty());
            }
        }
    }

    /** Lines of /proc/net/tcp{,6} in state 08 (CLOSE_WAIT) with {@code port} at either end. */
    static List<String> closeWait(int port) throws IOException {
        List<String> found = new ArrayList<>();
        String hexPort = String.format(":%04X", port);
        for (String f : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            Path p = Path.of(f);
            if (!Files.isReadable(p)) {
                continue;
            }
            for (String line : Files.readAllLines(p)) {
                String[] c = line.trim().split("\\s+");
                if (c.length < 4 || !c[3].equals("08")) {
                    continue;
                }
                if (c[1].endsWith(hexPort) || c[2].endsWith(hexPort)) {
                    found.add(f + ": " + line.trim());
                }
            }
        }
        return found;
    }
}
