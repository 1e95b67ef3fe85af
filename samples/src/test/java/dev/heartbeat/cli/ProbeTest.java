package dev.heartbeat.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code probe} against real {@code serve} child JVMs on loopback. The responders report no load
 * ({@code --load none}) so a busy build machine's CPU cannot turn "SERVING" into "overloaded";
 * the JSON test uses real JVM load.
 */
class ProbeTest {

    private static final Cli cli = new Cli();
    private static ChildResponder serving;
    private static ChildResponder draining;

    @BeforeAll
    static void start() throws Exception {
        serving = cli.serve("serving", "--load", "none");
        draining = cli.serve("draining", "--load", "none", "--status", "DRAINING");
    }

    @AfterAll
    static void stop() {
        cli.close();
    }

    private static String addr(ChildResponder c) throws Exception {
        return "127.0.0.1:" + Cli.port(c);
    }

    @Test
    void servingPeerExits0() throws Exception {
        Cli.Run r = Cli.run("probe", addr(serving), "--timeout", "5s");
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(ExitCodes.OK);
        assertThat(r.out()).startsWith(addr(serving) + ": USABLE (status SERVING, usability USABLE, rtt ")
                .contains("node serving");
    }

    @Test
    void drainingPeerExits1() throws Exception {
        Cli.Run r = Cli.run("probe", addr(draining), "--timeout", "5s");
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(ExitCodes.NOT_USABLE);
        assertThat(r.out()).contains("UNUSABLE (status DRAINING", "status DRAINING");
    }

    @Test
    void closedPortExits2() throws Exception {
        Cli.Run r = Cli.run("probe", "127.0.0.1:" + Cli.closedPort(), "--timeout", "2s");
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(r.out()).contains("UNREACHABLE");
    }

    @Test
    void peerThatAcceptsButNeverAnswersExits2AtTheTimeout() throws Exception {
        // The kernel completes the handshake (backlog); nobody ever reads: a hung server.
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 10, java.net.InetAddress.getLoopbackAddress())) {
            long start = System.nanoTime();
            Cli.Run r = Cli.run("probe", "127.0.0.1:" + silent.getLocalPort(), "--timeout", "300ms");
            assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(ExitCodes.UNREACHABLE);
            assertThat(r.out()).contains("UNREACHABLE", "no answer within 300 ms");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10)); // bounded, not a speed claim
        }
    }

    @Test
    void statusChangedOnStdinIsWhatTheNextProbeSees() throws Exception {
        ChildResponder c = cli.serve("switching", "--load", "none");
        assertThat(Cli.run("probe", addr(c), "--timeout", "5s").exit()).isEqualTo(ExitCodes.OK);
        c.command("drain");
        await().atMost(Duration.ofSeconds(10)).until(() -> cli.childOutput.contains("switching: status DRAINING (was SERVING)"));
        assertThat(Cli.run("probe", addr(c), "--timeout", "5s").exit()).isEqualTo(ExitCodes.NOT_USABLE);
        c.command("status not_serving");
        await().atMost(Duration.ofSeconds(10)).until(() -> cli.childOutput.contains("switching: status NOT_SERVING (was DRAINING)"));
        assertThat(Cli.run("probe", addr(c), "--timeout", "5s").exit()).isEqualTo(ExitCodes.NOT_USABLE);
        c.command("serve");
        await().atMost(Duration.ofSeconds(10)).until(() -> cli.childOutput.contains("switching: status SERVING (was NOT_SERVING)"));
        assertThat(Cli.run("probe", addr(c), "--timeout", "5s").exit()).isEqualTo(ExitCodes.OK);
        c.command("status SLEEPY");
        await().atMost(Duration.ofSeconds(10)).until(() -> cli.childOutput.stream().anyMatch(
                l -> l.contains("status : SLEEPY (expected one of SERVING, DEGRADED, DRAINING, NOT_SERVING)")));
    }

    @Test
    void jsonCarriesStatusRttEpochNodeAndLoad() throws Exception {
        ChildResponder c = cli.serve("loaded");
        Cli.Run r = Cli.run("probe", addr(c), "--timeout", "5s", "--json");
        assertThat(r.exit()).as(r.out() + r.err()).isIn(ExitCodes.OK, ExitCodes.NOT_USABLE); // the JVM's own CPU decides
        String json = r.out().trim();
        assertThat(json).startsWith("{\"v\":1,\"address\":\"" + addr(c) + "\",\"result\":\"")
                .containsPattern("\"exit\":[01],\"liveness\":\"ALIVE\"")
                .contains("\"status\":\"SERVING\"", "\"node_id\":\"loaded\"")
                .containsPattern("\"rtt_ms\":[0-9.]+,")
                .containsPattern("\"epoch\":\"[0-9a-f]{16}\"")
                .containsPattern("\"load\":\\{\"cpu\":(null|[0-9.]+),\"memory\":[0-9.]+,\"in_flight\":0,")
                .endsWith("}");
        assertThat(json.lines().count()).isEqualTo(1);
    }

    @Test
    void unreachableJson() throws Exception {
        Cli.Run r = Cli.run("probe", "127.0.0.1:" + Cli.closedPort(), "--json", "--timeout", "2s");
        assertThat(r.exit()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(r.out()).contains("\"result\":\"unreachable\",\"exit\":2");
    }
}
