package dev.heartbeat.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.heartbeat.engine.HeartbeatMonitor;
import dev.heartbeat.engine.MonitorConfig;
import dev.heartbeat.peer.FrameRejection;
import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.Peer;
import dev.heartbeat.peer.PeerEvent;
import dev.heartbeat.peer.Usability;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
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
 * Faults of the path and of the peer, through {@link UdpFaultProxy} over real loopback sockets:
 * loss, duplicates, reordering, delay, a blackhole, and a frozen (SIGSTOP) responder process.
 */
class FaultsTest {

    private final List<PeerEvent> events = Udp.events();
    private final UdpClientTransport transport = UdpClientTransport.builder().eventLoopThreads(1).build();
    private HeartbeatMonitor monitor;

    @AfterEach
    void tearDown() {
        if (monitor != null) {
            monitor.close();
        }
        transport.close();
    }

    @Test
    void tenPercentLossEachWayAtDefaultSettingsIsNeverDeadAndShowsTheLossRate() throws Exception {
        monitor = Udp.monitor(transport, events, MonitorConfig.ofDefaults()); // 200 ms interval
        try (UdpResponderServer server = Udp.server(Udp.responder("lossy"));
             UdpFaultProxy proxy = new UdpFaultProxy(server.port())) {
            Peer p = monitor.addPeer("p", "127.0.0.1:" + proxy.port());
            await().atMost(Duration.ofSeconds(5)).until(() -> p.liveness() == Liveness.ALIVE);
            proxy.up.drop = 0.10;
            proxy.down.drop = 0.10;
            double[] maxLoss = {0};
            await().during(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(9)).pollInterval(Duration.ofMillis(20))
                    .until(() -> {
                        maxLoss[0] = Math.max(maxLoss[0], p.lossRate());
                        return p.liveness() != Liveness.DEAD;
                    });
            long lost = proxy.up.dropped.get() + proxy.down.dropped.get();
            System.out.printf(Locale.ROOT, "UDP 10%% loss each way: %d of %d PINGs or PONGs dropped, peer %s/%s, "
                    + "loss rate now %.2f (max %.2f)%n", lost, proxy.up.datagrams.get(), p.liveness(), p.usability(),
                    p.lossRate(), maxLoss[0]);
            assertThat(lost).isPositive();
            assertThat(maxLoss[0]).isPositive();
            assertThat(Udp.everWas(events, Liveness.DEAD)).isFalse();
        }
    }

    @Test
    void blackholeIsDetectedAndTheEndOfItToo() throws Exception {
        monitor = Udp.monitor(transport, events);
        try (UdpResponderServer server = Udp.server(Udp.responder("behind-proxy"));
             UdpFaultProxy proxy = new UdpFaultProxy(server.port())) {
            Peer p = monitor.addPeer("p", "127.0.0.1:" + proxy.port());
            await().atMost(Duration.ofSeconds(5)).until(() -> p.liveness() == Liveness.ALIVE);
            long t0 = System.nanoTime();
            proxy.blackhole(true);
            await().pollInterval(Duration.ofMillis(2)).atMost(Duration.ofSeconds(5)).until(() -> p.liveness() == Liveness.DEAD);
            System.out.printf(Locale.ROOT, "UDP blackhole detected DEAD after %d ms (100 ms interval)%n",
                    (System.nanoTime() - t0) / 1_000_000);
            proxy.blackhole(false);
            await().atMost(Duration.ofSeconds(5)).until(() -> p.liveness() == Liveness.ALIVE);
        }
    }

