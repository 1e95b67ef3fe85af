package dev.heartbeat.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * {@code --key-file} for {@code serve}, {@code probe} and {@code monitor}: keyed {@code serve}
 * child JVMs over UDP and TCP answer only the probes and monitors that hold their key, count what
 * they refused, and a key file that cannot be used is bad usage (exit 3) without a secret in the
 * message.
 */
@Timeout(180)
class KeyFileCliTest {

    private static final Cli cli = new Cli();
    @TempDir
    static Path dir;
    private static String secret;
    private static Path keys;
    private static Path otherSecret;
    private static Path otherKeyId;
    private static ChildResponder udp;
    private static ChildResponder tcp;
    private static ChildResponder open;

    @BeforeAll
    static void start() throws Exception {
        secret = randomHex();
        keys = keyFile("keys", "# the deployment's key\nkey 7 hex:" + secret + "\n");
        otherSecret = keyFile("other-secret", "key 7 hex:" + randomHex() + "\n");   // same id, another secret: BAD_TAG
        otherKeyId = keyFile("other-key-id", "key 9 hex:" + randomHex() + "\n");   // an id it does not hold: UNKNOWN_KEY
        udp = cli.serve("keyed-udp", "--load", "none", "--transport", "udp", "--key-file", keys.toString());
        tcp = cli.serve("keyed-tcp", "--load", "none", "--key-file", keys.toString());
        open = cli.serve("open-tcp", "--load", "none");
    }

    @AfterAll
    static void stop() {
        cli.close();
    }

    private static String randomHex() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static Path keyFile(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        if (p.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------")); // no "readable by others" warning
        }
        return p;
    }

    private static String udpAddr() throws Exception {
        return "udp://127.0.0.1:" + Cli.port(udp);
    }

    private static String tcpAddr(ChildResponder c) throws Exception {
        return "127.0.0.1:" + Cli.port(c);
    }

