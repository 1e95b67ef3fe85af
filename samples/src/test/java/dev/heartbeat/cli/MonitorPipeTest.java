package dev.heartbeat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A monitor whose output is closed (the reader of its pipe exited) stops and exits 0 instead of
 * running on as an orphan. Real child JVMs and real pipes.
 */
@Timeout(120)
class MonitorPipeTest {

    private final Cli cli = new Cli();
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void stop() {
        for (Process p : started) { // ours, by handle: the shell and whatever it started
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        cli.close();
    }

    private static List<String> monitorCommand(String... args) {
        List<String> cmd = new ArrayList<>(ChildResponder.javaCommand());
        cmd.add(HeartbeatCli.class.getName());
        cmd.add("monitor");
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static String shellQuote(List<String> words) {
        StringBuilder sb = new StringBuilder();
        for (String w : words) {
            sb.append(" '").append(w.replace("'", "'\\''")).append('\'');
        }
        return sb.toString();
    }

    @Test
    void headDashOneEndsThePipeline() throws Exception {
        Assumptions.assumeFalse(ChildResponder.isWindows(), "a POSIX shell pipeline");
        try (FakePeer silent = FakePeer.answering(ping -> null)) { // accepts, never answers: one ADDED, later one DEAD
            String monitor = shellQuote(monitorCommand("--peers", silent.address(), "--events", "jsonl", "--duration", "100s"));
            Process sh = new ProcessBuilder("sh", "-c", "exec" + monitor + " | head -1").start();
            started.add(sh);
            assertThat(sh.waitFor(60, TimeUnit.SECONDS)).as("the pipeline ended").isTrue();
            String out = new String(sh.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(out.lines()).hasSize(1).allSatisfy(l -> assertThat(l).contains("\"kind\":\"ADDED\""));
        }
    }

    @Test
    void aClosedOutputStopsTheMonitorWithExit0() throws Exception {
        ChildResponder c = cli.serve("piped", "--load", "none");
        Process monitor = new ProcessBuilder(monitorCommand("--peers", "piped=127.0.0.1:" + Cli.port(c), "--interval",
                "100ms", "--events", "jsonl", "--duration", "100s")).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        started.add(monitor);
        BufferedReader r = new BufferedReader(new InputStreamReader(monitor.getInputStream(), StandardCharsets.UTF_8));
        String first = r.readLine();
        assertThat(first).contains("\"kind\":\"ADDED\"");
        String second = r.readLine();
        assertThat(second).contains("\"to\":{\"liveness\":\"ALIVE\"");
        r.close(); // the reader is gone
        c.command("drain"); // the next event is written into a closed pipe
        assertThat(monitor.waitFor(30, TimeUnit.SECONDS)).as("the monitor exited").isTrue();
        assertThat(monitor.exitValue()).isEqualTo(ExitCodes.OK);
    }
}