    @Test
    void duplicatesAndReordersAreCountedAndHarmless() throws Exception {
        monitor = Udp.monitor(transport, events);
        try (UdpResponderServer server = Udp.server(Udp.responder("chaotic"));
             UdpFaultProxy proxy = new UdpFaultProxy(server.port())) {
            Peer p = monitor.addPeer("p", "127.0.0.1:" + proxy.port());
            await().atMost(Duration.ofSeconds(5)).until(() -> p.liveness() == Liveness.ALIVE && p.usability() == Usability.USABLE);
            int before = events.size();
            proxy.up.duplicate = 0.3;   // duplicated PINGs: the responder's replay window drops the copies
            proxy.down.duplicate = 0.3; // duplicated PONGs: the monitor counts them
            proxy.down.reorder = 0.3;   // swapped PONGs: the monitor counts the late one
            // Harmless: the peer stays available and USABLE throughout. A reordered PONG is an answer
            // held back until the next one, i.e. a silence of about two intervals: a brief SUSPECT
            // (extra probes) is a fair reading of that, a DEAD or a usability change is not.
            await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                    .until(() -> p.available() && p.usability() == Usability.USABLE);
            assertThat(events.subList(before, events.size()))
                    .noneMatch(e -> e.toLiveness() == Liveness.DEAD || e.usabilityChanged());
            assertThat(p.rejectedFrames(FrameRejection.DUPLICATE)).isPositive();
            assertThat(p.rejectedFrames(FrameRejection.REORDERED)).isPositive();
            assertThat(server.stats().dropped(UdpDrop.REPLAYED)).isPositive();
            System.out.printf(Locale.ROOT, "UDP dups/reorders: monitor counted %d duplicate and %d reordered PONGs, "
                    + "responder dropped %d duplicate PINGs; peer %s/%s throughout%n",
                    p.rejectedFrames(FrameRejection.DUPLICATE), p.rejectedFrames(FrameRejection.REORDERED),
                    server.stats().dropped(UdpDrop.REPLAYED), p.liveness(), p.usability());
        }
    }

    @Test
    void delayShowsInTheRtt() throws Exception {
        monitor = Udp.monitor(transport, events);
        try (UdpResponderServer server = Udp.server(Udp.responder("far"));
             UdpFaultProxy proxy = new UdpFaultProxy(server.port())) {
            proxy.up.delayMillis = 20;
            proxy.down.delayMillis = 20;
            Peer p = monitor.addPeer("p", "127.0.0.1:" + proxy.port());
            await().atMost(Duration.ofSeconds(5)).until(() -> p.liveness() == Liveness.ALIVE);
            await().atMost(Duration.ofSeconds(3)).until(() -> p.rttNanos() >= TimeUnit.MILLISECONDS.toNanos(40));
        }
    }

    @Test
    void frozenResponderProcessIsDeadThenAliveAgain() throws Exception {
        assumeTrue(new File("/bin/kill").canExecute() || new File("/usr/bin/kill").canExecute(),
                "no kill(1) to send SIGSTOP/SIGCONT with");
        assumeTrue(!System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("win"), "no POSIX signals on Windows");
        monitor = Udp.monitor(transport, events);
        Process child = startChild();
        try {
            int port = readPort(child);
            Peer p = monitor.addPeer("child", "127.0.0.1:" + port);
            await().atMost(Duration.ofSeconds(10)).until(() -> p.liveness() == Liveness.ALIVE);
            long t0 = System.nanoTime();
            signal(child, "STOP");
            await().pollInterval(Duration.ofMillis(2)).atMost(Duration.ofSeconds(5)).until(() -> p.liveness() == Liveness.DEAD);
            System.out.printf(Locale.ROOT, "UDP SIGSTOP detected DEAD after %d ms (100 ms interval)%n",
                    (System.nanoTime() - t0) / 1_000_000);
            signal(child, "CONT");
            await().atMost(Duration.ofSeconds(10)).until(() -> p.liveness() == Liveness.ALIVE);
        } finally {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static Process startChild() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path");
        if (cp == null || cp.isBlank()) {
            cp = System.getProperty("java.class.path");
        }
        Path cpFile = Files.createTempFile("heartbeat-udp-child", ".args");
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
