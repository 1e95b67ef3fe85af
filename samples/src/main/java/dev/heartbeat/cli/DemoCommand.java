package dev.heartbeat.cli;

import dev.heartbeat.detect.ThresholdUsabilityPolicy;
import dev.heartbeat.engine.spi.ClientTransport;
import dev.heartbeat.engine.HeartbeatMonitor;
import dev.heartbeat.engine.MonitorConfig;
import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.PeerEvent;
import dev.heartbeat.peer.Usability;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code heartbeat demo}: three responders in child JVMs on loopback, one monitor in this JVM,
 * and beside each responder a plain socket with tuned kernel keepalive. Freezes one, kills one,
 * drains one, restarts the killed one and resumes the frozen one, printing when each fault was
 * injected, when the heartbeat monitor saw it and why, and what the keepalive socket saw.
 *
 * <p>Every child is destroyed in a {@code finally} block and by a shutdown hook (Ctrl-C).
 */
@Command(name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "See it work: freeze, kill, drain, restart; each fault timed.",
            "",
            "Starts three responders (child JVMs on loopback) and a monitor, then freezes",
            "one (SIGSTOP), kills one (SIGKILL), drains one, restarts the killed one (new",
            "epoch) and resumes the frozen one. For each fault it prints when it happened,",
            "when the heartbeat monitor detected it and why, and what a plain socket with",
            "kernel keepalive tuned to 1s/1s/3 saw on the same peer. Exits 0 when every",
            "fault was detected, 4 otherwise.",
            ""
        },
        footer = {"", "Example:  heartbeat demo --duration 20s"})
final class DemoCommand implements Callable<Integer> {

    /** The default length, and the one the pauses below are written for. */
    static final Duration NOMINAL = Duration.ofSeconds(40);
    /** The responder the demo watches over UDP. */
    static final String UDP_PEER = "delta";
    /** A detection that takes longer than this failed (the demo says so and exits 4). */
    private static final Duration DETECT_TIMEOUT = Duration.ofSeconds(10);
    /** Starting a JVM, and reconnect backoff after a restart, can take a while on a busy machine. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    /** The demo's reconnect backoff cap (default 10 s), so a restart is seen within about a second. */
    private static final Duration RECONNECT_CAP = Duration.ofSeconds(1);

    @Spec
    CommandSpec spec;

