package dev.heartbeat.bench.scale;

import dev.heartbeat.engine.HeartbeatMonitor;
import dev.heartbeat.engine.MonitorConfig;
import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.PeerEvent;
import dev.heartbeat.peer.Usability;
import dev.heartbeat.tcp.TcpClientTransport;
import dev.heartbeat.udp.UdpClientTransport;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Real faults end to end: a responder child JVM (a TCP and a UDP responder, and a plain listener)
 * is frozen with SIGSTOP or killed with SIGKILL at a random phase of the PING cycle, and the time
 * from the signal to the verdict is measured for a TCP peer and a UDP peer of one monitor (DEAD,
 * or UNUSABLE if that came first) and for a plain socket to the same process with kernel
 * keepalive tuned to 1 s idle, 1 s interval, 3 probes (its blocking read ends). One child per run;
 * the monitor is new each run (no history carried over) and warms up before the fault.
 *
 * <pre>
 * FaultDetection [--runs 20] [--faults STOP,KILL] [--interval-ms 200] [--warmup-ms 4000] [--bound-s 15] [--seed S]
 * </pre>
 * Bounded: each run waits at most {@code bound-s} seconds for its verdicts; the child is ended
 * (SIGCONT then SIGKILL by PID) at the end of every run, also on failure.
 */
public final class FaultDetection {

    private FaultDetection() {
    }

    public static void main(String[] args) throws Exception {
        MonitorScale.Args a = new MonitorScale.Args(args);
        int runs = a.getInt("runs", 20);
        long interval = a.getInt("interval-ms", 200) * 1_000_000L;
        int warmupMs = a.getInt("warmup-ms", 4000);
        long bound = a.getInt("bound-s", 15) * 1_000_000_000L;
        SplittableRandom random = new SplittableRandom(a.getInt("seed", 2026));
        System.out.printf(Locale.ROOT, "# fault detection: %d runs per fault, interval %d ms, bound %d s, epoll %s%n", runs,
                interval / 1_000_000, bound / 1_000_000_000L, Wire.EPOLL);
        for (String fault : a.get("faults", "STOP,KILL").split(",")) {
            double[][] t = new double[3][runs];
            for (int r = 0; r < runs; r++) {
                double[] one = run(fault, interval, warmupMs, bound, random);
                for (int k = 0; k < 3; k++) {
                    t[k][r] = one[k];
                }
                System.out.printf(Locale.ROOT, "RUN fault=%s run=%d tcp_ms=%s udp_ms=%s keepalive_ms=%s%n", fault, r + 1,
                        fmt(one[0]), fmt(one[1]), fmt(one[2]));
            }
            String[] names = {"tcp", "udp", "keepalive"};
            for (int k = 0; k < 3; k++) {
                System.out.println(summary("SIG" + fault, names[k], t[k], bound));
            }
        }
        System.exit(0);
    }

