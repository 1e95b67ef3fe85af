package dev.heartbeat.bench.scale;

import dev.heartbeat.engine.HeartbeatMonitor;
import dev.heartbeat.engine.MonitorConfig;
import dev.heartbeat.engine.PeerObserver;
import dev.heartbeat.engine.spi.ClientTransport;
import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.Peer;
import dev.heartbeat.protocol.LoadView;
import dev.heartbeat.protocol.ServingStatus;
import dev.heartbeat.tcp.TcpClientTransport;
import dev.heartbeat.udp.UdpClientTransport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

/**
 * One JVM monitoring N peers at 1 Hz over TCP or UDP — the project's monitor, or the bare Netty
 * client ({@link BareClient}) — against responders in a few child JVMs. Prints one
 * {@code RESULT} line: CPU of this whole process per heartbeat, bytes allocated per heartbeat,
 * live heap per peer after a full GC (minus the same JVM's heap before any peer was added), RSS,
 * and peers declared dead (project: DEAD and SUSPECT transitions; bare: a 3-interval timeout) in
 * the measured window.
 *
 * <pre>
 * MonitorScale --client project|bare --transport tcp|udp --peers N [--responders 2]
 *              [--node-ids distinct|shared] [--warmup 20] [--measure 20] [--threads 2]
 *              [--interval-ms 1000] [--metrics] [--footprint [min B/peer, default 4]] [--hold]
 * </pre>
 * <p><b>Node ids.</b> Every peer answers with its own node id by default ({@code --node-ids
 * distinct}: {@code responder-PID-i}, i per UDP address or per TCP connection of a child), as a
 * fleet of N processes does: the monitor keeps each peer's node id as its bytes, and since it reuses
 * the array it decoded when a PONG's node id bytes are equal to the last ones, N peers sharing one id
 * would share one array and read lighter than a fleet. {@code --node-ids shared} gives all the peers of a
 * child one node id ({@code responder-PID}), for comparison. The responders are
 * {@link ResponderProcess}'s {@code udp-many} (one socket per peer) and {@code tcp-many} (a harness
 * answerer, one responder per connection) in both cases; the project's RESULT line ends with
 * {@code node_ids} (distinct node ids among the peers' states; a state makes its node id's string
 * when read, so shared instances are not counted). The bare client stores no node id.
 *
 * {@code --footprint} also prints the heap per peer class by class ({@link Footprint}: the JVM's
 * class histogram before the peers and after the measurement, per peer), as {@code FOOTPRINT} lines,
 * printed before the RESULT line: taken before {@code node_ids} reads every peer's state (which makes
 * and keeps each peer's {@code LoadReport}).
 * Bounded: adds at most N peers at ~2,000/s, waits at most 60 s for them, measures for the given
 * seconds, then closes everything (children end with their pipes).
 */
public final class MonitorScale {

    private MonitorScale() {
    }

