package dev.heartbeat.cli;

import dev.heartbeat.engine.HeartbeatResponder;
import dev.heartbeat.engine.JvmLoadProvider;
import dev.heartbeat.engine.LoadProvider;
import dev.heartbeat.metrics.ResponderMetrics;
import dev.heartbeat.protocol.auth.HmacSha256Authenticator;
import dev.heartbeat.protocol.ServingStatus;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code heartbeat serve}: a responder that answers PINGs with its status and this JVM's load.
 * Prints {@code listening on PORT} once bound (scripts read the port from it when they asked for
 * {@code --port 0}), then takes commands on stdin; SIGTERM (and {@code quit}) say GOODBYE to every
 * connected monitor before closing.
 */
@Command(name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "Run a responder that reports its status and this JVM's load.",
            "",
            "Prints 'listening on PORT ...' when bound, then reads commands on stdin:",
            "  status STATUS   report SERVING, DEGRADED, DRAINING or NOT_SERVING",
            "  drain / serve   the same as: status DRAINING / status SERVING",
            "  freeze / thaw   block / release the threads that answer PINGs",
            "                  (a stuck server: the process and its kernel stay up)",
            "  stats           what it accepted and refused (invalid frames by reason,",
            "                  idle timeouts, evictions, drops), in one line",
            "  quit            say GOODBYE to connected monitors, then exit",
            "SIGTERM (kill PID, Ctrl-C) also says GOODBYE. End of stdin is ignored.",
            ""
        },
        footer = {"", "Examples:",
            "  heartbeat serve --port 7070 --node-id orders-1",
            "  heartbeat serve --port 7070 --key-file /etc/heartbeat/keys --metrics-port 9464"})
