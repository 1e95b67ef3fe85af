package dev.heartbeat.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.heartbeat.engine.HeartbeatMonitor;
import dev.heartbeat.failover.FailoverRouter;
import dev.heartbeat.failover.LoadSamples;
import dev.heartbeat.failover.SlowStart;
import dev.heartbeat.failover.pool.KeyedPoolClients;
import dev.heartbeat.failover.pool.PooledPeerClient;
import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.Peer;
import dev.heartbeat.peer.PeerAttributes;
import dev.heartbeat.peer.PeerEvent;
import dev.heartbeat.peer.PeerSpec;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.commons.pool2.BaseKeyedPooledObjectFactory;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.apache.commons.pool2.impl.GenericKeyedObjectPool;
import org.apache.commons.pool2.impl.GenericKeyedObjectPoolConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Failover end to end: three real TCP responders on loopback (two in-process, one a child JVM),
 * a heartbeat monitor over TCP, and about 1,000 idempotent calls per second through the router,
 * over a real commons-pool2 keyed pool of sockets. The child is frozen (SIGSTOP) and resumed, or
 * killed; no call may fail. Calls per peer per 100 ms are printed so the shift can be seen.
 */
class FailoverEndToEndTest {

    private static final int RATE = 1000;               // calls per second, paced
    private static final long BUCKET_NANOS = 100_000_000L;
    private static final int CALL_TIMEOUT_MS = 250;     // the user's own per-attempt timeout
    private static final String[] NAMES = {"p1", "p2", "victim"};

    private final List<DataResponder> inProcess = new ArrayList<>();
    private final List<PeerEvent> events = Tcp.events();
    private final ConcurrentLinkedQueue<String> breakerMoves = new ConcurrentLinkedQueue<>();
    private Process child;
    private TcpClientTransport transport;
    private HeartbeatMonitor monitor;
    private GenericKeyedObjectPool<Peer, Conn> pool;
    private FailoverRouter<PooledPeerClient<Conn>> router;
    private volatile long victimDeadAt;

    /** A blocking connection to a peer's data port, with the user's read timeout. */
    static final class Conn {
        final String peer;
        final Socket socket;
        final DataInputStream in;
        final DataOutputStream out;

        Conn(String peer, String host, int port) throws IOException {
            this.peer = peer;
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(CALL_TIMEOUT_MS);
            socket.connect(new InetSocketAddress(host, port), CALL_TIMEOUT_MS);
            in = new DataInputStream(socket.getInputStream());
            out = new DataOutputStream(socket.getOutputStream());
        }