    /** One run; returns the detection times in ms (tcp, udp, keepalive), NaN when not within the bound. */
    private static double[] run(String fault, long interval, int warmupMs, long bound, SplittableRandom random)
            throws Exception {
        Child child = Child.start(ResponderProcess.class, List.of("-Xmx256m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"),
                Child.tempLog("fault-responder"), "fault", "127.0.0.2");
        HeartbeatMonitor monitor = null;
        Socket plain = null;
        try {
            String[] ready = child.await("READY").split(" ");
            AtomicLong tcpAt = new AtomicLong();
            AtomicLong udpAt = new AtomicLong();
            CountDownLatch both = new CountDownLatch(2);
            monitor = HeartbeatMonitor.builder(TcpClientTransport.create())
                    .transport("udp", UdpClientTransport.create())
                    .config(MonitorConfig.custom().interval(Duration.ofNanos(interval)).build()).build();
            monitor.addListener(e -> {
                if (bad(e)) {
                    AtomicLong at = e.peer().equals("t") ? tcpAt : e.peer().equals("u") ? udpAt : null;
                    if (at != null && at.compareAndSet(0, System.nanoTime())) {
                        both.countDown();
                    }
                }
            });
            monitor.addPeer("t", "tcp://" + ready[2]);
            monitor.addPeer("u", "udp://" + ready[3]);
            String[] hp = ready[4].split(":");
            plain = new Socket();
            plain.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            plain.setOption(jdk.net.ExtendedSocketOptions.TCP_KEEPIDLE, 1);
            plain.setOption(jdk.net.ExtendedSocketOptions.TCP_KEEPINTERVAL, 1);
            plain.setOption(jdk.net.ExtendedSocketOptions.TCP_KEEPCOUNT, 3);
            plain.connect(new InetSocketAddress(hp[0], Integer.parseInt(hp[1])), 2000);
            AtomicLong keepaliveAt = new AtomicLong();
            Socket s = plain;
            Thread reader = new Thread(() -> {
                try (InputStream in = s.getInputStream()) {
                    while (in.read() >= 0) {
                        // nothing is ever sent
                    }
                } catch (IOException e) {
                    // reset or timed out: the end is what we time
                }
                keepaliveAt.compareAndSet(0, System.nanoTime());
            }, "keepalive-reader");
            reader.setDaemon(true);
            reader.start();

            long until = System.nanoTime() + 10_000_000_000L;
            while ((monitor.peer("t").orElseThrow().liveness() != Liveness.ALIVE
                    || monitor.peer("u").orElseThrow().liveness() != Liveness.ALIVE) && System.nanoTime() - until < 0) {
                Thread.sleep(20);
            }
            Thread.sleep(warmupMs);
            tcpAt.set(0);
            udpAt.set(0);
            Thread.sleep(random.nextLong(interval) / 1_000_000, 0); // a random phase of the PING cycle
            long faultAt = System.nanoTime();
            if (fault.equals("KILL")) {
                child.process.destroyForcibly(); // SIGKILL by PID, no helper process in between
            } else {
                child.signal(fault);
            }
            both.await(bound, TimeUnit.NANOSECONDS);
            long end = faultAt + bound;
            while (keepaliveAt.get() == 0 && System.nanoTime() - end < 0) {
                Thread.sleep(10);
            }
            return new double[] {ms(tcpAt.get(), faultAt, bound), ms(udpAt.get(), faultAt, bound),
                ms(keepaliveAt.get(), faultAt, bound)};
        } finally {
            if (plain != null) {
                plain.close();
            }
            if (monitor != null) {
                monitor.close();
            }
            if (child.process.isAlive()) {
                try {
                    child.signal("CONT");
                } catch (IOException e) {
                    // already gone
                }
            }
            child.close();
        }
    }

    private static boolean bad(PeerEvent e) {
        return (e.livenessChanged() && e.toLiveness() == Liveness.DEAD)
                || (e.usabilityChanged() && e.toUsability() == Usability.UNUSABLE);
    }

    private static double ms(long at, long from, long bound) {
        return at == 0 || at - from > bound ? Double.NaN : (at - from) / 1e6;
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "none" : String.format(Locale.ROOT, "%.0f", v);
    }

    /** Median, p99 (nearest rank) and worst of the detected runs, and how many were not detected. */
    static String summary(String fault, String what, double[] values, long bound) {
        List<Double> ok = new ArrayList<>();
        for (double v : values) {
            if (!Double.isNaN(v)) {
                ok.add(v);
            }
        }
        int missed = values.length - ok.size();
        if (ok.isEmpty()) {
            return String.format(Locale.ROOT, "SUMMARY fault=%s detector=%s runs=%d detected=0 (none within %d s)", fault, what,
                    values.length, bound / 1_000_000_000L);
        }
        double[] d = ok.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(d);
        double median = d.length % 2 == 1 ? d[d.length / 2] : (d[d.length / 2 - 1] + d[d.length / 2]) / 2;
        double p99 = d[(int) Math.ceil(0.99 * d.length) - 1];
        return String.format(Locale.ROOT, "SUMMARY fault=%s detector=%s runs=%d detected=%d median_ms=%.0f p99_ms=%.0f worst_ms=%.0f%s",
                fault, what, values.length, d.length, median, p99, d[d.length - 1],
                missed > 0 ? " (" + missed + " not within " + bound / 1_000_000_000L + " s)" : "");
    }
}