final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--port", required = true, paramLabel = "PORT", converter = PortConverter.class,
            description = "Port to listen on, 0..65535 (0: any free port; read it from the 'listening on' line).")
    int port;

    @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 for every interface).")
    String host;

    @Option(names = "--status", paramLabel = "STATUS", defaultValue = "SERVING",
            description = "Initial status: SERVING, DEGRADED, DRAINING or NOT_SERVING (default: ${DEFAULT-VALUE}).")
    ServingStatus status;

    @Option(names = "--node-id", paramLabel = "ID",
            description = "Node id reported in every PONG, 1..255 UTF-8 bytes (default: serve-PID).")
    String nodeId;

    @Option(names = "--load", paramLabel = "SOURCE", defaultValue = "jvm",
            description = "Load figures to report: jvm (CPU, heap, in-flight) or none (status only) (default: ${DEFAULT-VALUE}).")
    String load;

    @Option(names = "--exit-with-parent",
            description = "Say GOODBYE and exit when the process that started this one exits "
                    + "(the demo and the tests use it, so no responder outlives them).")
    boolean exitWithParent;

    @Option(names = "--transport", paramLabel = "NAME", defaultValue = "tcp",
            description = "Transport: tcp or udp (default: ${DEFAULT-VALUE}).")
    Transport transport;

    @Option(names = "--stats-every", paramLabel = "DURATION", defaultValue = "60s",
            description = "Print a one-line summary of what was refused (invalid frames by reason, idle timeouts, "
                    + "evictions, drops) on stderr this often, when anything new was: 1s..1h, or 0s for never "
                    + "(default: ${DEFAULT-VALUE}). The 'stats' command prints it at any time.")
    Duration statsEvery;

    @Mixin
    KeyFileOption keys;

    @Mixin
    MetricsOption metrics;

    /** Where commands come from; System.in unless a test sets it. */
    InputStream in = System.in;

    /** Resolves {@code --host}; tests replace it so that no name lookup leaves this machine. */
    HostResolver resolver = InetAddress::getByName;

    /** A name lookup: the platform's, or a test's. */
    @FunctionalInterface
    interface HostResolver {
        InetAddress resolve(String host) throws UnknownHostException;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        LoadProvider base;
        switch (load.toLowerCase(Locale.ROOT)) {
            case "jvm":
                base = JvmLoadProvider.create();
                break;
            case "none":
                base = LoadProvider.none();
                break;
            default:
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "Invalid value for option '--load': '" + load + "' (expected one of: jvm, none)");
        }
        if (!statsEvery.isZero() && (statsEvery.compareTo(Duration.ofSeconds(1)) < 0
                || statsEvery.compareTo(Duration.ofHours(1)) > 0)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Invalid value for option "
                    + "'--stats-every': " + HeartbeatCli.given(spec, "--stats-every") + " (expected: 1s..1h, or 0s for never)");
        }
        metrics.validate();
        HmacSha256Authenticator auth = keys.authenticator(); // a file that cannot be read or parsed: exit 3
        String id = nodeId != null ? nodeId : "serve-" + ProcessHandle.current().pid();
        FreezableLoad freezable = new FreezableLoad(base);
        HeartbeatResponder responder;
        try {
            HeartbeatResponder.Builder rb = HeartbeatResponder.builder().nodeId(id).status(status).loadProvider(freezable);
            if (auth != null) {
                rb.sealer(auth).verifier(auth); // PONGs signed; PINGs without a valid tag unanswered and counted
            }
            responder = rb.build();
        } catch (IllegalArgumentException e) {
            throw optionError("--node-id", "nodeId", e);
        }
        String bindHost = host;
        if (host != null && !host.isBlank()) { // a blank one is the transport builder's to refuse (bad usage)
            try {
                bindHost = resolver.resolve(host.trim()).getHostAddress(); // the transport gets a literal: no second lookup
            } catch (UnknownHostException e) {
                err.println("heartbeat serve: cannot listen on " + host + ":" + port + ": unknown host '" + host
                        + "' (expected: an address or a name of this machine, e.g. 127.0.0.1, 0.0.0.0 or ::1)");
                err.flush();
                return ExitCodes.UNREACHABLE;
            }
        }
        Transport.Server server;
        try {
            server = transport.serve(responder, bindHost, port);
        } catch (IllegalArgumentException e) {
            // A value the transport's builder refused (a blank --host): bad usage, not an address that cannot be bound.
            throw usageError(e);
        } catch (RuntimeException e) {
            err.println("heartbeat serve: cannot listen on " + host + ":" + port + ": " + HeartbeatCli.describe(e));
            err.flush();
            return ExitCodes.UNREACHABLE;
        }
        MetricsEndpoint endpoint;
        try {
            metrics.resolver = resolver;
            endpoint = metrics.start();
        } catch (MetricsOption.CannotServe e) {
            server.close();
            err.println("heartbeat serve: " + e.getMessage());
            err.flush();
            return ExitCodes.UNREACHABLE;
        }
        if (endpoint != null) {
            ResponderMetrics.Builder mb = ResponderMetrics.builder(responder);
            server.counters().forEach(mb::transportCounter);
            server.gauges().forEach(mb::transportGauge);
            endpoint.bind(mb.build());
            err.println(MetricsOption.announce(endpoint));
            err.flush();
        }
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean closing = new AtomicBoolean();
        Runnable goodbye = () -> {
            if (closing.compareAndSet(false, true)) {
                // A frozen server cannot say goodbye: thaw it, but only once the server is closing, so
                // that the PINGs that queued up while frozen get no PONG (monitors would see the peer
                // come back for a moment before it leaves). The thawing waits at most a few seconds.
                Thread thaw = new Thread(() -> {
                    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                    while (!server.closing() && System.nanoTime() - until < 0) {
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                    }
                    freezable.thaw();
                }, "heartbeat-serve-thaw");
                thaw.setDaemon(true);
                thaw.start();
                int n = server.connections();
                server.closeGracefully(Duration.ZERO);
                if (endpoint != null) {
                    endpoint.close();
                }
                out.println("goodbye sent to " + n + " connection(s); closed");
                out.flush();
                stopped.countDown();
            }
        };
        Thread hook = new Thread(goodbye, "heartbeat-serve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out.printf(Locale.ROOT, "listening on %d (%s %s, node %s, epoch %016x, status %s, pid %d%s)%n", server.port(),
                server.name(), host, id, responder.epoch(), responder.status(), ProcessHandle.current().pid(),
                auth == null ? "" : ", " + describe(auth));
        out.flush();

        if (exitWithParent) {
            ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> {
                out.println("parent process " + parent.pid() + " exited");
                goodbye.run();
            }));
        }
        if (!statsEvery.isZero()) {
            Thread summary = new Thread(() -> summarize(server, stopped, err), "heartbeat-serve-stats");
            summary.setDaemon(true);
            summary.start();
        }
        Thread reader = new Thread(() -> readCommands(responder, server, freezable, goodbye, out, err),
                "heartbeat-serve-stdin");
        reader.setDaemon(true);
        reader.start();
        try {
            stopped.await();
        } finally {
            goodbye.run();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook is running or ran: fine
            }
        }
        return ExitCodes.OK;
    }

    /** ", authenticated: signs with key 8, accepts keys 7, 8": which keys, never a secret. */
    private static String describe(HmacSha256Authenticator auth) {
        String accepted = new TreeSet<>(auth.keyRing().keyIds()).toString();
        return "authenticated: signs with key " + auth.keyRing().signingKeyId() + ", accepts keys "
                + accepted.substring(1, accepted.length() - 1);
    }

    /**
     * A builder's "NAME : VALUE (expected: RULE)" as picocli's "Invalid value for option '--NAME': VALUE
     * (expected: RULE)"; only --host and --port reach the transport's builder.
     */
    private picocli.CommandLine.ParameterException usageError(IllegalArgumentException e) {
        String m = HeartbeatCli.describe(e);
        for (String name : new String[] {"host", "port"}) {
            if (m.startsWith(name + " : ")) {
                return optionError("--" + name, name, e);
            }
        }
        return new picocli.CommandLine.ParameterException(spec.commandLine(), "Invalid value for option '--host' "
                + "or '--port': " + host + ":" + port + ": " + m);
    }

    /**
     * A library's "{@code name : VALUE (expected: RULE)}" in the CLI's words: "Invalid value for
     * option '--node-id': VALUE (expected: RULE)" — the option the user typed, not the builder's
     * parameter name.
     */
    private picocli.CommandLine.ParameterException optionError(String option, String libraryName,
                                                              IllegalArgumentException e) {
        String m = HeartbeatCli.describe(e);
        String prefix = libraryName + " : ";
        return new picocli.CommandLine.ParameterException(spec.commandLine(), "Invalid value for option '" + option
                + "': " + (m.startsWith(prefix) ? m.substring(prefix.length()) : m));
    }

    /**
     * Every {@code --stats-every}: the stats line on stderr, when something was refused since the
     * last one (a quiet server prints nothing).
     */
    private void summarize(Transport.Server server, CountDownLatch stopped, PrintWriter err) {
        long printed = 0;
        try {
            while (!stopped.await(statsEvery.toNanos(), TimeUnit.NANOSECONDS)) {
                Transport.Stats st = server.stats();
                long refused = st.refusedTotal();
                if (refused != printed) {
                    printed = refused;
                    synchronized (err) {
                        err.println("heartbeat serve: stats: " + st);
                        err.flush();
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void readCommands(HeartbeatResponder responder, Transport.Server server, FreezableLoad freezable,
                              Runnable quit, PrintWriter out, PrintWriter err) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                String cmd = line.trim();
                if (cmd.isEmpty()) {
                    continue;
                }
                String[] words = cmd.split("\\s+");
                String verb = words[0].toLowerCase(Locale.ROOT);
                try {
                    switch (verb) {
                        case "status":
                            if (words.length != 2) {
                                throw new IllegalArgumentException("status : expects one value (expected one of "
                                        + "SERVING, DEGRADED, DRAINING, NOT_SERVING)");
                            }
                            setStatus(responder, ServingStatus.parse(words[1]), out);
                            break;
                        case "drain":
                            setStatus(responder, ServingStatus.DRAINING, out);
                            break;
                        case "serve":
                            setStatus(responder, ServingStatus.SERVING, out);
                            break;
                        case "freeze":
                            freezable.freeze();
                            out.println("frozen: threads answering PINGs now block");
                            break;
                        case "thaw":
                            freezable.thaw();
                            out.println("thawed");
                            break;
                        case "stats":
                            out.println("stats: " + server.stats());
                            break;
                        case "quit":
                        case "exit":
                            quit.run();
                            return;
                        default:
                            throw new IllegalArgumentException("unknown command '" + cmd
                                    + "' (expected: status STATUS, drain, serve, freeze, thaw, stats, quit)");
                    }
                } catch (IllegalArgumentException e) {
                    err.println("heartbeat serve: " + e.getMessage());
                    err.flush();
                }
                out.flush();
            }
        } catch (java.io.IOException e) {
            err.println("heartbeat serve: stdin: " + e.getMessage() + " (commands disabled; SIGTERM still works)");
            err.flush();
        }
    }

    private static void setStatus(HeartbeatResponder responder, ServingStatus s, PrintWriter out) {
        ServingStatus before = responder.status();
        responder.status(s);
        out.println("status " + s + " (was " + before + ")");
    }
}
