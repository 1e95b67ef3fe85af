package dev.heartbeat.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The detector's histogram whatever the silences (they come from the network): never past its 221
 * bins, every entry of the protected top kept (nothing merged while the whole history is the top), back
 * to {@value AdaptiveDetector#MAX_ENTRIES} entries once the body can give way; and the cap never makes
 * a timeout shorter nor moves weight down.
 */
class AdaptiveDetectorBoundsTest {

    private static final long MS = 1_000_000L;
    /** Array bytes of a histogram at the cap: 8 entries of 5 bytes. */
    private static final int CAP_BYTES = AdaptiveDetector.MAX_ENTRIES * 5;
    /** Array bytes of a histogram with every bin. */
    private static final int ALL_BINS_BYTES = 221 * 5;

    /**
     * At the default configuration and a 60 s interval, p = 1/60, the remembered history is about
     * 3/p = 180 silences and the tail k = 30 p n is half of it: the whole history is the protected top,
     * and every bin reached (about 100) keeps its entry — nothing is merged.
     */
    @Test
    void atASixtySecondIntervalTheWholeHistoryIsTheTopAndKept() {
        long t60 = 60_000 * MS;
        AdaptiveDetector d = new AdaptiveDetector(AdaptiveDetector.Config.ofDefaults(), t60);
        SplittableRandom r = new SplittableRandom(5);
        // ordinary jitter: 50 µs .. 50 ms late, log-uniform (about 100 bins)
        java.util.BitSet reached = feed(d, t60, 3_000, () -> (long) (50_000 * Math.pow(2, r.nextDouble() * 10)));
        assertThat(occupied(d)).isEqualTo(reached.cardinality()).isGreaterThan(80);
        assertThat(d.histogramBytes()).isLessThanOrEqualTo(ALL_BINS_BYTES);
    }

    /**
     * The default configuration at 1 s: a peer whose answers come within 50 µs of their due time (bin
     * 0) 97% of the time, the other 3% spread log-uniformly over 50 µs .. 50 ms (about 100 bins): the
     * top 4 k silences are more than all the late ones, so each bin they reach keeps its entry.
     */
    @Test
    void aMostlyOnTimePeerAtOneSecondKeepsItsWholeTop() {
        long t1 = 1_000 * MS;
        AdaptiveDetector d = new AdaptiveDetector(AdaptiveDetector.Config.ofDefaults(), t1);
        SplittableRandom r = new SplittableRandom(11);
        java.util.BitSet reached = feed(d, t1, 20_000, // five and a half hours
                () -> r.nextDouble() < 0.97 ? 0 : (long) (50_000 * Math.pow(2, r.nextDouble() * 10)));
        assertThat(occupied(d)).isEqualTo(reached.cardinality()).isGreaterThan(AdaptiveDetector.MAX_ENTRIES);
    }

    /** Feeds {@code beats} answers, each {@code overdue} past its due time; returns the bins the silences reached. */
    private static java.util.BitSet feed(AdaptiveDetector d, long interval, int beats, java.util.function.LongSupplier overdue) {
        java.util.BitSet reached = new java.util.BitSet();
        long t = 0;
        for (int i = 0; i < beats; i++) {
            long x = overdue.getAsLong();
            t += interval + x;
            d.heartbeat(t, t - 1, t + interval, true);
            if (i > 0) { // the first heartbeat ends no silence
                reached.set(AdaptiveDetector.bin(x));
            }
        }
        return reached;
    }

    private static int occupied(AdaptiveDetector d) {
        return AdaptiveDetectorTest.occupied(d.weightsByBin());
    }

    /**
     * A few long stalls, each in its own bin, then hours of ordinary silences in a handful of bins:
     * the stalls' weights fade to nothing (about e^-37 of a new silence), but their entries are the top
     * of the history and stay: they are all the array holds beyond the cap. (mistakesPerHour 20 at
     * 1 s only shortens the memory, 3/p = 540 silences, to keep the test short.)
     */
    @Test
    void fadedStallsAreAllItHoldsBeyondTheCap() {
        AdaptiveDetector d = stallsThenHours(true);
        float[] w = d.weightsByBin();
        float max = 0;
        for (float x : w) {
            max = Math.max(max, x);
        }
        float stalls = 0;
        int stallBins = 0;
        for (int b = AdaptiveDetector.bin(1_000 * MS * 0.99); b < w.length; b++) {
            stalls += w[b];
            stallBins += w[b] > 0 ? 1 : 0;
        }
        assertThat(stalls / max).as("what the stalls still weigh, against the fullest bin").isLessThan(1e-12f);
        assertThat(d.histogramBytes()).as("array bytes, hours after the stalls faded")
                .isLessThanOrEqualTo(AdaptiveDetectorTest.exactFit(AdaptiveDetector.MAX_ENTRIES + stallBins));
    }

    /** The same stream without the 30 stalls stays at the cap. */
    @Test
    void withoutTheStallsTheSameStreamStaysAtTheCap() {
        assertThat(stallsThenHours(false).histogramBytes()).isLessThanOrEqualTo(CAP_BYTES);
    }

    private static AdaptiveDetector stallsThenHours(boolean withStalls) {
        long t1 = 1_000 * MS;
        AdaptiveDetector.Config cfg = AdaptiveDetector.Config.custom().mistakesPerHour(20).build();
        AdaptiveDetector d = new AdaptiveDetector(cfg, t1);
        SplittableRandom r = new SplittableRandom(9);
        long t = 0;
        for (int i = 0; i < 4_000; i++) {
            long overdue = ordinary(r);
            if (withStalls && i >= 1_000 && i < 1_030) {
                overdue = (long) (t1 * (1.0 + (i - 1_000) * 0.08)); // 30 stalls, 1..3.3 s: about 17 bins
            }
            t += t1 + overdue;
            d.heartbeat(t, t - 1, t + t1, true);
        }
        for (int i = 0; i < 20_000; i++) {
            long overdue = ordinary(r);
            t += t1 + overdue;
            d.heartbeat(t, t - 1, t + t1, true);
        }
        return d;
    }

    /**
     * A property the class comment claims, checked against an uncapped histogram over four families
     * of input (log-uniform hostile spread, a drift from long to short silences, a clustered path, a
     * sweep bringing a new bin with nearly every silence): the capped histogram's weight at or above
     * every bin is never less than the uncapped one's (weight only moves up), and neither timeout is
     * ever shorter.
     */
    @Test
    void theCapNeverMakesATimeoutShorterNorMovesWeightDown() {
        long t100 = 100 * MS;
        for (int seed = 1; seed <= 24; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            AdaptiveDetector capped = new AdaptiveDetector(AdaptiveDetector.Config.ofDefaults(), t100);
            AdaptiveDetector full = new AdaptiveDetector(AdaptiveDetector.Config.ofDefaults(), t100, 221);
            long t = 0;
            int family = seed % 4;
            for (int i = 0; i < 10_000; i++) {
                double u = r.nextDouble();
                long overdue;
                if (family == 0) {
                    overdue = u < 0.3 ? 0 : (long) (50_000 * Math.pow(2, r.nextDouble() * 12.6));
                } else if (family == 1) {
                    overdue = i > 5_000 ? (u < 0.5 ? 0 : (long) (60_000 * Math.pow(2, r.nextDouble() * 4)))
                            : (u < 0.3 ? 0 : (long) (50_000 * Math.pow(2, r.nextDouble() * 12)));
                } else if (family == 2) {
                    overdue = u < 0.9 ? (long) (r.nextDouble() * 200_000)
                            : u < 0.99 ? t100 + (long) (r.nextDouble() * 3 * MS) : (long) (t100 * (1 + 2 * r.nextDouble()));
                } else {
                    overdue = i % 3 == 0 ? 0 : (long) (50_000 * Math.pow(2, (i % 130) / 10.0) * 1.03);
                }
                t += t100 + overdue;
                capped.heartbeat(t, t - 1, t + t100, true);
                full.heartbeat(t, t - 1, t + t100, true);
                assertThat(capped.deadAfterNanos()).as("seed %d, beat %d", seed, i).isGreaterThanOrEqualTo(full.deadAfterNanos());
                assertThat(capped.suspectAfterNanos()).as("seed %d, beat %d", seed, i).isGreaterThanOrEqualTo(full.suspectAfterNanos());
                if (i % 97 == 0) {
                    float[] a = capped.weightsByBin();
                    float[] b = full.weightsByBin();
                    double aboveA = 0;
                    double aboveB = 0;
                    for (int k = a.length - 1; k >= 0; k--) {
                        aboveA += a[k];
                        aboveB += b[k];
                        assertThat(aboveA).as("seed %d, beat %d, bin %d", seed, i, k).isGreaterThanOrEqualTo(aboveB * (1 - 1e-5));
                    }
                }
            }
        }
    }

    /**
     * Ordinary silences: nine in ten in four bins at 200..264 µs late (the top 4 k lies there), one
     * in ten spread over the twenty bins below (a body that keeps bringing new bins, so makeRoom()
     * runs and can merge).
     */
    private static long ordinary(SplittableRandom r) {
        return r.nextDouble() < 0.9 ? (long) (200_000 * Math.pow(2, r.nextDouble() * 0.4))
                : (long) (50_000 * Math.pow(2, r.nextDouble() * 2));
    }

    /**
     * Silences anywhere from on time to 3.5 minutes past due, log-uniform (every one of the 221 bins),
     * at intervals from 10 ms to 10 minutes and budgets from 0.01 to 3,600 mistakes per hour: the array
     * never holds more than the bins, the weights stay finite, and so do the timeouts.
     */
    @Test
    void noSilencesBreakIt() {
        long[] intervals = {10 * MS, 1_000 * MS, 600_000 * MS};
        double[] budgets = {0.01, 1, 3_600};
        for (long interval : intervals) {
            for (double budget : budgets) {
                AdaptiveDetector d = new AdaptiveDetector(AdaptiveDetector.Config.custom().mistakesPerHour(budget).build(), interval);
                SplittableRandom r = new SplittableRandom(interval ^ (long) budget);
                for (int i = 0; i < 5_000; i++) {
                    d.learn(r.nextInt(8) == 0 ? 0 : (long) (50_000 * Math.pow(2, 22 * r.nextDouble())));
                    assertThat(d.histogramBytes()).as("interval %d ns, budget %s, silence %d", interval, budget, i)
                            .isLessThanOrEqualTo(ALL_BINS_BYTES);
                }
                double sum = 0;
                for (float w : d.weightsByBin()) {
                    sum += w;
                }
                assertThat(sum).as("interval %d ns, budget %s", interval, budget).isPositive().isFinite();
                assertThat(d.deadAfterNanos()).isFinite().isPositive();
                assertThat(d.suspectAfterNanos()).isFinite().isPositive();
            }
        }
    }

    /**
     * A top that needs more entries than the cap (1% of silences spread over 20–80 ms, about 20 bins)
     * above a body that keeps landing in bins with no entry (0.1–1 ms, about 33 bins): once the top's
     * bins are reached, body silences join or merge body entries and the array keeps its size — it is
     * neither grown nor shrunk and grown again at every new body bin.
     */
    @Test
    void aboveTheCapBodySilencesLeaveTheArrayAlone() {
        AdaptiveDetector d = new AdaptiveDetector(AdaptiveDetector.Config.ofDefaults(), 100 * MS);
        SplittableRandom r = new SplittableRandom(23);
        int min = Integer.MAX_VALUE;
        int max = 0;
        for (int i = 0; i < 30_000; i++) {
            d.learn(r.nextInt(100) == 0 ? (long) (20 * MS * Math.pow(4, r.nextDouble()))
                    : (long) (100_000 * Math.pow(10, r.nextDouble())));
            if (i >= 20_000) {
                min = Math.min(min, d.histogramBytes());
                max = Math.max(max, d.histogramBytes());
            }
        }
        assertThat(occupied(d)).isGreaterThan(AdaptiveDetector.MAX_ENTRIES);
        assertThat(min).isEqualTo(max);
    }
}
