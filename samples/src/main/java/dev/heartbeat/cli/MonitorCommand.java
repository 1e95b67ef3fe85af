package dev.heartbeat.cli;

import dev.heartbeat.engine.spi.ClientTransport;
import dev.heartbeat.engine.HeartbeatMonitor;
import dev.heartbeat.engine.MonitorConfig;
import dev.heartbeat.metrics.HeartbeatMetrics;
import dev.heartbeat.protocol.auth.HmacSha256Authenticator;
import dev.heartbeat.peer.Peer;
import dev.heartbeat.peer.PeerEvent;
import dev.heartbeat.peer.PeerState;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code heartbeat monitor}: watches peers and shows a live table, or prints one JSON object per
 * event ({@code --events jsonl}, format in docs/cli.md). Runs until interrupted or for
 * {@code --duration}.
 */
@Command(name = "monitor",
        mixinStandardHelpOptions = true,
        description = {
            "Watch peers in a live table, or print their events as JSON lines.",
            "",
            "The table shows each peer's liveness, usability, phi, RTT, load (CPU, memory,",
            "requests in flight) and the reason for its state, redrawn in place; below it,",
            "the latest events. With --events jsonl it prints one JSON object per event",
            "instead (format: docs/cli.md).",
            ""
        },
        footer = {"", "Examples:",
            "  heartbeat monitor --peers 127.0.0.1:7070,127.0.0.1:7071",
            "  heartbeat monitor --peers orders=10.0.0.7:7070,billing=10.0.0.8:7070 --interval 100ms --events jsonl | jq .",
            "  heartbeat monitor --peers orders=10.0.0.7:7070 --key-file /etc/heartbeat/keys --metrics-port 9464"})
final class MonitorCommand implements Callable<Integer> {

    /** How the monitor reports. */
    enum Events {
        /** A table redrawn in place (ANSI) or printed again (plain, when not on a terminal). */
        table,
        /** One JSON object per event, one per line. */
        jsonl
    }

    private static final int RECENT_EVENTS = 6;
    /** How often a terminal's width is asked again (it may be resized). */
    private static final long WIDTH_CHECK_NANOS = TimeUnit.SECONDS.toNanos(2);
    static final Duration MIN_DURATION = Duration.ofMillis(1);
    static final Duration MAX_DURATION = Duration.ofHours(8760);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS", Locale.ROOT)
            .withZone(ZoneId.systemDefault());

    @Spec
    CommandSpec spec;

    @Option(names = "--peers", required = true, split = ",", paramLabel = "PEER",
            description = "Peers to watch, comma-separated: HOST:PORT or NAME=HOST:PORT.")
    List<String> peers;

