package dev.heartbeat.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code monitor --events jsonl} against a real {@code serve} child JVM: freezing it (SIGSTOP, or
 * the in-process freeze) and resuming it produce the documented transitions, in order.
 */
class MonitorEventsTest {

    private final Cli cli = new Cli();
    private StringWriter out;
    private CommandLine cl;
    private CompletableFuture<Integer> exit;

    @AfterEach
    void stop() throws Exception {
        if (cl != null) {
            Cli.<MonitorCommand>command(cl, "monitor").stop.countDown();
            assertThat(exit.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(ExitCodes.OK);
        }
        cli.close();
    }

    private void monitor(String... args) {
        out = new StringWriter();
        cl = HeartbeatCli.commandLine(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true));
        exit = CompletableFuture.supplyAsync(() -> cl.execute(args));
    }

    private List<String> lines() {
        return out.toString().lines().collect(Collectors.toList());
    }

    /** Waits for a line matching {@code regex} after line {@code from}; returns its index. */
    private int awaitLine(int from, String regex) {
        Pattern p = Pattern.compile(regex);
        int[] found = {-1};
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20)).until(() -> {
            List<String> l = lines();
            for (int i = from; i < l.size(); i++) {
                if (p.matcher(l.get(i)).find()) {
                    found[0] = i;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    private static String transition(String peer, String fromLiveness, String toLiveness) {
        return "^\\{\"v\":1,\"ts\":\"[^\"]+\",\"peer\":\"" + peer + "\",\"address\":\"127\\.0\\.0\\.1:\\d+\",\"kind\":\"TRANSITION\","
                + "\"from\":\\{\"liveness\":\"" + fromLiveness + "\",\"usability\":\"\\w+\"\\},"
                + "\"to\":\\{\"liveness\":\"" + toLiveness + "\",\"usability\":\"\\w+\"\\},\"reason\":\"";
    }

    @Test
    void sigstopAndSigcontProduceDeadThenAlive() throws Exception {
        Assumptions.assumeTrue(ChildResponder.signalsAvailable(), "kill -STOP/-CONT is not available here");
        ChildResponder c = cli.serve("frozen", "--load", "none");
        monitor("monitor", "--peers", "frozen=127.0.0.1:" + Cli.port(c), "--interval", "100ms", "--events", "jsonl");

        int added = awaitLine(0, "\"peer\":\"frozen\",.*\"kind\":\"ADDED\"");
        int alive = awaitLine(added, transition("frozen", "UNKNOWN", "ALIVE"));
        assertThat(lines().get(alive)).contains("\"to\":{\"liveness\":\"ALIVE\",\"usability\":\"USABLE\"}",
                "\"status\":\"SERVING\"", "\"node_id\":\"frozen\"");

        c.stop();
        int suspect = awaitLine(alive + 1, transition("frozen", "ALIVE", "SUSPECT"));
        int dead = awaitLine(suspect + 1, transition("frozen", "SUSPECT", "DEAD"));
        assertThat(lines().get(dead)).contains("\"usability\":\"UNKNOWN\"}", "\"reason\":\"\\u03c6 ");

        c.resume();
        int back = awaitLine(dead + 1, transition("frozen", "DEAD", "ALIVE"));
        assertThat(lines().get(back)).contains("\"reason\":\"answering again after ");
    }

    @Test
    void inProcessFreezeAndThawProduceDeadThenAlive() throws Exception {
        ChildResponder c = cli.serve("stuck", "--load", "none");
        monitor("monitor", "--peers", "stuck=127.0.0.1:" + Cli.port(c), "--interval", "100ms", "--events", "jsonl");
        int alive = awaitLine(0, transition("stuck", "UNKNOWN", "ALIVE"));

        c.command("freeze");
        int dead = awaitLine(alive + 1, transition("stuck", "(ALIVE|SUSPECT)", "DEAD"));
        c.command("thaw");
        awaitLine(dead + 1, transition("stuck", "DEAD", "ALIVE"));
    }

    @Test
    void drainAndSigtermGoodbyeAreEvents() throws Exception {
        ChildResponder c = cli.serve("leaving", "--load", "none");
        monitor("monitor", "--peers", "127.0.0.1:" + Cli.port(c), "--interval", "100ms", "--events", "jsonl");
        String peer = "127\\.0\\.0\\.1:\\d+";
        int alive = awaitLine(0, transition(peer, "UNKNOWN", "ALIVE"));

        c.command("drain");
        int drained = awaitLine(alive + 1, transition(peer, "ALIVE", "ALIVE"));
        assertThat(lines().get(drained)).contains("\"to\":{\"liveness\":\"ALIVE\",\"usability\":\"UNUSABLE\"}",
                "\"reason\":\"status DRAINING\"");

        Assumptions.assumeFalse(ChildResponder.isWindows(), "SIGTERM is Unix");
        c.command("serve");
        int serving = awaitLine(drained + 1, "\"usability\":\"USABLE\"\\},\"reason\":\"status SERVING");
        c.terminate();
        int goodbye = awaitLine(serving + 1, "\"reason\":\"GOODBYE: peer is leaving");
        awaitLine(goodbye, transition(peer, "ALIVE", "DEAD"));
        assertThat(c.waitFor(Duration.ofSeconds(10))).isTrue();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(cli.childOutput).as("child output").anyMatch(l -> l.matches(".*goodbye sent to \\d+ connection\\(s\\); closed")));
    }

    @Test
    void aFrozenResponderThatIsTerminatedSaysOnlyGoodbye() throws Exception {
        Assumptions.assumeFalse(ChildResponder.isWindows(), "SIGTERM is Unix");
        ChildResponder c = cli.serve("stuck", "--load", "none");
        monitor("monitor", "--peers", "stuck=127.0.0.1:" + Cli.port(c), "--interval", "100ms", "--events", "jsonl");
        int alive = awaitLine(0, transition("stuck", "UNKNOWN", "ALIVE"));
        c.command("freeze");
        int dead = awaitLine(alive + 1, transition("stuck", "(ALIVE|SUSPECT)", "DEAD"));
        Thread.sleep(300); // a few more PINGs queue up behind the frozen threads (not a timing assertion)
        c.terminate(); // SIGTERM while frozen: the queued PINGs must get no PONG, only GOODBYE
        assertThat(c.waitFor(Duration.ofSeconds(20))).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> cli.childOutput.stream()
                .anyMatch(l -> l.matches("stuck: goodbye sent to 1 connection\\(s\\); closed")));
        // Before the fix, the thawed threads answered the queued PINGs first: DEAD -> ALIVE/USABLE for a moment.
        // A GOODBYE to a peer already DEAD changes nothing the monitor shows (the core's choice), and the FIN neither.
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(lines().subList(dead + 1, lines().size()))
                        .noneMatch(l -> l.contains("\"to\":{\"liveness\":\"ALIVE\"")));
    }

    @Test
    void tableModeDrawsEveryPeerAndStopsAtItsDuration() throws Exception {
        ChildResponder c = cli.serve("tabled", "--load", "none");
        Cli.Run r = Cli.run("monitor", "--peers", "tabled=127.0.0.1:" + Cli.port(c) + ",nobody=127.0.0.1:" + Cli.closedPort(),
                "--duration", "3s", "--refresh", "200ms", "--plain");
        assertThat(r.exit()).isEqualTo(ExitCodes.OK);
        assertThat(r.out()).doesNotContain("\u001b[")
                .contains("PEER", "LIVENESS", "USABILITY", "PHI", "RTT", "CPU", "MEM", "INFLIGHT", "REASON")
                .containsPattern("tabled +ALIVE +USABLE ")
                .containsPattern("nobody +DEAD +UNKNOWN ")
                .contains("recent events:");
    }
}