    public static void main(String[] args) throws Exception {
        Args a = new Args(args);
        String client = a.get("client", "project");
        String transport = a.get("transport", "tcp");
        int peers = a.getInt("peers", 1000);
        int responders = a.getInt("responders", 2);
        int warmup = a.getInt("warmup", 20);
        int measure = a.getInt("measure", 20);
        int threads = a.getInt("threads", 2);
        long intervalNanos = a.getInt("interval-ms", 1000) * 1_000_000L;
        boolean udp = transport.equals("udp");
        boolean bare = client.equals("bare");
        String nodeIds = a.get("node-ids", "distinct");
        if (!nodeIds.equals("distinct") && !nodeIds.equals("shared")) {
            throw new IllegalArgumentException("node-ids : " + nodeIds + " (expected: distinct or shared)");
        }

        List<Child> children = new ArrayList<>();
        try {
            List<String> targets = new ArrayList<>();
            for (int r = 0; r < responders; r++) {
                String host = "127.0.0." + (2 + r);
                Path log = Child.tempLog("responder-" + r);
                if (udp) {
                    int count = peers / responders + (r < peers % responders ? 1 : 0);
                    Path file = Files.createTempFile("udp-addresses", ".txt");
                    Child c = Child.start(ResponderProcess.class, List.of("-Xmx512m", "-XX:+UseSerialGC"), log,
                            "udp-many", host, Integer.toString(count), file.toString(), nodeIds);
                    children.add(c);
                    c.await("READY");
                    targets.addAll(Files.readAllLines(file));
                    Files.delete(file);
                } else {
                    Child c = Child.start(ResponderProcess.class, List.of("-Xmx512m", "-XX:+UseSerialGC"), log,
                            "tcp-many", host, nodeIds);
                    children.add(c);
                    targets.add(c.await("READY").split(" ")[2]);
                }
            }

            Subject subject = bare ? new BareSubject(threads, intervalNanos, udp) : new ProjectSubject(threads, intervalNanos, udp);
            Thread.sleep(500);
            Footprint footprint = a.has("footprint") ? Footprint.start() : null;
            long heap0 = ProcStats.liveHeapBytes();
            long rss0 = ProcStats.rssBytes();

            long addDeadline = System.nanoTime() + 60_000_000_000L;
            for (int i = 0; i < peers && System.nanoTime() - addDeadline < 0; i++) {
                subject.add(i, targets.get(i % targets.size()));
                if (i % 20 == 19) {
                    Thread.sleep(10); // ~2,000 peers/s: the responders' accept queues keep up
                }
            }
            long waitUntil = System.nanoTime() + 60_000_000_000L;
            while (subject.alive() < peers && System.nanoTime() - waitUntil < 0) {
                Thread.sleep(200);
            }
            int aliveAtStart = subject.alive();
            Thread.sleep(warmup * 1000L);

            long dead0 = subject.dead();
            long suspect0 = subject.suspect();
            long hb0 = subject.heartbeats();
            long cpu0 = ProcStats.cpuNanos();
            long alloc0 = ProcStats.allocatedBytes();
            long t0 = System.nanoTime();
            Thread.sleep(measure * 1000L);
            long t1 = System.nanoTime();
            long alloc1 = ProcStats.allocatedBytes();
            long cpu1 = ProcStats.cpuNanos();
            long hb1 = subject.heartbeats();
            long dead = subject.dead() - dead0;
            long suspect = subject.suspect() - suspect0;
            int aliveAtEnd = subject.alive();
            long heap1 = ProcStats.liveHeapBytes();
            long rss1 = ProcStats.rssBytes();
            if (footprint != null) {
                // Before extra(): reading every peer's state makes and keeps each one's LoadReport.
                String min = a.get("footprint", "true");
                footprint.print(peers, min.equals("true") ? 4 : Double.parseDouble(min));
                System.out.flush();
            }
            String extra = subject.extra();

            long hb = Math.max(1, hb1 - hb0);
            double seconds = (t1 - t0) / 1e9;
            System.out.printf(Locale.ROOT, "RESULT client=%s transport=%s peers=%d hb_per_s=%.0f cpu_us_per_hb=%.2f"
                            + " cpu_pct=%.1f alloc_b_per_hb=%.1f heap_b_per_peer=%.0f rss_mb=%.1f rss_b_per_peer=%.0f"
                            + " dead=%d suspect=%d alive_start=%d alive_end=%d%s%n",
                    client, transport, peers, hb / seconds, (cpu1 - cpu0) / 1e3 / hb, 100.0 * (cpu1 - cpu0) / (t1 - t0),
                    (alloc1 - alloc0) / (double) hb, (heap1 - heap0) / (double) peers, rss1 / 1048576.0,
                    (rss1 - rss0) / (double) peers, dead, suspect, aliveAtStart, aliveAtEnd, extra);
            System.out.flush();
            if (a.has("metrics") && subject instanceof ProjectSubject) {
                metricsCost((ProjectSubject) subject, peers, measure, heap1);
            }
            if (a.has("hold")) {
                System.out.println("HOLD pid " + ProcessHandle.current().pid() + " (jmap/JFR now; Enter ends)");
                System.in.read();
            }
            subject.close();
        } finally {
            for (Child c : children) {
                c.close();
            }
        }
        System.exit(0);
    }

    /**
     * The cost of metrics at this scale: HeartbeatMetrics bound to a Prometheus registry (every
     * peer metered), then live heap per peer's meters, time per scrape (median of 20, and the
     * size of one), and CPU and allocation per heartbeat with metrics on.
     */
    private static void metricsCost(ProjectSubject s, int peers, int measure, long heapBefore) throws Exception {
        io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry =
                new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(
                        io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT);
        dev.heartbeat.metrics.HeartbeatMetrics metrics = dev.heartbeat.metrics.HeartbeatMetrics.builder(s.monitor)
                .maxPeers(Math.max(peers, 1)).build();
        long bindStart = System.nanoTime();
        metrics.bindTo(registry);
        long until = System.nanoTime() + 60_000_000_000L;
        while (metrics.meteredPeers() < peers && System.nanoTime() - until < 0) {
            Thread.sleep(100);
        }
        long bindMs = (System.nanoTime() - bindStart) / 1_000_000;
        Thread.sleep(3000); // every peer has had PONGs recorded
        long hb0 = s.heartbeats();
        long cpu0 = ProcStats.cpuNanos();
        long alloc0 = ProcStats.allocatedBytes();
        Thread.sleep(measure * 1000L);
        long alloc1 = ProcStats.allocatedBytes();
        long cpu1 = ProcStats.cpuNanos();
        long hb = Math.max(1, s.heartbeats() - hb0);
        long heap = ProcStats.liveHeapBytes();
        double[] scrapeMs = new double[20];
        int bytes = 0;
        for (int i = 0; i < scrapeMs.length; i++) {
            long t = System.nanoTime();
            bytes = registry.scrape().length();
            scrapeMs[i] = (System.nanoTime() - t) / 1e6;
        }
        java.util.Arrays.sort(scrapeMs);
        int series = 0;
        for (String line : registry.scrape().split("\n")) {
            if (!line.startsWith("#") && !line.isBlank()) {
                series++;
            }
        }
        System.out.printf(Locale.ROOT, "METRICS peers=%d metered=%d bind_ms=%d heap_b_per_peer_meters=%.0f scrape_ms_median=%.1f"
                        + " scrape_ms_max=%.1f scrape_bytes=%d series=%d cpu_us_per_hb=%.2f alloc_b_per_hb=%.1f%n",
                peers, metrics.meteredPeers(), bindMs, (heap - heapBefore) / (double) peers, scrapeMs[scrapeMs.length / 2],
                scrapeMs[scrapeMs.length - 1], bytes, series, (cpu1 - cpu0) / 1e3 / hb, (alloc1 - alloc0) / (double) hb);
        System.out.flush();
        metrics.close();
    }

