package dev.heartbeat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve --host NAME} in a child JVM whose name service is a hosts file
 * ({@code -Djdk.net.hosts.file}): the JDK then answers every lookup from that file and never asks a
 * DNS server, so the unknown name fails without a packet leaving this machine.
 */
@Timeout(60)
class ServeHostTest {

    @TempDir
    Path dir;

    private Process serve(String host) throws IOException {
        Path hosts = dir.resolve("hosts");
        Files.writeString(hosts, "127.0.0.1 heartbeat-test.invalid\n", StandardCharsets.US_ASCII);
        List<String> cmd = new ArrayList<>(ChildResponder.javaCommand());
        cmd.add(1, "-Djdk.net.hosts.file=" + hosts);
        cmd.addAll(List.of(HeartbeatCli.class.getName(), "serve", "--port", "0", "--host", host, "--exit-with-parent"));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    @Test
    void anUnknownHostNameIsASentenceAndExit2() throws Exception {
        Process p = serve("no.such.host.invalid");
        try {
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as(out).isEqualTo(ExitCodes.UNREACHABLE);
            assertThat(out.strip()).isEqualTo("heartbeat serve: cannot listen on no.such.host.invalid:0: unknown host "
                    + "'no.such.host.invalid' (expected: an address or a name of this machine, e.g. 127.0.0.1, 0.0.0.0 or ::1)");
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void aNameThatResolvesIsListenedOn() throws Exception {
        Process p = serve("heartbeat-test.invalid");
        try (var r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String first = r.readLine();
            assertThat(first).startsWith("listening on ").contains(" heartbeat-test.invalid,");
            p.getOutputStream().write("quit\n".getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().flush();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
        } finally {
            p.destroyForcibly();
        }
    }
}