        long roundTrip(long id) throws IOException {
            out.writeLong(id);
            out.flush();
            long got = in.readLong();
            if (got != id) {
                throw new IOException(peer + " answered " + got + " to " + id);
            }
            return got;
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(new File("/bin/kill").canExecute() || new File("/usr/bin/kill").canExecute(), "no kill(1)");
        assumeTrue(!System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("win"), "no POSIX signals");
        int[][] ports = new int[3][];
        for (int i = 0; i < 2; i++) {
            DataResponder r = DataResponder.start(NAMES[i]);
            inProcess.add(r);
            ports[i] = new int[] {r.heartbeatPort(), r.dataPort()};
        }
        child = startChild();
        ports[2] = readPorts(child);

        LoadSamples samples = LoadSamples.create();
        transport = TcpClientTransport.create();
        monitor = HeartbeatMonitor.builder(transport).config(Tcp.FAST).nodeId("failover-e2e").observer(samples)
                .watchGarbageCollector(false).build();
        monitor.addListener(e -> {
            events.add(e);
            if (e.peer().equals("victim") && e.kind() == PeerEvent.Kind.TRANSITION && e.toLiveness() == Liveness.DEAD) {
                victimDeadAt = System.nanoTime();
            }
        });
        GenericKeyedObjectPoolConfig<Conn> cfg = new GenericKeyedObjectPoolConfig<>();
        cfg.setMaxTotalPerKey(64);
        cfg.setMaxIdlePerKey(64);
        cfg.setMaxWait(Duration.ofMillis(CALL_TIMEOUT_MS));
        pool = new GenericKeyedObjectPool<>(new BaseKeyedPooledObjectFactory<Peer, Conn>() {
            @Override
            public Conn create(Peer peer) throws IOException {
                String[] hp = peer.attributes().dataAddress().split(":");
                return new Conn(peer.name(), hp[0], Integer.parseInt(hp[1]));
            }

            @Override
            public PooledObject<Conn> wrap(Conn c) {
                return new DefaultPooledObject<>(c);
            }

            @Override
            public void destroyObject(Peer peer, PooledObject<Conn> p) throws IOException {
                p.getObject().socket.close();
            }
        }, cfg);
        router = FailoverRouter.builder(monitor, KeyedPoolClients.of(pool)).samples(samples)
                .slowStart(SlowStart.custom().window(Duration.ofSeconds(1)).readmissionJitter(Duration.ofMillis(200)).build())
                .build();
        for (int i = 0; i < 3; i++) {
            monitor.addPeer(PeerSpec.of(NAMES[i], "127.0.0.1:" + ports[i][0],
                    PeerAttributes.builder().dataAddress("127.0.0.1:" + ports[i][1]).build()));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> monitor.peers().stream().allMatch(Peer::available)
                && router.stats().healthy() == 3);
        CircuitBreaker victim = router.circuitBreaker("victim").orElseThrow();
        victim.getEventPublisher().onStateTransition(e -> breakerMoves.add(e.getStateTransition().getToState().name()));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (router != null) {
            router.close();
        }
        if (monitor != null) {
            monitor.close();
        }
        if (pool != null) {
            pool.close();
        }
        if (child != null) {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
        for (DataResponder r : inProcess) {
            r.close();
        }
    }

    /** What a bounded load run saw. */
    private static final class Run {
        final long start;
        final int buckets;
        final AtomicIntegerArray[] attempts = new AtomicIntegerArray[3];
        final AtomicLong ok = new AtomicLong();
        final ConcurrentLinkedQueue<Throwable> failed = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Long> victimAttemptStarts = new ConcurrentLinkedQueue<>();

        Run(long start, Duration length) {
            this.start = start;
            this.buckets = (int) (length.toNanos() / BUCKET_NANOS) + 30;
            for (int i = 0; i < 3; i++) {
                attempts[i] = new AtomicIntegerArray(buckets);
            }
        }

        void attempt(String peer) {
            long now = System.nanoTime();
            int i = peer.equals("p1") ? 0 : peer.equals("p2") ? 1 : 2;
            attempts[i].incrementAndGet((int) Math.min(buckets - 1, (now - start) / BUCKET_NANOS));
            if (i == 2) {
                victimAttemptStarts.add(now);
            }
        }

        long victimAttemptsBetween(long from, long to) {
            return victimAttemptStarts.stream().filter(t -> t >= from && t < to).count();
        }

        void print(String title, long faultAt, long deadAt, long resumeAt) {
            StringBuilder sb = new StringBuilder(title).append(": attempts per 100 ms (fault at ")
                    .append(ms(faultAt)).append(" ms, victim DEAD at ").append(ms(deadAt)).append(" ms")
                    .append(resumeAt > 0 ? ", resumed at " + ms(resumeAt) + " ms" : "").append(")\n   t(ms)    p1    p2 victim\n");
            for (int b = 0; b < buckets; b++) {
                int p1 = attempts[0].get(b);
                int p2 = attempts[1].get(b);
                int v = attempts[2].get(b);
                if (p1 + p2 + v == 0) {
                    continue;
                }
                sb.append(String.format(Locale.ROOT, "  %6d %5d %5d %6d%n", b * 100, p1, p2, v));
            }
            System.out.print(sb);
        }

        long ms(long t) {
            return (t - start) / 1_000_000;
        }
    }

    /** Paces {@code RATE} idempotent calls per second for {@code length}, running {@code script} at its times. */
    private Run load(Duration length, List<Step> script) throws Exception {
        int total = (int) (RATE * length.toNanos() / 1_000_000_000L);
        long start = System.nanoTime();
        Run run = new Run(start, length);
        ExecutorService workers = Executors.newFixedThreadPool(32);
        try {
            int next = 0;
            for (int k = 0; k < total; k++) {
                long due = start + k * (1_000_000_000L / RATE);
                while (next < script.size() && System.nanoTime() - start >= script.get(next).atNanos) {
                    script.get(next++).action.run();
                }
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                final long id = k;
                workers.execute(() -> {
                    try {
                        long got = router.executeIdempotent(c -> {
                            run.attempt(c.peer().name()); // stamped as soon as the router has chosen
                            return c.withObject(conn -> conn.roundTrip(id));
                        });
                        assertThat(got).isEqualTo(id);
                        run.ok.incrementAndGet();
                    } catch (Throwable t) {
                        run.failed.add(t);
                    }
                });
            }
            while (next < script.size()) {
                script.get(next++).action.run();
            }
        } finally {
            workers.shutdown();
            assertThat(workers.awaitTermination(30, TimeUnit.SECONDS)).as("load drained").isTrue();
        }
        assertThat(run.ok.get() + run.failed.size()).isEqualTo(total);
        return run;
    }

    private record Step(long atNanos, Runnable action) {
        static Step at(long millis, Runnable action) {
            return new Step(TimeUnit.MILLISECONDS.toNanos(millis), action);
        }
    }

    @Test
    void aFrozenPeerLosesItsTrafficWithinItsDetectionTimeAndGetsItBackThroughSlowStart() throws Exception {
        long[] frozenAt = new long[1];
        long[] resumedAt = new long[1];
        // The freeze is held 3 s: detection takes under a second on a quiet machine, but a monitor
        // whose own timers run late (a loaded CI box) may forgive up to maxForgiveness (1 s here) first.
        Run run = load(Duration.ofMillis(7000), List.of(
                Step.at(1000, () -> {
                    frozenAt[0] = System.nanoTime();
                    signal("STOP");
                }),
                Step.at(4000, () -> {
                    resumedAt[0] = System.nanoTime();
                    signal("CONT");
                })));
        run.print("SIGSTOP", frozenAt[0], victimDeadAt, resumedAt[0]);
        long detectionMs = (victimDeadAt - frozenAt[0]) / 1_000_000;
        long lastBeforeResume = run.victimAttemptStarts.stream().filter(t -> t < resumedAt[0]).mapToLong(Long::longValue)
                .max().orElse(frozenAt[0]);
        System.out.printf(Locale.ROOT, "SIGSTOP: %d calls, %d failed; victim DEAD %d ms after the freeze; last attempt on it"
                        + " %d ms after the freeze; %d attempts on it during the freeze; retries %d (denied %d); breaker %s%n",
                run.ok.get() + run.failed.size(), run.failed.size(), detectionMs, (lastBeforeResume - frozenAt[0]) / 1_000_000,
                run.victimAttemptsBetween(frozenAt[0], resumedAt[0]), router.stats().retries(),
                router.stats().retriesDenied(), breakerMoves);

        assertThat(run.failed).as("no call fails").isEmpty();
        assertThat(victimDeadAt).as("the freeze was detected").isGreaterThan(frozenAt[0]);
        assertThat(run.victimAttemptsBetween(victimDeadAt + TimeUnit.MILLISECONDS.toNanos(50), resumedAt[0]))
                .as("no attempt reaches the frozen peer once it is DEAD").isZero();
        assertThat(breakerMoves).as("its breaker opened, then let trial calls through").contains("OPEN", "HALF_OPEN");
        long afterResume = run.victimAttemptStarts.stream().filter(t -> t > resumedAt[0]).count();
        assertThat(afterResume).as("traffic came back after the resume").isGreaterThan(50);
        await().atMost(Duration.ofSeconds(5)).until(() -> router.circuitBreaker("victim").orElseThrow().getState()
                == CircuitBreaker.State.CLOSED);
        assertThat(router.stats().readmissions()).as("through slow start").isGreaterThanOrEqualTo(1);
    }

    @Test
    void aKilledPeerLosesItsTrafficAtOnceAndNoCallFails() throws Exception {
        long[] killedAt = new long[1];
        Run run = load(Duration.ofMillis(3000), List.of(Step.at(1000, () -> {
            killedAt[0] = System.nanoTime();
            signal("KILL");
        })));
        run.print("SIGKILL", killedAt[0], victimDeadAt, 0);
        System.out.printf(Locale.ROOT, "SIGKILL: %d calls, %d failed; victim DEAD %d ms after the kill; %d attempts on it"
                        + " after the kill; retries %d; breaker %s%n", run.ok.get() + run.failed.size(), run.failed.size(),
                (victimDeadAt - killedAt[0]) / 1_000_000, run.victimAttemptsBetween(killedAt[0], Long.MAX_VALUE),
                router.stats().retries(), breakerMoves);

        assertThat(run.failed).as("no call fails").isEmpty();
        assertThat(victimDeadAt).isGreaterThan(killedAt[0]);
        assertThat(run.victimAttemptsBetween(victimDeadAt + TimeUnit.MILLISECONDS.toNanos(50), Long.MAX_VALUE))
                .as("no attempt reaches the dead peer once it is DEAD").isZero();
        assertThat(breakerMoves).contains("OPEN");
        assertThat(router.circuitBreaker("victim").orElseThrow().getState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(pool.getNumIdle(monitor.peer("victim").orElseThrow())).as("its pooled connections were cleared").isZero();
    }

    private void signal(String sig) {
        try {
            Process k = new ProcessBuilder("kill", "-" + sig, Long.toString(child.pid())).redirectErrorStream(true).start();
            assertThat(k.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(k.exitValue()).as("kill -%s %d", sig, child.pid()).isZero();
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("kill -" + sig, e);
        }
    }

    private static Process startChild() throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path");
        if (cp == null || cp.isBlank()) {
            cp = System.getProperty("java.class.path");
        }
        Path args = Files.createTempFile("failover-child", ".args");
        args.toFile().deleteOnExit();
        Files.writeString(args, "-cp \"" + cp.replace("\\", "\\\\") + "\"");
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx64m", "-XX:TieredStopAtLevel=1",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "@" + args, DataResponder.class.getName(), "victim");
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        return pb.start();
    }

    private static int[] readPorts(Process child) throws Exception {
        BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        String line = CompletableFuture.supplyAsync(() -> {
            try {
                return r.readLine();
            } catch (IOException e) {
                return null;
            }
        }).get(30, TimeUnit.SECONDS);
        assertThat(line).as("child's first line").isNotNull().startsWith("PORTS ");
        String[] p = line.substring(6).trim().split(" ");
        return new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1])};
    }
}
