package dev.heartbeat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code serve --transport udp} in a child JVM, probed with {@code --transport udp} and with a {@code udp://} address. */
class UdpCliTest {

    private static final Cli cli = new Cli();
    private static ChildResponder udp;

    @BeforeAll
    static void start() throws Exception {
        udp = cli.serve("udp-serving", "--load", "none", "--transport", "udp", "--host", "127.0.0.1");
    }

    @AfterAll
    static void stop() {
        cli.close();
    }

    @Test
    void probeWithTransportUdp() throws Exception {
        String addr = "127.0.0.1:" + Cli.port(udp);
        Cli.Run r = Cli.run("probe", addr, "--transport", "udp", "--timeout", "5s");
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(ExitCodes.OK);
        assertThat(r.out()).contains("USABLE (status SERVING", "node udp-serving");
    }

    @Test
    void probeWithAUdpAddress() throws Exception {
        String addr = "udp://127.0.0.1:" + Cli.port(udp);
        Cli.Run r = Cli.run("probe", addr, "--timeout", "5s");
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(ExitCodes.OK);
        assertThat(r.out()).startsWith(addr + ": USABLE");
    }

    @Test
    void aTcpProbeOfAUdpPortIsUnreachable() throws Exception {
        Cli.Run r = Cli.run("probe", "tcp://127.0.0.1:" + Cli.port(udp), "--timeout", "1s");
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(ExitCodes.UNREACHABLE);
    }

    @Test
    void unknownSchemesAreUsageErrors() {
        assertThatUsage(Cli.run("probe", "http://127.0.0.1:80"), "names transport 'http' (expected: tcp:// or udp://, or no scheme)");
    }

    private static void assertThatUsage(Cli.Run r, String text) {
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains(text);
    }
}
