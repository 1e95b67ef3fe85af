package dev.heartbeat.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code serve} shows what it refused: a browser's request, a frame of another version and a
 * client that never sends a PING (slowloris) against a real child JVM, seen through the
 * {@code stats} command, the periodic summary and the rate-limited warnings.
 */
@Timeout(120)
class ServeStatsTest {

    private final Cli cli = new Cli();

    @AfterEach
    void stop() {
        cli.close();
    }

    private static void send(int port, byte[] bytes) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(bytes);
            out.flush();
            try {
                while (s.getInputStream().read() >= 0) {
                    // until the server closes
                }
            } catch (java.net.SocketException reset) {
                // closed hard: fine
            }
        }
    }

    private List<String> output() {
        return List.copyOf(cli.childOutput);
    }

    @Test
    void refusalsAreCountedByReasonAndShown() throws Exception {
        ChildResponder c = cli.serve("counted", "--load", "none", "--stats-every", "1s");
        int port = Cli.port(c);
        c.command("stats");
        await().atMost(Duration.ofSeconds(10)).until(() -> output().contains("counted: stats: 0 open, 0 accepted, 0 resets; nothing refused"));

        try (Socket slowloris = new Socket(InetAddress.getLoopbackAddress(), port)) { // connects, never sends a PING
            send(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] v2 = {'H', 'B', 2, 1, 0, 0, 0, 36};
            send(port, v2);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                c.command("stats");
                assertThat(output()).anySatisfy(l -> assertThat(l).startsWith("counted: stats: ")
                        .contains("invalid frames (BAD_MAGIC) 1", "invalid frames (UNSUPPORTED_VERSION) 1",
                                "idle timeouts (no PING in time) 1"));
            });
        }
        List<String> out = output();
        // The periodic summary on stderr: only once something was refused, and again only when that changed.
        assertThat(out).anySatisfy(l -> assertThat(l).startsWith("counted: heartbeat serve: stats: ")
                .contains("invalid frames (BAD_MAGIC) 1"));
        // The warnings name the other protocol, escaped, once per reason.
        assertThat(out).anySatisfy(l -> assertThat(l).contains("closing connection: invalid stream: this port speaks "
                + "another protocol (HTTP?): it sent \"GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n\""));
        assertThat(out).anySatisfy(l -> assertThat(l).contains("closing connection: invalid stream: version 2 (expected: 1)"));
    }

    @Test
    void statsEveryHasARange() {
        Cli.Run r = Cli.run("serve", "--port", "0", "--stats-every", "10ms");
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("Invalid value for option '--stats-every': 10ms (expected: 1s..1h, or 0s for never)");
    }
}
