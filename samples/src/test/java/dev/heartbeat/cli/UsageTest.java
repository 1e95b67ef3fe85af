package dev.heartbeat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Bad usage exits 3 and says what was wrong and what is allowed; --help works everywhere. */
class UsageTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "probe                                  | Missing required parameter: 'HOST:PORT'",
        "probe 127.0.0.1                        | '127.0.0.1' is not an address (expected: HOST:PORT",
        "probe 127.0.0.1:99999                  | port '99999' (expected: 1..65535)",
        "probe 127.0.0.1:7070 --timeout 5       | option '--timeout': '5' is not a duration (expected: a number and a unit",
        "probe 127.0.0.1:7070 --timeout 0ms     | option '--timeout': 0ms (expected: 10ms..1h)",
        "probe 127.0.0.1:7070 --timeout 9.9999ms | option '--timeout': 9.9999ms (expected: 10ms..1h)",
        "probe [::1]                            | '[::1]' is missing a port (expected: [IPV6]:PORT",
        "probe =h:1                             | '=h:1' has host '=h' (expected: a host name or IPv4 address",
        "probe 127.0.0.1:7070 --transport carrier-pigeon | option '--transport'",
        "probe 127.0.0.1:7070 --jsn             | Unknown option: '--jsn'",
        "serve                                  | Missing required option: '--port=PORT'",
        "serve --port 70000                     | option '--port': '70000' is out of range (expected: 0..65535; 0 picks a free port)",
        "serve --port abc                       | option '--port': 'abc' is not a port number (expected: 0..65535; 0 picks a free port)",
        "serve --port -1                        | option '--port': '-1' is not a port number (expected: 0..65535",
        "serve --port 99999999999               | option '--port': '99999999999' is out of range (expected: 0..65535",
        "serve --port 0 --node-id ''            | option '--node-id': '' is 0 UTF-8 bytes (expected: 1..255)",
        "probe 127.0.0.1:7070 --timeout 99999999999999999999h | option '--timeout': 99999999999999999999h (expected: 10ms..1h)",
        "probe 127.0.0.1:7070 --timeout 2h      | option '--timeout': 2h (expected: 10ms..1h)",
        "monitor --peers h:1 --duration 9000h   | option '--duration': 9000h (expected: 1ms..8760h)",
        "monitor --peers h:1 --interval 99999999999999999999h | option '--interval': 99999999999999999999h (expected: 1ms..1h)",
        "demo --duration 99999999999999999999h  | option '--duration': 99999999999999999999h (expected: 5s..10m)",
        "probe 127.0.0.1:7070 extra             | unexpected argument 'extra' (expected: [-hV] [--json]",
        "serve --port 0 --status SLEEPY         | option '--status'",
        "serve --port 0 --load lots             | option '--load': 'lots' (expected one of: jvm, none)",
        "monitor                                | Missing required option: '--peers=PEER'",
        "monitor --peers 127.0.0.1              | option '--peers': '127.0.0.1' is not an address",
        "monitor --peers a=h:1,a=h:2            | peer 'a' is listed twice",
        "monitor --peers h:1 --interval 1m2     | option '--interval': '1m2' is not a duration",
        "monitor --peers h:1 --interval 0.5ms   | option '--interval': 0.5ms (expected: 1ms..1h)",
        "monitor --peers h:1 --refresh 49.9ms   | option '--refresh': 49.9ms (expected: 50ms..1m)",
        "monitor --peers h:1 --duration 0.0000001ms | option '--duration': 0.0000001ms (expected: 1ms..8760h)",
        "monitor --peers =h:1                   | option '--peers': '=h:1' has an empty name (expected: NAME=HOST:PORT",
        "monitor --peers a=h:1,=h:2             | option '--peers': '=h:2' has an empty name",
        "monitor --peers a=b=h:1                | option '--peers': 'b=h:1' has host 'b=h' (expected: a host name",
        "monitor --peers h/x:1                  | option '--peers': 'h/x:1' has host 'h/x'",
        "monitor --peers [::1]                  | option '--peers': '[::1]' is missing a port",
        "monitor --peers h:1 --events xml       | option '--events'",
        "demo --duration 1s                     | option '--duration': 1s (expected: 5s..10m)",
        "demo --interval 5s                     | option '--interval': 5s (expected: 10ms..1s)",
        "demo --interval 9.5ms                  | option '--interval': 9.5ms (expected: 10ms..1s)",
        "demo --duration 4.9999s                | option '--duration': 4.9999s (expected: 5s..10m)",
        "frobnicate                             | heartbeat: unknown command 'frobnicate' (expected one of: serve, probe, monitor, demo, help)",
        "prob                                   | Did you mean: heartbeat probe",
    })
    void badUsageExits3WithAMessageThatNamesTheFlag(String args, String message) {
        String[] argv = args.trim().split("\\s+");
        for (int i = 0; i < argv.length; i++) {
            argv[i] = argv[i].equals("''") ? "" : argv[i]; // '' is an empty argument
        }
        Cli.Run r = Cli.run(argv);
        assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains(message.trim());
        assertThat(r.out()).isEmpty();
    }

    @Test
    void enumErrorsListTheAllowedValues() {
        Cli.Run r = Cli.run("serve", "--port", "0", "--status", "SLEEPY");
        assertThat(r.err()).contains("SERVING", "DEGRADED", "DRAINING", "NOT_SERVING", "SLEEPY");
    }

    @Test
    void serveOnAPortInUseExits2AndSaysWhy() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Cli.Run r = Cli.run("serve", "--port", Integer.toString(taken.getLocalPort()));
            assertThat(r.exit()).isEqualTo(ExitCodes.UNREACHABLE);
            assertThat(r.err()).contains("heartbeat serve: cannot listen on 127.0.0.1:" + taken.getLocalPort());
            assertThat(r.out()).doesNotContain("listening on");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  "})
    void serveWithABlankHostIsBadUsageNotACannotListen(String host) {
        Cli.Run r = Cli.run("serve", "--port", "0", "--host", host);
        assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("Invalid value for option '--host': '" + host
                + "' (expected: an interface address or name)").doesNotContain("cannot listen");
        assertThat(r.out()).doesNotContain("listening on");
    }

    @Test
    void aHostThatDoesNotResolveIsASentenceNotAnException() {
        // A fake resolver: no name lookup may leave this machine (see also ServeHostTest for a child JVM).
        ServeCommand.HostResolver unknown = h -> {
            throw new java.net.UnknownHostException(h + ": Name or service not known");
        };
        Cli.Run r = Cli.run(new Cli.Factory(unknown), "serve", "--port", "0", "--host", "no.such.host.invalid");
        assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(r.err()).isEqualTo("heartbeat serve: cannot listen on no.such.host.invalid:0: unknown host "
                + "'no.such.host.invalid' (expected: an address or a name of this machine, e.g. 127.0.0.1, 0.0.0.0 or ::1)"
                + System.lineSeparator());
        assertThat(r.out()).doesNotContain("listening on");
    }

    @Test
    void noCommandShowsTheCommandsAndExits3() {
        Cli.Run r = Cli.run();
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("a command is needed", "serve", "probe", "monitor", "demo");
    }

    @ParameterizedTest
    @ValueSource(strings = {"serve", "probe", "monitor", "demo"})
    void everyCommandHasHelp(String command) {
        Cli.Run r = Cli.run(command, "--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).startsWith("Usage: heartbeat " + command).contains("--help", "--version");
    }

    @Test
    void probeHelpDocumentsTheExitCodes() {
        assertThat(Cli.run("probe", "--help").out()).contains("0  it answered and is usable",
                "1  it answered but is not usable", "2  unreachable", "3  bad usage");
    }
}
