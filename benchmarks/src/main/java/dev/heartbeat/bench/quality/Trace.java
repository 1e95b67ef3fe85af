package dev.heartbeat.bench.quality;

import java.util.SplittableRandom;

/**
 * One trace: a monitor pinging every interval (with the engine's default ±10% jitter) over a
 * {@link Family.Scenario}, and when each answer was read. The same trace is fed to every detector
 * compared at trace level. Times are nanoseconds from the start.
 */
final class Trace {

    final long interval;
    final long duration;
    final Family.Scenario scenario;
    /** Send time of every PING, by sequence. */
    final long[] send;
    /** For each answer read, in reading order: its PING's sequence and when it was read. */
    final int[] seq;
    final long[] read;
    /** True when the answer was read late because the monitor was stalled (it is read at the stall's end). */
    final boolean[] afterStall;
    final int answers;

    Trace(Family family, long interval, long duration, long seed) {
        this.interval = interval;
        this.duration = duration;
        this.scenario = family.scenario(seed, duration);
        SplittableRandom jitter = new SplittableRandom(seed * 31 + 7);
        int n = (int) (duration / (interval * 0.9)) + 2;
        long[] s = new long[n];
        int[] q = new int[n];
        long[] r = new long[n];
        boolean[] st = new boolean[n];
        int count = 0;
        int sent = 0;
        long t = 0;
        long lastAnswer = Long.MIN_VALUE;
        long lastRead = Long.MIN_VALUE;
        int ps = 0;
        int ms = 0;
        var peer = scenario.peerStalls;
        var mon = scenario.monitorStalls;
        while (t < duration && sent < n) {
            while (ms < mon.size() && mon.get(ms).end() <= t) {
                ms++;
            }
            if (ms < mon.size() && mon.get(ms).start() <= t) {
                t = mon.get(ms).end(); // no PING goes out while the monitor is stopped
            }
            s[sent] = t;
            long d1 = scenario.delay(t, true);
            if (d1 >= 0) {
                long at = t + d1;
                while (ps < peer.size() && peer.get(ps).end() <= at) {
                    ps++;
                }
                if (ps < peer.size() && peer.get(ps).start() <= at) {
                    at = peer.get(ps).end(); // queued until the peer's stall ends
                }
                at = Math.max(at, lastAnswer);
                lastAnswer = at;
                long d2 = scenario.delay(at, false);
                if (d2 >= 0) {
                    long arrive = Math.max(at + d2, lastRead);
                    boolean late = false;
                    for (int k = ms; k < mon.size() && mon.get(k).start() <= arrive; k++) {
                        if (arrive < mon.get(k).end()) {
                            arrive = mon.get(k).end();
                            late = true;
                        }
                    }
                    lastRead = arrive;
                    q[count] = sent;
                    r[count] = arrive;
                    st[count] = late;
                    count++;
                }
            }
            sent++;
            t += (long) (interval * (1 + 0.1 * (2 * jitter.nextDouble() - 1)));
        }
        this.send = java.util.Arrays.copyOf(s, sent + 1);
        this.send[sent] = t;
        this.seq = q;
        this.read = r;
        this.afterStall = st;
        this.answers = count;
    }

    double hours(long warmup) {
        return (duration - warmup) / 3.6e12;
    }
}
