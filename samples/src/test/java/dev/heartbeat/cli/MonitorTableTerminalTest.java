package dev.heartbeat.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The monitor table on a real terminal emulator: {@code monitor} runs in a tmux pane of 80 or 200
 * columns (a private tmux server, killed after the test) while a responder is frozen with SIGSTOP
 * and resumed; the test reads the screen with {@code capture-pane}. Every row must fit the
 * terminal (no wrapped line: the redraw would drift), φ must be a short cell, the two peers'
 * names must differ on screen, and the reason must be readable.
 */
@Timeout(180)
class MonitorTableTerminalTest {

    @TempDir
    Path dir;

    private final Cli cli = new Cli();
    private String socket;

    @AfterEach
    void stop() throws Exception {
        if (socket != null) {
            tmux("kill-server"); // our own tmux server (-L socket), and the monitor in its pane with it
        }
        cli.close();
    }

    private static boolean tmuxAvailable() {
        try {
            Process p = new ProcessBuilder("tmux", "-V").redirectErrorStream(true).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private String tmux(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-u", "-L", socket, "-f", "/dev/null"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("LANG", "C.UTF-8");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("tmux " + String.join(" ", args) + " did not finish");
        }
        return out;
    }

    /** The screen as the terminal shows it, wrapped lines joined back (so a too-long line shows as one). */
    private List<String> screen() throws IOException, InterruptedException {
        return tmux("capture-pane", "-p", "-J", "-t", "hb").lines().toList();
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    @ParameterizedTest(name = "{0} columns")
    @ValueSource(ints = {80, 200})
    void theTableFitsTheTerminalWhileAPeerFreezesAndResumes(int columns) throws Exception {
        Assumptions.assumeTrue(tmuxAvailable(), "tmux is not installed");
        Assumptions.assumeTrue(ChildResponder.signalsAvailable(), "kill -STOP/-CONT is not available here");
        ChildResponder frozen = cli.serve("frozen", "--load", "none");
        ChildResponder steady = cli.serve("steady", "--load", "none");
        String a = "127.0.0.1:" + Cli.port(frozen);
        String b = "127.0.0.1:" + Cli.port(steady);

        List<String> java = new ArrayList<>(ChildResponder.javaCommand());
        java.addAll(List.of(HeartbeatCli.class.getName(), "monitor", "--peers", a + "," + b, "--interval", "100ms",
                "--refresh", "100ms", "--duration", "150s"));
        StringBuilder script = new StringBuilder("unset COLUMNS LINES\nexec");
        for (String arg : java) {
            script.append(' ').append(quote(arg));
        }
        Path run = dir.resolve("monitor.sh");
        Files.writeString(run, script.append('\n').toString(), StandardCharsets.UTF_8);
        socket = "hb-test-" + ProcessHandle.current().pid() + "-" + columns;
        tmux("new-session", "-d", "-s", "hb", "-x", Integer.toString(columns), "-y", "40", "sh " + run);

        Pattern aliveA = row(a, "ALIVE");
        Pattern aliveB = row(b, "ALIVE");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            List<String> s = screen();
            assertThat(s).anyMatch(l -> aliveA.matcher(l).find()).anyMatch(l -> aliveB.matcher(l).find());
        });
        assertFits(screen(), columns);

        frozen.stop();
        Pattern deadA = row(a, "DEAD");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(screen()).anyMatch(l -> deadA.matcher(l).find()));
        List<String> dead = screen();
        assertFits(dead, columns);
        String deadReason = reasonOf(dead, deadA, columns);
        assertThat(deadReason).as("the reason of the frozen peer, readable at %d columns", columns)
                .matches("(φ \\d+\\.\\d\\d >= \\d+\\.\\d \\(silent \\d+ ms\\)|silent \\d+ ms >= maxSilence \\d+ ms).*");
        Matcher phi = deadA.matcher(dead.stream().filter(l -> deadA.matcher(l).find()).findFirst().orElseThrow());
        assertThat(phi.find()).isTrue();
        assertThat(phi.group(1)).as("PHI cell").matches("∞|>99|\\d{1,2}\\.\\d\\d");

        frozen.resume();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(screen()).anyMatch(l -> aliveA.matcher(l).find()));
        List<String> back = screen();
        assertFits(back, columns);
        assertThat(reasonOf(back, aliveA, columns)).startsWith("answering again after ");
        assertThat(back).anyMatch(l -> aliveB.matcher(l).find());
    }

    /** A peer's row: its full name, then the liveness; group 1 is the PHI cell. */
    private static Pattern row(String name, String liveness) {
        return Pattern.compile("^" + Pattern.quote(name) + " +" + liveness + " +\\w+ +(\\S+) ");
    }

    /** The reason of the peer whose row matches: inline at the end of the row, or on the indented line below it. */
    private static String reasonOf(List<String> screen, Pattern row, int columns) {
        for (int i = 0; i < screen.size(); i++) {
            if (row.matcher(screen.get(i)).find()) {
                String line = screen.get(i);
                if (columns >= 200) {
                    // PEER LIVENESS USABILITY PHI RTT CPU MEM INFLIGHT, then two spaces and the reason
                    return line.replaceFirst("^(\\S+ +){8}", "").strip();
                }
                assertThat(screen.get(i + 1)).startsWith("    ");
                return screen.get(i + 1).strip();
            }
        }
        throw new AssertionError("no row matching " + row + " in " + screen);
    }

    private static void assertFits(List<String> screen, int columns) {
        assertThat(screen).as("screen at %d columns:%n%s", columns, String.join("\n", screen))
                .allSatisfy(l -> assertThat(Text.width(l)).isLessThanOrEqualTo(columns))
                .anySatisfy(l -> assertThat(l).startsWith("PEER "));
    }
}
