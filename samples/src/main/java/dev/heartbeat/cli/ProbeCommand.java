package dev.heartbeat.cli;

import dev.heartbeat.engine.spi.ClientTransport;
import dev.heartbeat.engine.HeartbeatMonitor;
import dev.heartbeat.engine.MonitorConfig;
import dev.heartbeat.protocol.auth.HmacSha256Authenticator;
import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.Peer;
import dev.heartbeat.peer.PeerEvent;
import dev.heartbeat.peer.PeerState;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code heartbeat probe HOST:PORT}: one verdict, as an exit code, like grpc-health-probe. A
 * {@link HeartbeatMonitor} watches the one peer; the first event that leaves UNKNOWN is the
 * answer (a PONG: ALIVE with its usability; a refused or reset connection, or silence until
 * {@code --timeout}: DEAD).
 */
@Command(name = "probe",
        mixinStandardHelpOptions = true,
        description = {
            "Ask one peer whether it is alive and usable; the exit code says.",
            "",
            "Exit codes:",
            "  0  it answered and is usable (SERVING; also DEGRADED: usable, send it less)",
            "  1  it answered but is not usable (DRAINING, NOT_SERVING, or overloaded)",
            "  2  unreachable: refused, reset, or no answer within --timeout",
            "  3  bad usage",
            ""
        },
        footer = {"", "Examples:",
            "  heartbeat probe 127.0.0.1:7070 && echo usable",
            "  heartbeat probe 127.0.0.1:7070 --timeout 500ms --json",
            "  heartbeat probe udp://10.0.0.7:7070 --key-file /etc/heartbeat/keys"})
final class ProbeCommand implements Callable<Integer> {

    static final Duration MIN_TIMEOUT = Duration.ofMillis(10);
    static final Duration MAX_TIMEOUT = Duration.ofHours(1);

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "HOST:PORT", description = "The peer's heartbeat address, e.g. 127.0.0.1:7070 or [::1]:7070.")
    HostPort address;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "1s",
            description = "Give up (exit 2) after this long: 10ms..1h, e.g. 500ms, 1s (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--json", description = "Print the verdict as one JSON object (status, RTT, epoch, node id, load; see docs/cli.md).")
    boolean json;

    @Option(names = "--transport", paramLabel = "NAME", defaultValue = "tcp",
            description = "Transport: tcp or udp (default: ${DEFAULT-VALUE}); a udp:// or tcp:// address chooses its own.")
    Transport transport;

    @Mixin
    KeyFileOption keys;

    @Override
    public Integer call() {
        if (timeout.compareTo(MIN_TIMEOUT) < 0 || timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Invalid value for option '--timeout': "
                    + HeartbeatCli.given(spec, "--timeout") + " (expected: 10ms..1h)");
        }
        HmacSha256Authenticator auth = keys.authenticator(); // a file that cannot be read or parsed: exit 3
        PrintWriter out = spec.commandLine().getOut();
        String addr = address.toString();
        // Ping fast enough to get several chances within the timeout, never faster than every 10 ms.
        Duration interval = clamp(timeout.dividedBy(5), Duration.ofMillis(10), MonitorConfig.DEFAULT_INTERVAL);
        MonitorConfig config = MonitorConfig.custom()
                .interval(interval)
                .probeInterval(clamp(interval.dividedBy(4), Duration.ofMillis(1), MonitorConfig.DEFAULT_PROBE_INTERVAL))
                .initialTimeout(timeout)
                .build();
        long start = System.nanoTime();
        CompletableFuture<PeerEvent> verdict = new CompletableFuture<>();
        PeerEvent first;
        Peer peer = null;
        try (ClientTransport client = Transport.of(address, transport).client();
             HeartbeatMonitor monitor = authenticated(HeartbeatMonitor.builder(client), auth).config(config)
                     .nodeId("probe-" + ProcessHandle.current().pid()).watchGarbageCollector(false).build()) {
            monitor.addListener(e -> {
                if (e.kind() == PeerEvent.Kind.TRANSITION && e.toLiveness() != Liveness.UNKNOWN) {
                    verdict.complete(e);
                }
            });
            peer = monitor.addPeer(addr, addr);
            // The engine declares the peer DEAD at the timeout; the margin only covers a stalled event thread.
            first = verdict.get(timeout.toNanos() + TimeUnit.MILLISECONDS.toNanos(500), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            first = null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            first = null;
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        long elapsed = System.nanoTime() - start;
        int code;
        String result;
        String reason;
        PeerState s = first == null ? null : first.state();
        if (first == null) {
            code = ExitCodes.UNREACHABLE;
            result = "unreachable";
            reason = "no verdict within " + DurationConverter.format(timeout);
        } else if (first.toLiveness() == Liveness.DEAD) {
            code = ExitCodes.UNREACHABLE;
            result = "unreachable";
            reason = first.reason() + silenceHint(first.reason(), peer);
        } else if (first.toUsability().acceptsWork()) {
            code = ExitCodes.OK;
            result = "usable";
            reason = first.reason();
        } else {
            code = ExitCodes.NOT_USABLE;
            result = "unusable";
            reason = first.reason();
        }
        if (json) {
            out.println(Json.probe(addr, code, result, s, reason, elapsed));
        } else {
            out.println(text(addr, result, s, reason));
        }
        out.flush();
        return code;
    }

    /** Seals PINGs and verifies PONGs with {@code auth}, when there is one. */
    private static HeartbeatMonitor.Builder authenticated(HeartbeatMonitor.Builder b, HmacSha256Authenticator auth) {
        return auth == null ? b : b.authentication(auth, auth);
    }

    /**
     * What a silence may mean, when nothing else explains it. A responder that requires
     * authentication answers nothing to a PING it cannot verify — no error, no reply, by design (a
     * refusal would tell an attacker what works, and over UDP it would be a reply to a forged
     * source) — so the probe cannot know that this is why; it can say that it may be.
     */
    private String silenceHint(String reason, Peer peer) {
        boolean silence = reason.startsWith("no answer within") && !reason.contains("(")
                && (peer == null || peer.rejectedFrames() == 0);
        if (!silence) {
            return "";
        }
        return keys.present()
                ? "; if the peer requires authentication, it drops PINGs signed with keys it does not hold without "
                        + "a word: check that --key-file " + keys.keyFile + " holds its keys"
                : "; if the peer requires authentication, it drops unsigned PINGs without a word: pass its keys with "
                        + "--key-file PATH";
    }

    private static String text(String addr, String result, PeerState s, String reason) {
        StringBuilder sb = new StringBuilder().append(addr).append(": ").append(result.toUpperCase(Locale.ROOT));
        if (s != null && s.liveness() != Liveness.DEAD) {
            sb.append(" (status ").append(s.status()).append(", usability ").append(s.usability());
            if (s.rttNanos() >= 0) {
                sb.append(String.format(Locale.ROOT, ", rtt %.2f ms", s.rttNanos() / 1e6));
            }
            if (s.nodeId() != null) {
                sb.append(", node ").append(Text.safe(s.nodeId())); // the peer's own words: escaped for the terminal
            }
            sb.append(')');
        }
        return sb.append(": ").append(Text.safe(reason)).toString();
    }

    private static Duration clamp(Duration d, Duration min, Duration max) {
        return d.compareTo(min) < 0 ? min : d.compareTo(max) > 0 ? max : d;
    }
}