    /** Asks {@code c} for its stats line until one passes {@code check}. */
    private static void awaitStats(ChildResponder c, String... expected) {
        String prefix = c.name() + ": stats: ";
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            c.command("stats");
            assertThat(List.copyOf(cli.childOutput)).anySatisfy(l -> assertThat(l).startsWith(prefix).contains(expected));
        });
    }

    @Test
    void aProbeWithTheKeyIsAnsweredOverUdp() throws Exception {
        Cli.Run r = Cli.run("probe", udpAddr(), "--key-file", keys.toString(), "--timeout", "5s");
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(ExitCodes.OK);
        assertThat(r.out()).startsWith(udpAddr() + ": USABLE (status SERVING").contains("node keyed-udp");
    }

    @Test
    void aProbeWithTheKeyIsAnsweredOverTcp() throws Exception {
        Cli.Run r = Cli.run("probe", tcpAddr(tcp), "--key-file", keys.toString(), "--timeout", "5s");
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(ExitCodes.OK);
        assertThat(r.out()).contains("USABLE (status SERVING", "node keyed-tcp");
    }

    @Test
    void aProbeWithoutAKeyGetsSilenceThatItExplainsAndTheServerCountsIt() throws Exception {
        Cli.Run r = Cli.run("probe", udpAddr(), "--timeout", "1s");
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(r.out()).contains("UNREACHABLE: no answer within 1000 ms; if the peer requires authentication, "
                + "it drops unsigned PINGs without a word: pass its keys with --key-file PATH");
        awaitStats(udp, "datagrams dropped (UNAUTHENTICATED) ");
    }

    @Test
    void aProbeWithAnotherSecretIsRefusedAsABadTag() throws Exception {
        Cli.Run r = Cli.run("probe", udpAddr(), "--key-file", otherSecret.toString(), "--timeout", "1s");
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(r.out()).contains("no answer within 1000 ms; if the peer requires authentication, it drops PINGs "
                + "signed with keys it does not hold without a word: check that --key-file " + otherSecret);
        awaitStats(udp, "datagrams dropped (BAD_TAG) ");
    }

    @Test
    void aProbeWithAKeyIdTheServerDoesNotHoldIsRefusedAsAnUnknownKey() throws Exception {
        Cli.Run r = Cli.run("probe", udpAddr(), "--key-file", otherKeyId.toString(), "--timeout", "1s");
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(r.out()).contains("if the peer requires authentication");
        awaitStats(udp, "datagrams dropped (UNKNOWN_KEY) ");
    }

    @Test
    void aKeyedTcpServerRefusesAndCountsUnsignedPings() throws Exception {
        Cli.Run r = Cli.run("probe", tcpAddr(tcp), "--timeout", "1s");
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(r.out()).contains("if the peer requires authentication, it drops unsigned PINGs");
        awaitStats(tcp, "PINGs refused by the verifier ");
    }

    @Test
    void aKeyedProbeRefusesAnUnsignedAnswerAndSaysSo() throws Exception {
        Cli.Run r = Cli.run("probe", tcpAddr(open), "--key-file", keys.toString(), "--timeout", "1s");
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(r.out()).contains("answered only with frames it could not use (", "the last carries no authentication trailer")
                .doesNotContain("if the peer requires authentication");
    }

    @Test
    void aKeyedMonitorWatchesKeyedPeersOverBothTransports() throws Exception {
        StringWriter out = new StringWriter();
        CommandLine cl = HeartbeatCli.commandLine(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true));
        String peers = "t=" + tcpAddr(tcp) + ",u=" + udpAddr();
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cl.execute("monitor", "--peers", peers,
                "--key-file", keys.toString(), "--interval", "100ms", "--events", "jsonl"));
        try {
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(out.toString())
                    .containsPattern("\"peer\":\"t\",[^\n]*\"to\":\\{\"liveness\":\"ALIVE\",\"usability\":\"USABLE\"}")
                    .containsPattern("\"peer\":\"u\",[^\n]*\"to\":\\{\"liveness\":\"ALIVE\",\"usability\":\"USABLE\"}"));
        } finally {
            Cli.<MonitorCommand>command(cl, "monitor").stop.countDown();
            assertThat(exit.get(10, TimeUnit.SECONDS)).isEqualTo(ExitCodes.OK);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"serve --port 0", "probe 127.0.0.1:1", "monitor --peers 127.0.0.1:1 --duration 1s"})
    void aMalformedKeyFileIsBadUsageAndNoSecretIsShown(String command) throws Exception {
        String shortSecret = "00112233445566aa"; // 8 bytes: too short
        Path bad = keyFile("short", "# fine so far\nkey 3 hex:" + shortSecret + "\n");
        Cli.Run r = Cli.run(Stream.concat(Stream.of(command.split(" ")), Stream.of("--key-file", bad.toString()))
                .toArray(String[]::new));
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("Invalid value for option '--key-file': " + bad + ":2: ", "(expected: ")
                .doesNotContain(shortSecret);
        assertThat(r.out()).doesNotContain("listening on");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"serve --port 0", "probe 127.0.0.1:1", "monitor --peers 127.0.0.1:1 --duration 1s"})
    void aMissingKeyFileIsBadUsage(String command) {
        Path missing = dir.resolve("no-such-file");
        Cli.Run r = Cli.run(Stream.concat(Stream.of(command.split(" ")), Stream.of("--key-file", missing.toString()))
                .toArray(String[]::new));
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("Invalid value for option '--key-file': key file " + missing + " cannot be read");
    }

    @Test
    void serveSaysWhichKeysItUsesAndNeverASecret() throws Exception {
        String hex = randomHex();
        Path two = keyFile("two", "key 7 hex:" + hex + "\nkey 8 base64:"
                + java.util.Base64.getEncoder().encodeToString(HexFormat.of().parseHex(randomHex())) + "\nsign 8\n");
        StringWriter out = new StringWriter();
        CommandLine cl = HeartbeatCli.commandLine(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true));
        ServeCommand serve = Cli.command(cl, "serve");
        java.io.PipedOutputStream stdin = new java.io.PipedOutputStream();
        serve.in = new java.io.PipedInputStream(stdin);
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cl.execute("serve", "--port", "0",
                "--node-id", "two-keys", "--key-file", two.toString()));
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> out.toString().contains("listening on"));
            assertThat(out.toString()).containsPattern("listening on \\d+ \\(tcp/\\w+ 127\\.0\\.0\\.1, node two-keys, "
                    + "epoch [0-9a-f]{16}, status SERVING, pid \\d+, authenticated: signs with key 8, accepts keys 7, 8\\)")
                    .doesNotContain(hex);
        } finally {
            stdin.write("quit\n".getBytes(StandardCharsets.UTF_8));
            stdin.flush();
            assertThat(exit.get(10, TimeUnit.SECONDS)).isEqualTo(ExitCodes.OK);
            stdin.close();
        }
    }
}
