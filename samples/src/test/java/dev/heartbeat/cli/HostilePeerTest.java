package dev.heartbeat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.heartbeat.engine.HeartbeatResponder;
import dev.heartbeat.engine.LoadProvider;
import dev.heartbeat.protocol.Frame;
import dev.heartbeat.tcp.TcpResponderServer;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Peers that lie or attack, on loopback: what they send must be shown escaped, and what was wrong
 * must be named in the reason — not "no answer".
 */
@Timeout(120)
class HostilePeerTest {

    /** Clears the screen, sets the window title, forges an "ALIVE USABLE" line, a NUL, a right-to-left override. */
    static final String HOSTILE_ID = "\u001b[2J\u001b]0;pwned\u0007\r\n10.0.0.9:7070: USABLE (status SERVING)\u0000\u202e";

    @Test
    void aHostileNodeIdIsEscapedInProbeTextAndInJson() throws Exception {
        HeartbeatResponder r = HeartbeatResponder.builder().nodeId(HOSTILE_ID).loadProvider(LoadProvider.none()).build();
        try (TcpResponderServer s = TcpResponderServer.builder(r).host("127.0.0.1").port(0).bind()) {
            String addr = "127.0.0.1:" + s.port();
            Cli.Run text = Cli.run("probe", addr, "--timeout", "5s");
            assertThat(text.exit()).as(text.out() + text.err()).isEqualTo(ExitCodes.OK);
            assertThat(text.out().lines()).hasSize(1);
            assertThat(text.out().strip()).doesNotContainPattern(TextTest.ACTIVE)
                    .contains(", node \\e[2J\\e]0;pwned\\x07\\r\\n10.0.0.9:7070: USABLE (status SERVING)\\x00\\u202e)");

            Cli.Run json = Cli.run("probe", addr, "--timeout", "5s", "--json");
            assertThat(json.out().strip()).doesNotContainPattern(TextTest.ACTIVE)
                    .contains("\"node_id\":\"\\u001b[2J\\u001b]0;pwned\\u0007\\r\\n10.0.0.9:7070: USABLE (status SERVING)\\u0000\\u202e\"");
        }
    }

    @Test
    void aHostileNodeIdNeverReachesTheTerminalThroughTheMonitor() throws Exception {
        HeartbeatResponder r = HeartbeatResponder.builder().nodeId(HOSTILE_ID).loadProvider(LoadProvider.none()).build();
        try (TcpResponderServer s = TcpResponderServer.builder(r).host("127.0.0.1").port(0).bind()) {
            Cli.Run run = Cli.run("monitor", "--peers", "evil\u001b[31m=127.0.0.1:" + s.port(), "--duration", "1s",
                    "--refresh", "200ms", "--plain");
            assertThat(run.exit()).isEqualTo(ExitCodes.OK);
            assertThat(run.out().lines()).isNotEmpty().allSatisfy(l -> assertThat(l).doesNotContainPattern(TextTest.ACTIVE))
                    .anySatisfy(l -> assertThat(l).startsWith("evil\\e[31m ").contains("ALIVE"));
        }
    }

    /** Probes a fake peer that answers each PING with {@code reply}; returns the probe's one line. */
    private static Cli.Run probe(Function<Frame, byte[]> reply) throws Exception {
        try (FakePeer p = FakePeer.answering(reply)) {
            return Cli.run("probe", p.address(), "--timeout", "1s");
        }
    }

    /** A valid PONG to {@code ping}, with {@code patch} applied to its bytes. */
    private static Function<Frame, byte[]> patched(UnaryOperator<byte[]> patch) {
        return ping -> patch.apply(FakePeer.pong(ping, "liar"));
    }

    /** Offset of the PONG body in a frame from node "liar" (4 bytes). */
    private static final int BODY = 29 + 4;