    @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "200ms",
            description = "Time between heartbeats to each peer, 1ms..1h (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--events", paramLabel = "FORMAT", defaultValue = "table",
            description = "Output: table or jsonl (default: ${DEFAULT-VALUE}).")
    Events events;

    @Option(names = "--refresh", paramLabel = "DURATION", defaultValue = "500ms",
            description = "Table redraw period, 50ms..1m (default: ${DEFAULT-VALUE}).")
    Duration refresh;

    @Option(names = "--duration", paramLabel = "DURATION",
            description = "Stop after this long, 1ms..8760h (default: until interrupted).")
    Duration duration;

    @Option(names = "--plain", description = "Never use ANSI escapes: print the table again instead of redrawing it "
            + "(automatic when the output is not a terminal).")
    boolean plain;

    @Option(names = "--transport", paramLabel = "NAME", defaultValue = "tcp",
            description = "Transport: tcp or udp (default: ${DEFAULT-VALUE}); a udp:// or tcp:// address chooses its own.")
    Transport transport;

    @Mixin
    KeyFileOption keys;

    @Mixin
    MetricsOption metrics;

    /** Stops a running monitor (tests, shutdown hook, a closed output). */
    final CountDownLatch stop = new CountDownLatch(1);
    /** The output failed (its reader is gone); written under the output's lock or by the drawing thread. */
    private volatile boolean outputClosed;

    @Override
    public Integer call() throws InterruptedException {
        metrics.validate();
        HmacSha256Authenticator auth = keys.authenticator(); // a file that cannot be read or parsed: exit 3
        Map<String, String> targets = parsePeers();
        MonitorConfig config;
        try {
            config = MonitorConfig.custom().interval(interval)
                    .probeInterval(interval.compareTo(MonitorConfig.DEFAULT_PROBE_INTERVAL) < 0 ? interval
                            : MonitorConfig.DEFAULT_PROBE_INTERVAL)
                    .build();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--interval': "
                    + HeartbeatCli.given(spec, "--interval") + " (expected: 1ms..1h)");
        }
        if (refresh.compareTo(Duration.ofMillis(50)) < 0 || refresh.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--refresh': "
                    + HeartbeatCli.given(spec, "--refresh") + " (expected: 50ms..1m)");
        }
        if (duration != null && (duration.compareTo(MIN_DURATION) < 0 || duration.compareTo(MAX_DURATION) > 0)) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--duration': "
                    + HeartbeatCli.given(spec, "--duration") + " (expected: 1ms..8760h)");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        MetricsEndpoint endpoint;
        try {
            endpoint = metrics.start();
        } catch (MetricsOption.CannotServe e) {
            err.println("heartbeat monitor: " + e.getMessage());
            err.flush();
            return ExitCodes.UNREACHABLE;
        }
        boolean ansi = !plain && System.console() != null && events == Events.table;
        Deque<String> recent = new ArrayDeque<>();
        Thread hook = new Thread(stop::countDown, "heartbeat-monitor-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try (MetricsEndpoint metered = endpoint; // closed last: scraped until the monitor is gone
             ClientTransport client = transport.client();
             HeartbeatMonitor monitor = authenticated(Transport.withSchemes(HeartbeatMonitor.builder(client), transport,
                     targets.values()), auth).config(config).build()) {
            if (metered != null) {
                metered.bind(HeartbeatMetrics.of(monitor)); // before the peers: each binds at its ADDED event
                err.println(MetricsOption.announce(metered));
                err.flush();
            }
            if (events == Events.jsonl) {
                monitor.addListener(e -> {
                    synchronized (out) {
                        if (outputClosed) {
                            return;
                        }
                        out.println(Json.event(e));
                        out.flush();
                        checkOutput(out);
                    }
                });
            } else {
                monitor.addListener(e -> {
                    if (e.kind() != PeerEvent.Kind.ADDED) {
                        synchronized (recent) {
                            recent.addLast(TIME.format(e.timestamp()) + "  " + Text.safe(e.toString()));
                            while (recent.size() > RECENT_EVENTS) {
                                recent.removeFirst();
                            }
                        }
                    }
                });
            }
            List<Peer> watched = new ArrayList<>();
            for (Map.Entry<String, String> t : targets.entrySet()) {
                watched.add(monitor.addPeer(t.getKey(), t.getValue()));
            }
            long deadline = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
            int drawn = 0;
            if (events == Events.table) {
                out.println("watching " + watched.size() + " peer(s) over " + client.name() + ", heartbeat every "
                        + DurationConverter.format(interval) + (ansi ? "; Ctrl-C to stop" : ""));
            }
            int width = ansi ? terminalWidth() : 0;
            long widthCheckedAt = System.nanoTime();
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                long wait = events == Events.table ? Math.min(left, refresh.toNanos()) : left;
                if (stop.await(wait, TimeUnit.NANOSECONDS) || deadline - System.nanoTime() <= 0) {
                    break; // stopped, or the end: the final drawing below
                }
                if (events == Events.table) {
                    if (ansi && System.nanoTime() - widthCheckedAt > WIDTH_CHECK_NANOS) {
                        int now = terminalWidth(); // the window may have been resized
                        if (now != width) {
                            width = now;
                            drawn = -1; // the terminal reflowed the old drawing: clear the screen and start at the top
                        }
                        widthCheckedAt = System.nanoTime();
                    }
                    drawn = draw(out, watched, recent, width, ansi, drawn);
                    checkOutput(out);
                }
            }
            if (events == Events.table && !outputClosed) {
                draw(out, watched, recent, width, ansi, drawn);
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting anyway
            }
        }
        return ExitCodes.OK;
    }

    /** Seals PINGs and verifies PONGs with {@code auth}, on every transport, when there is one. */
    private static HeartbeatMonitor.Builder authenticated(HeartbeatMonitor.Builder b, HmacSha256Authenticator auth) {
        return auth == null ? b : b.authentication(auth, auth);
    }

    /**
     * Stops when the output is gone (the reader of a pipe exited: {@code | head -1}, a {@code jq}
     * that ended): nobody can see what a monitor prints any more, so it must not run on as an
     * orphan. Exits 0, like {@code --duration}: the reader decided it had seen enough. A
     * {@link PrintWriter} never throws; its error flag is how a failed write shows.
     */
    private void checkOutput(PrintWriter out) {
        if (!outputClosed && out.checkError()) {
            outputClosed = true;
            stop.countDown();
        }
    }

    /** Draws the table; with ANSI, moves up over the previous drawing first. Returns the lines drawn. */
    private static int draw(PrintWriter out, List<Peer> watched, Deque<String> recent, int width, boolean ansi,
                            int previous) {
        List<PeerState> states = new ArrayList<>(watched.size());
        for (Peer p : watched) {
            states.add(p.state());
        }
        List<String> lines = new ArrayList<>(PeerTable.render(states, width));
        lines.add("");
        synchronized (recent) {
            lines.add(recent.isEmpty() ? "(no events yet)" : "recent events:");
            for (String r : recent) {
                // A line longer than the terminal wraps, and the redraw would then move up too little.
                lines.add(Text.fit(r, width));
            }
        }
        StringBuilder sb = new StringBuilder();
        if (ansi && previous > 0) {
            sb.append("\u001b[").append(previous).append('F'); // to the start of the first line drawn last time
        } else if (ansi && previous < 0) {
            sb.append("\u001b[H\u001b[2J"); // after a resize: home, clear the screen
        }
        for (String l : lines) {
            sb.append(l);
            if (ansi) {
                sb.append("\u001b[K"); // clear the rest of the line
            }
            sb.append(System.lineSeparator());
        }
        if (ansi) {
            sb.append("\u001b[J"); // clear anything below (the event list can shrink)
        } else {
            sb.append(System.lineSeparator());
        }
        out.print(sb);
        out.flush();
        return lines.size();
    }

    /** The terminal's width: $COLUMNS, else {@code stty size}, else 120; lines are cut to it. */
    private static int terminalWidth() {
        try {
            String env = System.getenv("COLUMNS");
            if (env != null && Integer.parseInt(env.trim()) > 0) {
                return Math.max(40, Integer.parseInt(env.trim()));
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        try {
            Process p = new ProcessBuilder("sh", "-c", "stty size < /dev/tty").redirectErrorStream(true).start();
            String answer = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
            if (p.waitFor(2, TimeUnit.SECONDS) && p.exitValue() == 0) {
                String[] rowsCols = answer.split("\\s+");
                int cols = Integer.parseInt(rowsCols[1]);
                if (cols > 0) { // 0: a pseudo-terminal that does not know its size
                    return Math.max(40, cols);
                }
            }
        } catch (IOException | RuntimeException e) {
            // no stty: use the default
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 120;
    }

    private Map<String, String> parsePeers() {
        Map<String, String> targets = new LinkedHashMap<>();
        for (String p : peers) {
            String item = p.trim();
            if (item.isEmpty()) {
                continue;
            }
            int eq = item.indexOf('=');
            String name = eq >= 0 ? item.substring(0, eq).trim() : null;
            String addrText = eq >= 0 ? item.substring(eq + 1) : item;
            if (name != null && name.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "Invalid value for option '--peers': '" + item
                        + "' has an empty name (expected: NAME=HOST:PORT with a NAME, or HOST:PORT)");
            }
            HostPort addr;
            try {
                addr = HostPort.parse(addrText);
            } catch (RuntimeException e) {
                throw new ParameterException(spec.commandLine(), "Invalid value for option '--peers': " + e.getMessage()
                        + " (each peer: HOST:PORT or NAME=HOST:PORT)");
            }
            String key = name != null ? name : addr.toString();
            if (targets.putIfAbsent(key, addr.toString()) != null) {
                throw new ParameterException(spec.commandLine(), "Invalid value for option '--peers': peer '" + key
                        + "' is listed twice (expected: unique names)");
            }
        }
        if (targets.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--peers': no peer given "
                    + "(expected: HOST:PORT or NAME=HOST:PORT, comma-separated)");
        }
        return targets;
    }
}
