package dev.heartbeat.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README's first command, with a short --duration: bounded, exits 0, and each fault shows its detection time. */
class DemoTest {

    private static final Pattern FAULT_ROW = Pattern.compile(
            "(?s)freeze alpha +at +[0-9.]+s.*heartbeat: DEAD at [0-9.]+s, \\d+ ms after the fault.*"
            + "kill beta +at +[0-9.]+s.*heartbeat: DEAD at [0-9.]+s, \\d+ ms after the fault.*"
            + "keepalive: connection ended \\d+ ms after the fault.*"
            + "freeze delta \\(udp\\) +at +[0-9.]+s.*heartbeat: DEAD at [0-9.]+s, \\d+ ms after the fault.*"
            + "resume delta \\(udp\\) +at +[0-9.]+s.*heartbeat: ALIVE at [0-9.]+s, \\d+ ms after the fault.*"
            + "drain gamma +at +[0-9.]+s.*heartbeat: UNUSABLE at [0-9.]+s, \\d+ ms after the fault: status DRAINING.*"
            + "keepalive: nothing.*"
            + "restart beta +at +[0-9.]+s.*heartbeat: RESTARTED and ALIVE at [0-9.]+s, \\d+ ms after it began listening.*epoch changed.*"
            + "resume alpha +at +[0-9.]+s.*heartbeat: ALIVE at [0-9.]+s, \\d+ ms after the fault.*"
            + "serve gamma +at +[0-9.]+s.*heartbeat: USABLE at [0-9.]+s, \\d+ ms after the fault");

    @Test
    void shortDemoDetectsEveryFaultAndExits0() {
        Cli.Run r = assertTimeoutPreemptively(Duration.ofSeconds(90), () -> Cli.run("demo", "--duration", "5s"));
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(ExitCodes.OK);
        assertThat(r.out()).containsPattern(FAULT_ROW).contains("every fault was detected");
        if (ChildResponder.signalsAvailable()) {
            assertThat(r.out()).contains("FREEZE  alpha: kill -STOP", "keepalive: nothing in the whole freeze");
        }
    }

    @Test
    void inProcessFreezeFallbackSaysSo() {
        Cli.Run r = assertTimeoutPreemptively(Duration.ofSeconds(90), () -> Cli.run("demo", "--duration", "5s", "--no-signals"));
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(ExitCodes.OK);
        assertThat(r.out()).contains("Freeze method: in-process", "--no-signals", "its serving threads now block")
                .containsPattern(FAULT_ROW);
    }
}
