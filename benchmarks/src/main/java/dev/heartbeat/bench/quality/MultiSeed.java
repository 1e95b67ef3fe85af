package dev.heartbeat.bench.quality;

import dev.heartbeat.engine.MonitorConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One family at one interval over many seeds: what a single seed's table cannot tell apart from
 * that seed's luck. {@link DetectionQuality} measures each family on one realisation; on a
 * heavy-tailed family one realisation's best fixed timeout (the single-trace oracle) and one
 * engine run's mistakes per hour vary widely from seed to seed, so a change to the detector is
 * judged on the averages printed here.
 *
 * <pre>
 *   benchmarks/run-multiseed.sh MODE FAMILY INTERVAL_MS [--hours H] [--seeds A-B] [--threads N]
 *                               [--runs R] [--young true]
 * </pre>
 * Modes (seed {@code s} is used as given; the same seed gives the same numbers):
 * <ul>
 *   <li>{@code oracles}: for each seed, the trace of seed {@code s} and its single-trace oracle
 *       (the shortest fixed timeout with at most 1 mistake per hour on it) and that oracle's mean
 *       T_D over 1,000 crash trials; prints their mean, standard deviation, minimum, median and
 *       maximum over the seeds.</li>
 *   <li>{@code alone}: the detector alone at its defaults fed each seed's trace (500 crash trials
 *       per trace), pooled; and the family oracle pooled over the same traces and trials: the
 *       shortest fixed timeout with at most 1 mistake per pooled hour. With {@code --young true}
 *       the crash trials fall in the 20 minutes after the warm-up, where the engine's do
 *       ({@link EngineRun#detection}), instead of over the whole trace; mistakes are counted over
 *       the whole trace either way.</li>
 *   <li>{@code mistakes}: the engine's false DEAD verdicts per hour on one run per seed
 *       ({@link EngineRun#mistakes}), each seed's and their mean.</li>
 *   <li>{@code detection}: the engine's detection times, {@code --runs} crash runs per seed
 *       (default 60, {@link EngineRun#detection}), pooled: mean and p99.</li>
 * </ul>
 * {@code --hours} is the trace length (default 8 at intervals below 1 s, 40 at 1 s and above: the
 * harness's), {@code --seeds} the inclusive range (default 1-60), {@code --threads} how many seeds
 * run at once (default 1). Warm-up 30 minutes, as in the harness.
 */
public final class MultiSeed {

    private static final long MS = 1_000_000L;
    private static final long WARMUP = 30 * 60_000 * MS;
    private static final List<String> MODES = List.of("oracles", "alone", "mistakes", "detection");

    private MultiSeed() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3 || !MODES.contains(args[0])) {
            throw new IllegalArgumentException("usage: MODE FAMILY INTERVAL_MS [--hours H] [--seeds A-B] [--threads N] [--runs R]"
                    + " [--young true] (MODE: one of " + MODES + ")");
        }
        String mode = args[0];
        Family family = Family.valueOf(args[1]);
        long interval = Long.parseLong(args[2]) * MS;
        if (interval <= 0) {
            throw new IllegalArgumentException("INTERVAL_MS : " + args[2] + " (expected: > 0)");
        }
        Map<String, String> opt = new LinkedHashMap<>();
        for (int i = 3; i + 1 < args.length; i += 2) {
            opt.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        double hours = Double.parseDouble(opt.getOrDefault("hours", interval >= 1_000 * MS ? "40" : "8"));
        long duration = (long) (hours * 3.6e12);
        if (duration <= WARMUP + 120_000 * MS) {
            throw new IllegalArgumentException("--hours : " + hours + " (expected: > 0.54, the warm-up and 2 minutes)");
        }
        String[] range = opt.getOrDefault("seeds", "1-60").split("-");
        long from = Long.parseLong(range[0]);
        long to = Long.parseLong(range[range.length - 1]);
        if (to < from) {
            throw new IllegalArgumentException("--seeds : " + from + "-" + to + " (expected: A-B with A <= B)");
        }
        int threads = Integer.parseInt(opt.getOrDefault("threads", "1"));
        int runs = Integer.parseInt(opt.getOrDefault("runs", "60"));
        boolean young = Boolean.parseBoolean(opt.getOrDefault("young", "false"));
        long t0 = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
        try {
            String line = switch (mode) {
                case "oracles" -> oracles(pool, family, interval, duration, from, to);
                case "alone" -> alone(pool, family, interval, duration, from, to, young);
                case "mistakes" -> mistakes(pool, family, interval, duration, from, to);
                default -> detection(pool, family, interval, from, to, runs);
            };
            System.out.printf(Locale.ROOT, "%s %s at %d ms, seeds %d-%d: %s%n", mode, family, interval / MS, from, to, line);
        } finally {
            pool.shutdown();
        }
        System.err.printf(Locale.ROOT, "(%.1f s)%n", (System.nanoTime() - t0) / 1e9);
    }

    /** Each seed's single-trace oracle T_D: their spread. */
    private static String oracles(ExecutorService pool, Family f, long interval, long duration, long from, long to)
            throws Exception {
        List<Future<Double>> parts = new ArrayList<>();
        for (long s = from; s <= to; s++) {
            long seed = s;
            parts.add(pool.submit(() -> {
                Trace tr = new Trace(f, interval, duration, seed);
                long[] crashAt = DetectionQuality.crashTimes(new SplittableRandom(seed * 31 + 1), 1000, duration, WARMUP);
                long[][] ga = DetectionQuality.gapsAndAges(tr, WARMUP, crashAt);
                double h = tr.hours(WARMUP);
                long oracle = DetectionQuality.oracleTimeout(ga[0], h);
                return DetectionQuality.fixedQos(ga[0], ga[1], h, duration - WARMUP, oracle, "").tdMeanMs();
            }));
        }
        double[] td = new double[parts.size()];
        for (int i = 0; i < td.length; i++) {
            td[i] = parts.get(i).get();
        }
        double mean = Arrays.stream(td).average().orElse(0);
        double var = Arrays.stream(td).map(x -> (x - mean) * (x - mean)).sum() / Math.max(1, td.length - 1);
        Arrays.sort(td);
        return String.format(Locale.ROOT, "single-trace oracle T_D mean %.0f ms, sd %.0f ms, min %.0f, median %.0f, max %.0f",
                mean, Math.sqrt(var), td[0], td[td.length / 2], td[td.length - 1]);
    }

    /** The detector alone pooled over the seeds' traces, against the family oracle on the same traces. */
    private static String alone(ExecutorService pool, Family f, long interval, long duration, long from, long to,
                                boolean young) throws Exception {
        int traces = (int) (to - from + 1);
        double hoursEach = (duration - WARMUP) / 3.6e12;
        // The pooled oracle errs on at most floor(total hours) gaps, all of which may come from one
        // trace: each trace's that-many-plus-one longest gaps are all the oracle and its QoS read.
        int keep = (int) Math.floor(traces * hoursEach) + 1;
        List<Future<Object[]>> parts = new ArrayList<>();
        for (long s = from; s <= to; s++) {
            long seed = s;
            parts.add(pool.submit(() -> {
                Trace tr = new Trace(f, interval, duration, seed);
                SplittableRandom r = new SplittableRandom(seed * 31 + 2);
                long[] crashAt = young ? youngCrashes(r, 500) : DetectionQuality.crashTimes(r, 500, duration, WARMUP);
                long[][] ga = DetectionQuality.gapsAndAges(tr, WARMUP, crashAt);
                long[] gaps = Arrays.copyOfRange(ga[0], Math.max(0, ga[0].length - keep), ga[0].length);
                DetectionQuality.Outcome o = DetectionQuality.outcome(tr, WARMUP, crashAt, new Candidates.Ours(1.0, interval));
                return new Object[] {gaps, ga[1], o};
            }));
        }
        List<long[]> gaps = new ArrayList<>();
        List<long[]> ages = new ArrayList<>();
        List<DetectionQuality.Outcome> outcomes = new ArrayList<>();
        for (Future<Object[]> p : parts) {
            Object[] r = p.get();
            gaps.add((long[]) r[0]);
            ages.add((long[]) r[1]);
            outcomes.add((DetectionQuality.Outcome) r[2]);
        }
        long[] pooledGaps = gaps.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        long[] pooledAges = ages.stream().flatMapToLong(Arrays::stream).toArray();
        double hours = traces * hoursEach;
        long oracle = DetectionQuality.oracleTimeout(pooledGaps, hours);
        DetectionQuality.Qos fixed = DetectionQuality.fixedQos(pooledGaps, pooledAges, hours, traces * (duration - WARMUP), oracle, "");
        DetectionQuality.Qos ours = DetectionQuality.Outcome.pool(outcomes).qos("budget 1.0/h");
        return String.format(Locale.ROOT, "detector alone %.3f/h, T_D %.0f / p99 %.0f ms; family oracle %.0f ms (Δ %.0f ms, "
                + "%.2f/h); ratio %.3f%s", ours.mistakesPerHour(), ours.tdMeanMs(), ours.tdP99Ms(), fixed.tdMeanMs(), oracle / 1e6,
                fixed.mistakesPerHour(), ours.tdMeanMs() / fixed.tdMeanMs(), young ? " (crashes in the 20 min after the warm-up)" : "");
    }

    /** Crash times uniform over the 20 minutes after the warm-up, as the engine's detection runs place them. */
    private static long[] youngCrashes(SplittableRandom r, int n) {
        long[] c = new long[n];
        for (int i = 0; i < n; i++) {
            c[i] = WARMUP + (long) (r.nextDouble() * Family.DRIFT_CYCLE_NANOS);
        }
        Arrays.sort(c);
        return c;
    }

    /** The engine's false DEADs per hour, one run per seed. */
    private static String mistakes(ExecutorService pool, Family f, long interval, long duration, long from, long to)
            throws Exception {
        MonitorConfig cfg = MonitorConfig.custom().interval(Duration.ofNanos(interval)).build();
        List<Future<double[]>> parts = new ArrayList<>();
        for (long s = from; s <= to; s++) {
            long seed = s;
            parts.add(pool.submit(() -> EngineRun.mistakes(f, cfg, duration, WARMUP, seed)));
        }
        StringBuilder each = new StringBuilder();
        double sum = 0;
        for (Future<double[]> p : parts) {
            double m = p.get()[0];
            sum += m;
            each.append(String.format(Locale.ROOT, " %.2f", m));
        }
        return String.format(Locale.ROOT, "engine mean %.3f/h over %d runs of %.1f h; each:%s", sum / parts.size(), parts.size(),
                duration / 3.6e12, each);
    }

    /** The engine's detection times, {@code runs} crash runs per seed, pooled. */
    private static String detection(ExecutorService pool, Family f, long interval, long from, long to, int runs)
            throws Exception {
        if (runs <= 0) {
            throw new IllegalArgumentException("--runs : " + runs + " (expected: > 0)");
        }
        MonitorConfig cfg = MonitorConfig.custom().interval(Duration.ofNanos(interval)).build();
        List<Future<long[]>> parts = new ArrayList<>();
        for (long s = from; s <= to; s++) {
            long seed = s;
            parts.add(pool.submit(() -> EngineRun.detection(f, cfg, WARMUP, runs, seed)));
        }
        List<long[]> all = new ArrayList<>();
        for (Future<long[]> p : parts) {
            all.add(p.get());
        }
        long[] td = all.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        double mean = Arrays.stream(td).average().orElse(0) / 1e6;
        double p99 = td[Math.min(td.length - 1, (int) Math.ceil(td.length * 0.99) - 1)] / 1e6;
        return String.format(Locale.ROOT, "engine T_D mean %.0f ms, p99 %.0f ms over %d crash runs", mean, p99, td.length);
    }
}