    @Test
    void invalidPongsAreNamedNotCalledSilence() throws Exception {
        Cli.Run wrongEcho = probe(ping -> FakePeer.encode(new Frame().pong(7L, 1, 0, "liar", ping.sequence() + 1000,
                ping.sendTimeNanos(), dev.heartbeat.protocol.ServingStatus.SERVING, 0, dev.heartbeat.protocol.LoadReport.UNKNOWN)));
        assertThat(wrongEcho.exit()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(wrongEcho.out()).contains("answered only with frames it could not use (", "the last answers no PING we have outstanding");

        Cli.Run futureEcho = probe(ping -> FakePeer.encode(new Frame().pong(7L, 1, 0, "liar", ping.sequence(),
                ping.sendTimeNanos() + 10_000_000_000L, dev.heartbeat.protocol.ServingStatus.SERVING, 0,
                dev.heartbeat.protocol.LoadReport.UNKNOWN)));
        assertThat(futureEcho.out()).contains("the last echoes a send time we never sent");

        Cli.Run status7 = probe(patched(b -> {
            b[BODY + 12] = 7;
            return b;
        }));
        assertThat(status7.out()).containsPattern("the last is not a valid frame \\(BAD_ENUM: .*7");

        Cli.Run cpu = probe(patched(b -> {
            b[BODY + 17] = (byte) (20_000 >>> 8);
            b[BODY + 18] = (byte) 20_000;
            return b;
        }));
        assertThat(cpu.out()).containsPattern("the last is not a valid frame \\(FIELD_OUT_OF_RANGE: .*20000");

        Cli.Run epoch0 = probe(patched(b -> {
            java.util.Arrays.fill(b, 8, 16, (byte) 0);
            return b;
        }));
        assertThat(epoch0.out()).containsPattern("the last is not a valid frame \\(\\w+: .*epoch");
        for (Cli.Run r : new Cli.Run[] {wrongEcho, futureEcho, status7, cpu, epoch0}) {
            assertThat(r.exit()).as(r.out()).isEqualTo(ExitCodes.UNREACHABLE);
            assertThat(r.out()).as(r.out()).doesNotContainPattern(TextTest.ACTIVE + "(?!$)");
        }
    }

    @Test
    void anSshPortIsNamedAsAnotherProtocol() throws Exception {
        try (FakePeer ssh = FakePeer.greeting("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n".getBytes(StandardCharsets.US_ASCII))) {
            Cli.Run r = Cli.run("probe", ssh.address(), "--timeout", "2s");
            assertThat(r.exit()).as(r.out()).isEqualTo(ExitCodes.UNREACHABLE);
            assertThat(r.out()).contains(ssh.address() + ": UNREACHABLE: this port speaks another protocol (SSH?): "
                    + "it sent \"SSH-2.0-OpenSSH_9.2p1 Debian-2+d\"... (expected: a heartbeat frame, magic 0x4842 \"HB\")");
        }
    }

    @Test
    void aPeerThatNeverAnsweredIsNotAnsweringAgainAfter0Ms() throws Exception {
        int port = Cli.closedPort();
        java.io.StringWriter out = new java.io.StringWriter();
        picocli.CommandLine cl = HeartbeatCli.commandLine(new java.io.PrintWriter(out, true),
                new java.io.PrintWriter(new java.io.StringWriter(), true));
        java.util.concurrent.CompletableFuture<Integer> exit = java.util.concurrent.CompletableFuture.supplyAsync(() ->
                cl.execute("monitor", "--peers", "late=127.0.0.1:" + port, "--interval", "50ms", "--events", "jsonl",
                        "--duration", "60s"));
        try (Cli cli = new Cli()) {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                    .until(() -> out.toString().contains("\"to\":{\"liveness\":\"DEAD\""));
            ChildResponder c = ChildResponder.start("late", port, null, "--load", "none");
            c.awaitPort(java.time.Duration.ofSeconds(30));
            try {
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                        .until(() -> out.toString().contains("\"from\":{\"liveness\":\"DEAD\",\"usability\":\"UNKNOWN\"},\"to\":{\"liveness\":\"ALIVE\""));
                assertThat(out.toString()).doesNotContain("answering again after 0 ms")
                        .contains("\"reason\":\"answering (first heartbeat); ");
            } finally {
                c.close();
            }
        } finally {
            Cli.<MonitorCommand>command(cl, "monitor").stop.countDown();
            assertThat(exit.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(ExitCodes.OK);
        }
    }
}
