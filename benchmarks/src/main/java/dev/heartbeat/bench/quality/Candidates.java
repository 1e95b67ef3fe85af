package dev.heartbeat.bench.quality;

import dev.heartbeat.detect.AdaptiveDetector;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.remote.FailureDetector;
import org.apache.pekko.remote.PhiAccrualFailureDetector;
import scala.concurrent.duration.FiniteDuration;

/** The detectors compared at trace level, each behind one small interface. */
final class Candidates {

    private Candidates() {
    }

    /** A binary failure detector fed a trace: suspected or not, as a function of time. */
    interface Candidate {
        /** An answer to PING {@code seq} (sent at {@code send}) read at {@code read}; the next PING goes out at {@code nextSend}. */
        void heartbeat(int seq, long send, long read, long nextSend);

        /** When it will suspect the peer if nothing more arrives (absolute), or {@link Long#MAX_VALUE}. */
        long suspectAt();

        /** The monitor was stalled over [start, end): only a detector that checks its own timers hears of it. */
        default void monitorStalled(long start, long end) {
        }
    }

    // -----------------------------------------------------------------------------------------
    // Chen, Toueg & Aguilera, "On the Quality of Service of Failure Detectors", IEEE Trans.
    // Computers 51(5), 2002, Section 6 (NFD-E): the expected arrival of heartbeat l+1 is estimated
    // from the last n heartbeats as EA(l+1) = (1/n) Σ (A_i − η·s_i) + (l+1)·η, and the freshness
    // point is τ(l+1) = EA(l+1) + α; the peer is suspected from τ(l+1) on unless heartbeat l+1 (or
    // later) came. Here the sender is the monitor itself (it sends the PINGs), so η·s_i — the
    // nominal send time — is replaced by the real send time σ_i that the monitor recorded:
    // EA(l+1) = σ(l+1) + (1/n) Σ (A_i − σ_i). (With ±10% ping jitter the nominal times would drift
    // from the real ones as a random walk and wreck the estimate.)
    //
    // Tomsic, Sens, Garcia, Arantes & Sopena, "2W-FD: A Failure Detector Algorithm with QoS",
    // IPDPS 2015: two such estimators over windows n1 (small) and n2 (large), and
    // τ(l+1) = max(EA_n1(l+1), EA_n2(l+1)) + α — reacting fast to a sudden rise in delay, slowly
    // to a fall. Window sizes as in the paper's evaluation: n1 = 1, n2 = 1000.
    // -----------------------------------------------------------------------------------------

    /** Chen's NFD-E (one window) or 2W-FD (two windows), with safety margin α. */
    static final class Estimator implements Candidate {
        private final long alpha;
        private final Window big;
        private final Window small;
        private long freshness = Long.MAX_VALUE;

        Estimator(long alphaNanos, int n2, int n1) {
            this.alpha = alphaNanos;
            this.big = new Window(n2);
            this.small = n1 > 0 ? new Window(n1) : null;
        }

        @Override
        public void heartbeat(int seq, long send, long read, long nextSend) {
            double delay = read - send;
            big.add(delay);
            double d = big.mean();
            if (small != null) {
                small.add(delay);
                d = Math.max(d, small.mean());
            }
            freshness = nextSend + (long) d + alpha;
        }

        @Override
        public long suspectAt() {
            return freshness;
        }

        private static final class Window {
            final double[] ring;
            int count;
            int next;
            double sum;

            Window(int n) {
                ring = new double[n];
            }

            void add(double x) {
                if (count == ring.length) {
                    sum -= ring[next];
                } else {
                    count++;
                }
                ring[next] = x;
                sum += x;
                next = (next + 1) % ring.length;
            }

            double mean() {
                return sum / count;
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Pekko's own PhiAccrualFailureDetector (org.apache.pekko:pekko-remote), unmodified, on a
    // settable clock (milliseconds, as Pekko's clock is).
    // -----------------------------------------------------------------------------------------

    static final class SettableClock extends FailureDetector.Clock {
        long millis;

        @Override
        public long apply$mcJ$sp() {
            return millis;
        }

        @Override
        public Object apply() {
            return millis;
        }
    }

    /** Pekko's cluster failure-detector defaults: threshold 8, 1000 samples, σ ≥ 100 ms, 3 s acceptable pause. */
    static Pekko pekkoDefaults(long interval) {
        return new Pekko(8.0, 100, 3_000, interval);
    }

    static final class Pekko implements Candidate {
        private final SettableClock clock = new SettableClock();
        private final PhiAccrualFailureDetector fd;
        private final double threshold;
        private long last;
        private long cachedFor = Long.MIN_VALUE;
        private long cached;

        Pekko(double threshold, long minStdMillis, long acceptablePauseMillis, long intervalNanos) {
            this.threshold = threshold;
            this.fd = new PhiAccrualFailureDetector(threshold, 1000, millis(minStdMillis), millis(acceptablePauseMillis),
                    millis(Math.max(1, intervalNanos / 1_000_000)), clock);
        }

        private static FiniteDuration millis(long ms) {
            return FiniteDuration.apply(ms, TimeUnit.MILLISECONDS);
        }

        @Override
        public void heartbeat(int seq, long send, long read, long nextSend) {
            clock.millis = read / 1_000_000;
            fd.heartbeat();
            last = read;
        }

        /** Suspected at {@code t}? One φ evaluation. */
        boolean suspectedAt(long t) {
            clock.millis = t / 1_000_000;
            return fd.phi() >= threshold;
        }

        @Override
        public long suspectAt() {
            if (cachedFor == last) {
                return cached;
            }
            long lo = last;
            long hi = last + 1_000_000;
            while (!suspectedAt(hi)) {
                hi = lo + 2 * (hi - lo);
                if (hi - last > 3_600_000_000_000L) {
                    return Long.MAX_VALUE;
                }
            }
            while (hi - lo > 1_000_000) { // Pekko's clock has millisecond resolution
                long mid = (lo + hi) >>> 1;
                if (suspectedAt(mid)) {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            cachedFor = last;
            cached = hi - hi % 1_000_000;
            return cached;
        }
    }

    // -----------------------------------------------------------------------------------------
    // Ours, the detector alone (no probes: the engine run adds those): AdaptiveDetector fed our
    // own send record, exactly as PeerMonitor feeds it.
    // -----------------------------------------------------------------------------------------

    static final class Ours implements Candidate {
        private final AdaptiveDetector d;
        private final long interval;
        private final long[] rtts = new long[16];
        private int rttCount;
        private long lastRead = Long.MIN_VALUE;

        Ours(double mistakesPerHour, long interval) {
            this.d = new AdaptiveDetector(AdaptiveDetector.Config.custom().mistakesPerHour(mistakesPerHour).build(),
                    Duration.ofNanos(interval));
            this.interval = interval;
        }

        @Override
        public void heartbeat(int seq, long send, long read, long nextSend) {
            long rtt = read - send;
            long base = rtt;
            for (int i = 0; i < Math.min(rttCount, 16); i++) {
                base = Math.min(base, rtts[i]);
            }
            rtts[rttCount++ % 16] = rtt;
            boolean burst = d.hasHeartbeat() && send < lastRead && read - lastRead < interval / 4;
            d.heartbeat(read, send, Math.max(read, nextSend + base), !burst);
            lastRead = read;
        }

        @Override
        public long suspectAt() {
            return d.hasHeartbeat() ? d.dueNanos() + (long) Math.ceil(d.deadAfterNanos()) : Long.MAX_VALUE;
        }

        @Override
        public void monitorStalled(long start, long end) {
            d.forgive(end - start, end);
        }
    }
}