    @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "40s",
            description = "The demo's length, 5s..10m: the pauses between steps scale with it, and a run "
                    + "takes a little less (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "100ms",
            description = "The monitor's heartbeat interval, 10ms..1s (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--no-signals",
            description = "Freeze in-process (block the responder's serving threads) instead of SIGSTOP, "
                    + "as on platforms without signals.")
    boolean noSignals;

    private PrintWriter out;
    private long t0;
    private final Object printLock = new Object();
    private final List<Seen> seen = new ArrayList<>();
    private final List<Row> rows = new ArrayList<>();
    /**
     * The children and keepalive sockets by name. The demo's thread adds to them (start, restart)
     * while the cleanup shutdown hook may be reading them, so both are synchronized maps; every
     * iteration works on a copy taken while holding the map's lock ({@link #snapshot(Map)}).
     */
    private final Map<String, ChildResponder> children = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<String, KeepaliveWatch> watches = Collections.synchronizedMap(new LinkedHashMap<>());
    /** Set by {@link #destroyAll()}: a child started after it is destroyed at once. */
    private volatile boolean destroyed;
    private boolean allDetected = true;
    /** When the freeze began (System.nanoTime), for the keepalive verdict over the whole freeze. */
    private long frozenAt;

    private record Seen(PeerEvent event, long nanos) {
    }

    private record Row(String fault, double at, String heartbeat, String keepalive) {
    }

    @Override
    public Integer call() throws Exception {
        if (duration.compareTo(Duration.ofSeconds(5)) < 0 || duration.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--duration': "
                    + HeartbeatCli.given(spec, "--duration") + " (expected: 5s..10m)");
        }
        if (interval.compareTo(Duration.ofMillis(10)) < 0 || interval.compareTo(Duration.ofSeconds(1)) > 0) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--interval': "
                    + HeartbeatCli.given(spec, "--interval") + " (expected: 10ms..1s)");
        }
        out = spec.commandLine().getOut();
        t0 = System.nanoTime();
        Thread hook = new Thread(this::destroyAll, "heartbeat-demo-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return run();
        } finally {
            destroyAll();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook does the same
            }
        }
    }

    private int run() throws Exception {
        double scale = duration.toMillis() / (double) NOMINAL.toMillis();
        boolean signals = !noSignals && ChildResponder.signalsAvailable();
        String freezeHow = signals ? "SIGSTOP (kill -STOP): the whole process stops; its kernel still ACKs"
                : "in-process: its serving threads block (" + (noSignals ? "--no-signals" : "signals unavailable here")
                + "); the process and its kernel stay up";

        say("Heartbeat demo: four responders (child JVMs on 127.0.0.1; three over TCP, delta over UDP), one monitor"
                + " here, heartbeat every " + DurationConverter.format(interval) + ".");
        say("Beside each responder: a plain java.net.Socket with kernel keepalive "
                + KeepaliveWatch.TUNER.idleSeconds() + "s idle / " + KeepaliveWatch.TUNER.intervalSeconds() + "s interval / "
                + KeepaliveWatch.TUNER.count() + " probes (gives up on a dead path in ≈" + KeepaliveWatch.TUNER.target().toSeconds() + " s).");
        say("Freeze method: " + freezeHow + ".");
        say("");

        for (String name : List.of("alpha", "beta", "gamma")) {
            addChild(name, ChildResponder.start(name, 0, line -> say("    [" + name + "] " + line)));
        }
        addChild(UDP_PEER, ChildResponder.start(UDP_PEER, 0, line -> say("    [" + UDP_PEER + "] " + line),
                "--transport", "udp"));
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (ChildResponder c : snapshot(children)) {
            int port = c.awaitPort(START_TIMEOUT);
            ports.put(c.name(), port);
            say(String.format(Locale.ROOT, "started %-5s pid %-7d 127.0.0.1:%d (JVM up in %d ms)", c.name(), c.pid(), port,
                    ms(c.listeningNanos() - c.startedNanos())));
        }

        // Three JVMs starting on a small machine push host CPU to 100 % for a moment; the CPU
        // thresholds would make that (real) load the story. They are off here, and said to be.
        MonitorConfig config = MonitorConfig.custom().interval(interval)
                .probeInterval(interval.compareTo(MonitorConfig.DEFAULT_PROBE_INTERVAL) < 0 ? interval
                        : MonitorConfig.DEFAULT_PROBE_INTERVAL)
                .usabilityPolicy(ThresholdUsabilityPolicy.custom().degradedCpu(1.0).unusableCpu(1.0).build())
                .build();
        try (ClientTransport client = Transport.TCP.client(RECONNECT_CAP);
             ClientTransport udp = Transport.UDP.client();
             HeartbeatMonitor monitor = HeartbeatMonitor.builder(client).transport("udp", udp).config(config)
                     .nodeId("demo-monitor").build()) {
            monitor.addListener(this::onEvent);
            for (Map.Entry<String, Integer> p : ports.entrySet()) {
                if (p.getKey().equals(UDP_PEER)) {
                    monitor.addPeer(p.getKey(), "udp://127.0.0.1:" + p.getValue()); // no kernel keepalive on UDP
                    continue;
                }
                monitor.addPeer(p.getKey(), "127.0.0.1:" + p.getValue());
                watches.put(p.getKey(), KeepaliveWatch.open(p.getKey(), "127.0.0.1", p.getValue()));
            }
            say("monitor over " + client.name() + " and " + udp.name() + " (reconnect backoff capped at "
                    + DurationConverter.format(RECONNECT_CAP) + " for the demo; CPU thresholds off: JVMs busy starting up"
                    + " would read as overloaded for a moment)");
            say("keepalive sockets: " + snapshot(watches).get(0).report());
            for (String name : ports.keySet()) {
                if (await(name, 0, e -> e.toLiveness() == Liveness.ALIVE && e.toUsability() == Usability.USABLE,
                        START_TIMEOUT) == null) {
                    say("warning: " + name + " is not ALIVE and USABLE yet: " + monitor.registry().peer(name)
                            .map(Object::toString).orElse("?") + "; going on");
                }
            }
            say("all four answer; the faults begin.");
            say("");

            // Pauses in seconds at the nominal 40 s; start-up and detections add about 3 s.
            freeze("alpha", signals, scale(scale, 10));
            kill("beta", scale(scale, 5));
            freezeUdp(UDP_PEER, signals, scale(scale, 3));
            drain("gamma", scale(scale, 4));
            restart("beta", ports.get("beta"), scale(scale, 4));
            resume("alpha", signals, scale(scale, 4));
            undrain("gamma", scale(scale, 3));
        }
        summary();
        say(allDetected ? "every fault was detected; cleaning up." : "some faults were NOT detected (see above); cleaning up.");
        return allDetected ? ExitCodes.OK : ExitCodes.FAILED;
    }

    // ---------------------------------------------------------------------------------------
    // The faults.
    // ---------------------------------------------------------------------------------------

    private void freeze(String name, boolean signals, Duration hold) throws Exception {
        ChildResponder c = children.get(name);
        randomPhase();
        long at = System.nanoTime();
        if (signals) {
            c.stop();
            say("FREEZE  " + name + ": kill -STOP " + c.pid() + " (process stopped; its kernel keeps ACKing)");
        } else {
            c.command("freeze");
            say("FREEZE  " + name + ": its serving threads now block (in-process freeze; the process and kernel stay up)");
        }
        Seen suspect = await(name, at, e -> e.toLiveness() == Liveness.SUSPECT || e.toLiveness() == Liveness.DEAD,
                DETECT_TIMEOUT);
        Seen dead = await(name, at, e -> e.toLiveness() == Liveness.DEAD, DETECT_TIMEOUT);
        String hb;
        if (dead == null) {
            hb = "NOT detected within " + DurationConverter.format(DETECT_TIMEOUT);
            allDetected = false;
        } else {
            hb = String.format(Locale.ROOT, "DEAD at %.2fs, %d ms after the fault%s: %s", seconds(dead.nanos),
                    ms(dead.nanos - at),
                    suspect != null && suspect != dead ? " (SUSPECT at " + ms(suspect.nanos - at) + " ms)" : "",
                    dead.event.reason());
        }
        say("  -> heartbeat: " + hb);
        sleepUntil(at + hold.toNanos());
        say("  -> keepalive: " + keepalive(name, at, "nothing; the frozen peer's kernel answers every probe"));
        rows.add(new Row("freeze " + name, seconds(at), hb, null));
        frozenAt = at;
    }

    /**
     * The same freeze over UDP: no connection to lose and no kernel keepalive to compare with;
     * the monitor sees PINGs go unanswered, then the PONGs come back.
     */
    private void freezeUdp(String name, boolean signals, Duration hold) throws Exception {
        ChildResponder c = children.get(name);
        randomPhase();
        long at = System.nanoTime();
        if (signals) {
            c.stop();
            say("FREEZE  " + name + " (UDP): kill -STOP " + c.pid());
        } else {
            c.command("freeze");
            say("FREEZE  " + name + " (UDP): its serving threads now block");
        }
        Seen dead = await(name, at, e -> e.toLiveness() == Liveness.DEAD, DETECT_TIMEOUT);
        String hb = detected(dead, at, "DEAD");
        say("  -> heartbeat: " + hb);
        rows.add(new Row("freeze " + name + " (udp)", seconds(at), hb, "-"));
        sleepUntil(at + hold.toNanos());
        long back = System.nanoTime();
        if (signals) {
            c.resume();
        } else {
            c.command("thaw");
        }
        say("RESUME  " + name + " (UDP)");
        Seen alive = await(name, back, e -> e.toLiveness() == Liveness.ALIVE, DETECT_TIMEOUT);
        String hbBack = detected(alive, back, "ALIVE");
        say("  -> heartbeat: " + hbBack);
        rows.add(new Row("resume " + name + " (udp)", seconds(back), hbBack, "-"));
    }

    private void kill(String name, Duration dwell) throws Exception {
        ChildResponder c = children.get(name);
        randomPhase();
        long at = System.nanoTime();
        c.kill();
        say("KILL    " + name + ": SIGKILL pid " + c.pid() + " (the kernel closes its sockets)");
        Seen dead = await(name, at, e -> e.toLiveness() == Liveness.DEAD, DETECT_TIMEOUT);
        String hb = detected(dead, at, "DEAD");
        say("  -> heartbeat: " + hb);
        KeepaliveWatch w = watches.get(name);
        long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (w.endedNanos() == 0 && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        String ka = keepalive(name, at, "nothing within 2 s");
        say("  -> keepalive: " + ka);
        rows.add(new Row("kill " + name, seconds(at), hb, ka));
        sleepUntil(at + dwell.toNanos());
    }

    private void drain(String name, Duration dwell) throws Exception {
        ChildResponder c = children.get(name);
        long at = System.nanoTime();
        c.command("status DRAINING");
        say("DRAIN   " + name + ": 'status DRAINING' written to its stdin");
        Seen unusable = await(name, at, e -> e.toUsability() == Usability.UNUSABLE, DETECT_TIMEOUT);
        String hb = detected(unusable, at, "UNUSABLE");
        say("  -> heartbeat: " + hb);
        sleepUntil(at + dwell.toNanos());
        String ka = keepalive(name, at, "nothing; the connection is fine, and TCP cannot carry 'draining'");
        say("  -> keepalive: " + ka);
        rows.add(new Row("drain " + name, seconds(at), hb, ka));
    }

    private void restart(String name, int port, Duration dwell) throws Exception {
        long at = System.nanoTime();
        ChildResponder c = ChildResponder.start(name, port, line -> say("    [" + name + "] " + line));
        addChild(name, c);
        say("RESTART " + name + ": a new process on the same port 127.0.0.1:" + port);
        c.awaitPort(START_TIMEOUT);
        long listening = c.listeningNanos();
        say(String.format(Locale.ROOT, "  .. pid %d listening after %d ms (JVM start-up)", c.pid(), ms(listening - at)));
        Seen restarted = await(name, at, e -> e.kind() == PeerEvent.Kind.RESTARTED, START_TIMEOUT);
        Seen alive = await(name, at, e -> e.toLiveness() == Liveness.ALIVE, START_TIMEOUT);
        String hb;
        if (restarted == null || alive == null) {
            hb = "NOT detected within " + DurationConverter.format(START_TIMEOUT);
            allDetected = false;
        } else {
            long seenAt = Math.max(restarted.nanos, alive.nanos);
            hb = String.format(Locale.ROOT, "RESTARTED and ALIVE at %.2fs, %d ms after it began listening "
                    + "(reconnect backoff): %s", seconds(seenAt), ms(seenAt - listening), restarted.event.reason());
        }
        say("  -> heartbeat: " + hb);
        String ka = "its socket died with the old process; a new one would just be another connection (no epoch)";
        say("  -> keepalive: " + ka);
        rows.add(new Row("restart " + name, seconds(at), hb, ka));
        sleepUntil(System.nanoTime() + dwell.toNanos());
    }

    private void resume(String name, boolean signals, Duration dwell) throws Exception {
        ChildResponder c = children.get(name);
        String ka = keepalive(name, frozenAt, "nothing in the whole freeze");
        long at = System.nanoTime();
        if (signals) {
            c.resume();
            say("RESUME  " + name + ": kill -CONT " + c.pid() + String.format(Locale.ROOT, " (frozen for %.1f s)",
                    (at - frozenAt) / 1e9));
        } else {
            c.command("thaw");
            say("RESUME  " + name + ": its serving threads run again" + String.format(Locale.ROOT, " (frozen for %.1f s)",
                    (at - frozenAt) / 1e9));
        }
        Seen alive = await(name, at, e -> e.toLiveness() == Liveness.ALIVE, DETECT_TIMEOUT);
        String hb = detected(alive, at, "ALIVE");
        say("  -> heartbeat: " + hb);
        String kaFreeze = ka;
        say("  -> keepalive: " + kaFreeze);
        // The freeze row gets the keepalive result over the whole freeze.
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            if (r.fault().equals("freeze " + name)) {
                rows.set(i, new Row(r.fault(), r.at(), r.heartbeat(), kaFreeze));
            }
        }
        rows.add(new Row("resume " + name, seconds(at), hb, "-"));
        sleepUntil(at + dwell.toNanos());
    }

    private void undrain(String name, Duration dwell) throws Exception {
        ChildResponder c = children.get(name);
        long at = System.nanoTime();
        c.command("status SERVING");
        say("SERVE   " + name + ": 'status SERVING' written to its stdin");
        Seen usable = await(name, at, e -> e.toUsability() == Usability.USABLE, DETECT_TIMEOUT);
        String hb = detected(usable, at, "USABLE");
        say("  -> heartbeat: " + hb);
        rows.add(new Row("serve " + name, seconds(at), hb, "-"));
        sleepUntil(at + dwell.toNanos());
    }

    private String detected(Seen s, long at, String what) {
        if (s == null) {
            allDetected = false;
            return what + " NOT detected within " + DurationConverter.format(DETECT_TIMEOUT);
        }
        return String.format(Locale.ROOT, "%s at %.2fs, %d ms after the fault: %s", what, seconds(s.nanos),
                ms(s.nanos - at), s.event.reason());
    }

    private String keepalive(String name, long since, String nothing) {
        KeepaliveWatch w = watches.get(name);
        long ended = w.endedNanos();
        if (ended == 0) {
            return String.format(Locale.ROOT, "%s (%.1f s)", nothing, (System.nanoTime() - since) / 1e9);
        }
        return String.format(Locale.ROOT, "connection ended %d ms after the fault: %s", ms(ended - since), w.how());
    }

    private void summary() {
        say("");
        say("Summary (times from the fault to its detection; heartbeat every " + DurationConverter.format(interval) + ")");
        for (Row r : rows) {
            say(String.format(Locale.ROOT, "  %-14s at %6.2fs", r.fault(), r.at()));
            say("      heartbeat: " + r.heartbeat());
            if (r.keepalive() != null && !r.keepalive().equals("-")) {
                say("      keepalive: " + r.keepalive());
            }
        }
        say("");
    }

    // ---------------------------------------------------------------------------------------
    // Events, waiting, printing.
    // ---------------------------------------------------------------------------------------

    private void onEvent(PeerEvent e) {
        long now = System.nanoTime();
        if (e.kind() != PeerEvent.Kind.ADDED && e.kind() != PeerEvent.Kind.REMOVED) {
            StringBuilder sb = new StringBuilder("    ").append(String.format(Locale.ROOT, "%-5s ", e.peer()));
            if (e.kind() == PeerEvent.Kind.RESTARTED) {
                sb.append("RESTARTED");
            } else {
                sb.append(e.fromLiveness() == e.toLiveness() ? e.toLiveness().toString()
                        : e.fromLiveness() + "->" + e.toLiveness());
                sb.append(' ');
                sb.append(e.fromUsability() == e.toUsability() ? e.toUsability().toString()
                        : e.fromUsability() + "->" + e.toUsability());
            }
            say(sb.append(": ").append(e.reason()).toString());
        }
        synchronized (seen) { // after printing, so the narration that waits for it comes below it
            seen.add(new Seen(e, now));
            seen.notifyAll();
        }
    }

    /** The first event for {@code peer} received at or after {@code sinceNanos} that matches, or null on timeout. */
    private Seen await(String peer, long sinceNanos, Predicate<PeerEvent> p, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (seen) {
            while (true) {
                for (Seen s : seen) {
                    if (s.nanos - sinceNanos >= 0 && s.event.peer().equals(peer) && s.event.kind() != PeerEvent.Kind.ADDED
                            && p.test(s.event)) {
                        return s;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                seen.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    /** Waits a random part of one interval, so faults land at a random point of the ping cycle. */
    private void randomPhase() throws InterruptedException {
        Thread.sleep(ThreadLocalRandom.current().nextLong(interval.toMillis() + 1));
    }

    private static void sleepUntil(long nanos) throws InterruptedException {
        long left;
        while ((left = nanos - System.nanoTime()) > 0) {
            Thread.sleep(Math.max(1, left / 1_000_000));
        }
    }

    private static Duration scale(double scale, int nominalSeconds) {
        return Duration.ofMillis(Math.round(nominalSeconds * 1000 * scale));
    }

    private void say(String line) {
        synchronized (printLock) {
            // Lines quote reasons and the children's output: escaped for the terminal like every human output.
            out.println(String.format(Locale.ROOT, "[%6.2fs] ", seconds(System.nanoTime())) + Text.safe(line));
            out.flush();
        }
    }

    private double seconds(long nanos) {
        return (nanos - t0) / 1e9;
    }

    private static long ms(long nanos) {
        return Math.round(nanos / 1e6);
    }

    /**
     * Records a started child under {@code name}; the one it replaces (a killed process, on restart)
     * is closed. After {@link #destroyAll()} began, the new child is destroyed instead.
     */
    private void addChild(String name, ChildResponder c) {
        ChildResponder replaced;
        synchronized (children) {
            if (destroyed) {
                replaced = c;
            } else {
                replaced = children.put(name, c);
            }
        }
        if (replaced != null) {
            replaced.close();
        }
        if (replaced == c) {
            throw new IllegalStateException("demo is shutting down; " + name + " was not kept");
        }
    }

    /** The values of a synchronized map, copied while holding its lock (its iterators need the lock). */
    private static <V> List<V> snapshot(Map<String, V> map) {
        synchronized (map) {
            return new ArrayList<>(map.values());
        }
    }

    /** Closes the keepalive sockets and destroys every child; idempotent, also run by the shutdown hook. */
    private synchronized void destroyAll() {
        destroyed = true;
        for (KeepaliveWatch w : snapshot(watches)) {
            w.close();
        }
        List<ChildResponder> all = snapshot(children);
        List<Thread> quitting = new ArrayList<>();
        for (ChildResponder c : all) {
            if (c.isAlive()) {
                Thread t = new Thread(() -> {
                    try {
                        c.resume(); // a stopped process cannot say goodbye
                    } catch (Exception e) {
                        // not stopped, or no signals: fine
                    }
                    try {
                        c.quit(Duration.ofSeconds(3));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        c.close();
                    }
                });
                t.start();
                quitting.add(t);
            }
        }
        for (Thread t : quitting) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (ChildResponder c : all) {
            c.close();
        }
    }
}