    /** The client under test. */
    interface Subject extends AutoCloseable {
        void add(int i, String address) throws Exception;

        int alive();

        long heartbeats();

        long dead();

        long suspect();

        default String extra() {
            return "";
        }

        @Override
        void close();
    }

    static final class ProjectSubject implements Subject {
        final HeartbeatMonitor monitor;
        final LongAdder pongs = new LongAdder();
        final LongAdder dead = new LongAdder();
        final LongAdder suspect = new LongAdder();
        final boolean udp;

        ProjectSubject(int threads, long intervalNanos, boolean udp) {
            this.udp = udp;
            ClientTransport t = udp ? UdpClientTransport.builder().eventLoopThreads(threads).build()
                    : TcpClientTransport.builder().eventLoopThreads(threads).build();
            monitor = HeartbeatMonitor.builder(t).nodeId("monitor-01")
                    .config(MonitorConfig.custom().interval(Duration.ofNanos(intervalNanos)).build())
                    .observer(new PeerObserver() {
                        @Override
                        public void onPongMatched(Peer peer, long rttNanos, ServingStatus status, LoadView load) {
                            pongs.increment();
                        }
                    }).build();
            monitor.addListener(e -> {
                if (e.livenessChanged() && e.toLiveness() == Liveness.DEAD) {
                    dead.increment();
                } else if (e.livenessChanged() && e.toLiveness() == Liveness.SUSPECT) {
                    suspect.increment();
                }
            });
        }

        @Override
        public void add(int i, String address) {
            monitor.addPeer("p" + i, address);
        }

        @Override
        public int alive() {
            int n = 0;
            for (Peer p : monitor.peers()) {
                if (p.liveness() == Liveness.ALIVE) {
                    n++;
                }
            }
            return n;
        }

        @Override
        public long heartbeats() {
            return pongs.sum();
        }

        @Override
        public long dead() {
            return dead.sum();
        }

        @Override
        public long suspect() {
            return suspect.sum();
        }

        /** How many distinct node ids the peers' states hold. */
        @Override
        public String extra() {
            java.util.Set<String> ids = new java.util.HashSet<>();
            for (Peer p : monitor.peers()) {
                String id = p.state().nodeId();
                if (id != null) {
                    ids.add(id);
                }
            }
            return " node_ids=" + ids.size();
        }

        @Override
        public void close() {
            monitor.close();
        }
    }

    static final class BareSubject implements Subject {
        final BareClient client;

        BareSubject(int threads, long intervalNanos, boolean udp) throws InterruptedException {
            client = new BareClient(threads, intervalNanos, udp);
        }

        @Override
        public void add(int i, String address) {
            int colon = address.lastIndexOf(':');
            client.add(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
        }

        @Override
        public int alive() {
            return client.answered();
        }

        @Override
        public long heartbeats() {
            return client.pongs.sum();
        }

        @Override
        public long dead() {
            return client.deadDeclared.sum();
        }

        @Override
        public long suspect() {
            return 0;
        }

        @Override
        public void close() {
            client.close();
        }
    }

    /** {@code --name value} arguments. */
    static final class Args {
        private final java.util.Map<String, String> values = new java.util.HashMap<>();

        Args(String[] args) {
            for (int i = 0; i < args.length; i++) {
                if (!args[i].startsWith("--")) {
                    throw new IllegalArgumentException("argument : '" + args[i] + "' (expected: --name [value])");
                }
                String name = args[i].substring(2);
                String v = i + 1 < args.length && !args[i + 1].startsWith("--") ? args[++i] : "true";
                values.put(name, v);
            }
        }

        String get(String name, String dflt) {
            return values.getOrDefault(name, dflt);
        }

        int getInt(String name, int dflt) {
            return values.containsKey(name) ? Integer.parseInt(values.get(name)) : dflt;
        }

        boolean has(String name) {
            return values.containsKey(name);
        }
    }
}
