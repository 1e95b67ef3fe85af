package dev.heartbeat.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.heartbeat.engine.HeartbeatMonitor;
import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.Peer;
import dev.heartbeat.peer.PeerEvent;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The faults TCP itself cannot see: a frozen process (SIGSTOP: the kernel keeps ACKing) and a
 * blackholed path; and the one it sees at once: a killed process.
 */
class FaultsTest {

    private final List<PeerEvent> events = Tcp.events();
    private final TcpClientTransport transport = TcpClientTransport.create();
    private final HeartbeatMonitor monitor = Tcp.monitor(transport, events);

    @AfterEach
    void tearDown() {
        monitor.close();
        transport.close();
    }

    @Test
    void blackholedPathIsDeadWithinAFewIntervals() throws Exception {
        try (TcpResponderServer server = Tcp.server(Tcp.responder("behind-proxy"));
             BlackholeProxy proxy = new BlackholeProxy(server.port())) {
            Peer p = monitor.addPeer("p", "127.0.0.1:" + proxy.port());
            await().atMost(Duration.ofSeconds(5)).until(() -> p.liveness() == Liveness.ALIVE);
            long t0 = System.nanoTime();
            proxy.blackhole(true);
            await().pollInterval(Duration.ofMillis(2)).atMost(Duration.ofSeconds(5)).until(() -> p.liveness() == Liveness.DEAD);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            PeerEvent dead = transition(Liveness.DEAD, 1);
            assertThat(dead.reason()).doesNotContain("closed", "reset"); // the detector, not the socket
            assertThat(events).anyMatch(e -> e.toLiveness() == Liveness.SUSPECT);
            System.out.printf(Locale.ROOT, "blackhole detected DEAD after %d ms (100 ms interval): %s%n", ms, dead.reason());
        }
    }

    @Test
    void frozenResponderIsDeadWhileTunedKeepaliveSeesNothingThenAliveAgainThenKilledIsDeadAtOnce()
            throws Exception {
        assumeTrue(new File("/bin/kill").canExecute() || new File("/usr/bin/kill").canExecute(),
                "no kill(1) to send SIGSTOP/SIGCONT/SIGKILL with");
        assumeTrue(!System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("win"), "no POSIX signals on Windows");
        Process child = startChild();
        try {
            int port = readPort(child);
            Peer p = monitor.addPeer("child", "127.0.0.1:" + port);
            await().atMost(Duration.ofSeconds(10)).until(() -> p.liveness() == Liveness.ALIVE);

            try (Socket plain = new Socket("127.0.0.1", port)) {
                KeepaliveReport k = KeepaliveTuner.forDetectionWithin(Duration.ofSeconds(2)).apply(plain);
                assertThat(k.applied()).containsEntry(KeepaliveTuner.SO_KEEPALIVE, true);

                long stoppedAt = System.nanoTime();
                signal(child, "STOP");
                await().pollInterval(Duration.ofMillis(2)).atMost(Duration.ofSeconds(5)).until(() -> p.liveness() == Liveness.DEAD);
                long ms = (System.nanoTime() - stoppedAt) / 1_000_000;
                System.out.printf(Locale.ROOT, "SIGSTOP detected DEAD after %d ms (100 ms interval): %s%n", ms,
                        transition(Liveness.DEAD, 1).reason());

                // The kernel keeps ACKing the frozen process's socket: keepalive tuned to 2 s
                // (idle 1 s, 1 probe after 1 s) sees nothing, however long we look.
                plain.setSoTimeout(250);
                InputStream in = plain.getInputStream();
                while (System.nanoTime() - stoppedAt < TimeUnit.SECONDS.toNanos(4)) {
                    try {
                        int b = in.read();
                        throw new AssertionError("plain socket saw " + (b < 0 ? "EOF" : "data") + " from a frozen peer");
                    } catch (SocketTimeoutException expected) {
                        // nothing: the connection looks perfectly healthy
                    }
                }
                assertThat(plain.isClosed()).isFalse();

                signal(child, "CONT");
                await().atMost(Duration.ofSeconds(10)).until(() -> p.liveness() == Liveness.ALIVE);
            }

            long killedAt = System.nanoTime();
            signal(child, "KILL");
            await().pollInterval(Duration.ofMillis(2)).atMost(Duration.ofSeconds(3)).until(() -> p.liveness() == Liveness.DEAD);
            long ms = (System.nanoTime() - killedAt) / 1_000_000;
            PeerEvent dead = transition(Liveness.DEAD, 2); // the first was the freeze's
            assertThat(dead.reason()).containsAnyOf("reset", "closed by peer"); // the connection said it
            System.out.printf(Locale.ROOT, "SIGKILL detected DEAD after %d ms: %s%n", ms, dead.reason());
        } finally {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * The {@code n}-th transition to {@code l} (from 1), once the listener has it: listeners are
     * called on the registry's dispatcher, so a state read from the peer can be ahead of the event.
     */
    private PeerEvent transition(Liveness l, int n) {
        return await().atMost(Duration.ofSeconds(5)).until(() -> {
            int seen = 0;
            for (PeerEvent e : events) {
                if (e.kind() == PeerEvent.Kind.TRANSITION && e.toLiveness() == l && ++seen == n) {
                    return e;
                }
            }
            return null;
        }, e -> e != null);
    }

    private static Process startChild() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path");
        if (cp == null || cp.isBlank()) {
            cp = System.getProperty("java.class.path");
        }
        Path cpFile = Files.createTempFile("heartbeat-child", ".args");
        cpFile.toFile().deleteOnExit();
        Files.writeString(cpFile, "-cp \"" + cp.replace("\\", "\\\\") + "\"");
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx64m", "-XX:TieredStopAtLevel=1",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "@" + cpFile, ResponderMain.class.getName());
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        return pb.start();
    }

    private static int readPort(Process child) throws Exception {
        BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        String line = CompletableFuture.supplyAsync(() -> {
            try {
                return r.readLine();
            } catch (java.io.IOException e) {
                return null;
            }
        }).get(30, TimeUnit.SECONDS);
        assertThat(line).as("child's first line").isNotNull().startsWith("PORT ");
        return Integer.parseInt(line.substring(5).trim());
    }

    private static void signal(Process child, String sig) throws Exception {
        Process k = new ProcessBuilder("kill", "-" + sig, Long.toString(child.pid())).redirectErrorStream(true).start();
        assertThat(k.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(k.exitValue()).as("kill -%s %d", sig, child.pid()).isZero();
    }
}
