package dev.heartbeat.bench.quality;

import dev.heartbeat.bench.quality.Candidates.Candidate;
import dev.heartbeat.engine.MonitorConfig;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import javax.imageio.ImageIO;

/**
 * The detection-quality harness: for each trace family, at a 100 ms and a 1 s interval, the QoS
 * measures of Chen, Toueg &amp; Aguilera — detection time T_D (mean, p99) after a silent crash at a
 * random phase, false suspicions per hour, query accuracy P_A — of our engine at its defaults, our
 * detector alone, fixed timeouts (swept; the best one for the family is the "oracle"), Pekko's φ
 * (at its defaults and swept), Chen's estimator and 2W-FD (swept). All on virtual time, seeded:
 * the same numbers on every machine.
 *
 * <pre>
 *   mvn -q -B -pl heartbeat-api,benchmarks -am package -DskipTests
 *   mvn -q -B -pl benchmarks exec:java -Dexec.args="--out docs"
 * </pre>
 * Options: {@code --hours H} (trace length at 100 ms; 5 × H at 1 s; default 8), {@code --crashes N}
 * (trace-level crash trials, default 1000), {@code --engine-runs N} (engine crash runs, default
 * 240), {@code --families A,B}, {@code --seed S}, {@code --out DIR} (writes the PNG plots there),
 * {@code --family-oracle-runs R} (default 60; 0 leaves the family oracle out, see below).
 *
 * <p>The <em>oracle</em> is the best fixed timeout (at most 1 mistake per hour) on the one trace of
 * the seed, where the engine's T_D is a mean over many runs, each with its own history; on a
 * heavy-tailed family that oracle depends on the realisation's luck. The <em>family oracle</em> is
 * tuned on the family instead: the shortest fixed timeout whose mistakes per hour, pooled over R
 * further realisations of the family (seeds derived from the run's seed, each as long as the main
 * trace, {@code --crashes} crash trials on each), are at most 1, with its T_D pooled over the same
 * crashes. The detector alone at its defaults is measured on the same realisations, pooled alike.
 * The targets cell judges the engine's T_D against the family oracle (the one the targets name), and
 * gives its ratio to the single trace's oracle beside it; 60 realisations by default, because with 12
 * the family oracle of the heavy-tailed family was itself uncertain by a few per cent.
 */
public final class DetectionQuality {

    /** One point of a detector's trade-off: a configuration and its QoS. */
    record Qos(String config, double mistakesPerHour, double tdMeanMs, double tdP99Ms, double accuracy) {
    }

    /** One detector's raw outcome on one or more traces, before it is summed up as a {@link Qos}. */
    record Outcome(long[] td, long mistakes, long wrongNanos, double hours, long spanNanos) {

        Qos qos(String config) {
            long[] sorted = td.clone();
            Arrays.sort(sorted);
            return new Qos(config, mistakes / hours, mean(sorted) / 1e6, p99(sorted) / 1e6, 1 - wrongNanos / (double) spanNanos);
        }

        /** The outcomes of several traces as one: detection times side by side, mistakes and hours summed. */
        static Outcome pool(List<Outcome> parts) {
            long[] td = parts.stream().flatMapToLong(o -> Arrays.stream(o.td)).toArray();
            return new Outcome(td, parts.stream().mapToLong(Outcome::mistakes).sum(),
                    parts.stream().mapToLong(Outcome::wrongNanos).sum(), parts.stream().mapToDouble(Outcome::hours).sum(),
                    parts.stream().mapToLong(Outcome::spanNanos).sum());
        }
    }

    /**
     * The family oracle and the detector alone at its defaults, both pooled over the same
     * {@code runs} realisations of the family: a fixed timeout tuned for the family, not for one trace.
     */
    record FamilyPool(int runs, Qos oracle, Qos detectorAlone) {
    }

    private static final long MS = 1_000_000L;
    private static final long WARMUP = 30 * 60_000 * MS;

    private DetectionQuality() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> opt = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opt.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        double hours = Double.parseDouble(opt.getOrDefault("hours", "8"));
        int crashes = Integer.parseInt(opt.getOrDefault("crashes", "1000"));
        int engineRuns = Integer.parseInt(opt.getOrDefault("engine-runs", "240"));
        long seed = Long.parseLong(opt.getOrDefault("seed", "2026"));
        int familyRuns = Integer.parseInt(opt.getOrDefault("family-oracle-runs", "60"));
        if (familyRuns < 0) {
            throw new IllegalArgumentException("--family-oracle-runs : " + familyRuns + " (expected: >= 0)");
        }
        List<Family> families = new ArrayList<>();
        for (String f : opt.getOrDefault("families", "").split(",")) {
            if (!f.isBlank()) {
                families.add(Family.valueOf(f.strip()));
            }
        }
        if (families.isEmpty()) {
            families.addAll(Arrays.asList(Family.values()));
        }
        Path out = opt.containsKey("out") ? Path.of(opt.get("out")) : null;
        System.out.printf(Locale.ROOT, "# Detection quality, %s; --hours %s --crashes %d --engine-runs %d --seed %d%s%n%n",
                LocalDate.now(), opt.getOrDefault("hours", "8"), crashes, engineRuns, seed,
                familyRuns > 0 ? " --family-oracle-runs " + familyRuns : "");
        for (long interval : new long[] {100 * MS, 1_000 * MS}) {
            long duration = (long) (hours * 3.6e12 * (interval >= 1_000 * MS ? 5 : 1));
            Map<Family, Map<String, List<Qos>>> plot = new LinkedHashMap<>();
            List<String> rows = new ArrayList<>();
            for (Family f : families) {
                long t0 = System.nanoTime();
                Map<String, List<Qos>> series = evaluate(f, interval, duration, crashes, engineRuns, seed);
                plot.put(f, series);
                long t1 = System.nanoTime();
                FamilyPool pool = familyRuns > 0 ? familyPool(f, interval, duration, crashes, familyRuns, seed) : null;
                rows.add(row(f, series, pool));
                System.err.printf(Locale.ROOT, "%s at %d ms: %.1f s (family oracle %.1f s)%n", f, interval / MS,
                        (System.nanoTime() - t0) / 1e9, (System.nanoTime() - t1) / 1e9);
            }
            System.out.printf(Locale.ROOT, "## Interval %d ms (traces of %.0f h, warm-up 30 min)%n%n", interval / MS,
                    duration / 3.6e12);
            System.out.println("| family | ours, engine at defaults: T_D mean / p99, mistakes/h | ours, detector alone at defaults "
                    + "| oracle: best fixed timeout ≤ 1/h"
                    + (familyRuns > 0 ? " | family oracle: best fixed timeout ≤ 1/h over " + familyRuns + " realisations pooled "
                    + "| ours, detector alone at defaults, on the same " + familyRuns + " realisations" : "")
                    + " | Pekko φ at defaults | Pekko φ, best ≤ 1/h | Chen, best ≤ 1/h "
                    + "| 2W-FD, best ≤ 1/h | targets: ≤ 1/h · ≤ 1.1 × " + (familyRuns > 0 ? "family oracle" : "oracle")
                    + " · < Pekko default |");
            System.out.println("|---|---|---|---|---|---|---|---|---|" + (familyRuns > 0 ? "---|---|" : ""));
            rows.forEach(System.out::println);
            System.out.println();
            if (familyRuns > 0) {
                System.out.printf(Locale.ROOT, "Family oracle: the shortest fixed timeout with at most 1 mistake per hour pooled over %d "
                        + "further realisations of the family (%.0f h each, seeds derived from --seed), T_D over their %d × %d crash "
                        + "trials; the detector alone (budget 1/h) is fed the same realisations and crashes. The targets cell judges "
                        + "the engine's T_D against the family oracle's; the ratio in brackets is against the single trace's oracle.%n%n",
                        familyRuns, duration / 3.6e12, familyRuns,
                        crashes);
            }
            System.out.println("All points (detector, configuration: mistakes/h, T_D mean ms, T_D p99 ms, P_A):");
            System.out.println();
            System.out.println("<details><summary>sweeps</summary>");
            System.out.println();
            for (var e : plot.entrySet()) {
                System.out.println("**" + e.getKey().title() + "**");
                System.out.println();
                for (var s : e.getValue().entrySet()) {
                    StringBuilder b = new StringBuilder("- " + s.getKey() + ": ");
                    for (Qos q : s.getValue()) {
                        b.append(String.format(Locale.ROOT, "`%s` %.2f/h %.0f/%.0f ms %.6f; ", q.config, q.mistakesPerHour,
                                q.tdMeanMs, q.tdP99Ms, q.accuracy));
                    }
                    System.out.println(b);
                }
                System.out.println();
            }
            System.out.println("</details>");
            System.out.println();
            if (out != null) {
                Files.createDirectories(out);
                Path png = out.resolve("detection-quality-" + (interval / MS) + "ms.png");
                draw(plot, interval, png);
                System.out.println("Plot: `" + png + "`");
                System.out.println();
            }
        }
    }

    // -----------------------------------------------------------------------------------------

    static Map<String, List<Qos>> evaluate(Family f, long interval, long duration, int crashes, int engineRuns, long seed) {
        long warmup = WARMUP;
        Trace tr = new Trace(f, interval, duration, seed + f.ordinal());
        long[] crashAt = crashTimes(new SplittableRandom(seed * 17 + f.ordinal()), crashes, duration, warmup);
        Map<String, List<Qos>> series = new LinkedHashMap<>();

        // Ours: the whole engine at its defaults.
        MonitorConfig cfg = MonitorConfig.custom().interval(Duration.ofNanos(interval)).build();
        double[] m = EngineRun.mistakes(f, cfg, duration, warmup, seed + 100 + f.ordinal());
        long[] td = EngineRun.detection(f, cfg, warmup, engineRuns, seed + 200 + f.ordinal());
        series.put("ours (engine)", List.of(new Qos("defaults", m[0], mean(td) / 1e6, p99(td) / 1e6, 1 - m[1])));

        series.put("ours (detector alone)", sweep(tr, warmup, crashAt, List.of(0.01, 0.1, 1.0, 10.0, 100.0), b -> "budget " + b + "/h",
                b -> () -> new Candidates.Ours(b, interval)));
        series.put("fixed timeout", fixed(tr, warmup, crashAt));
        List<Qos> pekko = new ArrayList<>();
        pekko.add(run(tr, warmup, crashAt, "defaults (8, σ≥100 ms, pause 3 s)", Candidates.pekkoDefaults(interval)));
        for (double th : new double[] {1, 3, 8, 16}) {
            for (double pause : new double[] {0, 1, 3, 10}) {
                pekko.add(run(tr, warmup, crashAt, String.format(Locale.ROOT, "φ %.0f, pause %.0f×T", th, pause),
                        new Candidates.Pekko(th, 100, (long) (pause * interval / MS), interval)));
            }
        }
        series.put("Pekko φ", pekko);
        List<Double> alphas = List.of(0.01, 0.03, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 8.0, 12.0, 20.0, 30.0);
        series.put("Chen", sweep(tr, warmup, crashAt, alphas, a -> "α " + a + "×T",
                a -> () -> new Candidates.Estimator((long) (a * interval), 1000, 0)));
        series.put("2W-FD", sweep(tr, warmup, crashAt, alphas, a -> "α " + a + "×T",
                a -> () -> new Candidates.Estimator((long) (a * interval), 1000, 1)));
        return series;
    }

    /** {@code crashes} fault times, uniform over the trace after the warm-up (and 2 minutes before its end), sorted. */
    static long[] crashTimes(SplittableRandom r, int crashes, long duration, long warmup) {
        long[] crashAt = new long[crashes];
        for (int i = 0; i < crashes; i++) {
            crashAt[i] = warmup + (long) (r.nextDouble() * (duration - warmup - 120_000 * MS));
        }
        Arrays.sort(crashAt);
        return crashAt;
    }

    /**
     * The family oracle: {@code runs} further realisations of the family, each {@code duration}
     * long with {@code crashes} crash trials, their seeds drawn from one generator seeded by the
     * run's seed and the family (so the same for both intervals, and independent of the main
     * trace's). The fixed timeouts' gaps and crash ages, and the detector alone's outcomes, are
     * pooled over all of them; the oracle is the shortest timeout that errs at most once per pooled hour.
     */
    static FamilyPool familyPool(Family f, long interval, long duration, int crashes, int runs, long seed) {
        long warmup = WARMUP;
        SplittableRandom seeds = new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ (0xFA111L + f.ordinal()));
        List<long[]> gaps = new ArrayList<>();
        List<long[]> ages = new ArrayList<>();
        List<Outcome> alone = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            Trace tr = new Trace(f, interval, duration, seeds.nextLong());
            long[] crashAt = crashTimes(new SplittableRandom(seeds.nextLong()), crashes, duration, warmup);
            long[][] ga = gapsAndAges(tr, warmup, crashAt);
            gaps.add(ga[0]);
            ages.add(ga[1]);
            alone.add(outcome(tr, warmup, crashAt, new Candidates.Ours(1.0, interval)));
        }
        long[] pooledGaps = gaps.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        long[] pooledAges = ages.stream().flatMapToLong(Arrays::stream).toArray();
        double hours = runs * ((duration - warmup) / 3.6e12);
        long span = runs * (duration - warmup);
        long oracle = oracleTimeout(pooledGaps, hours);
        return new FamilyPool(runs, fixedQos(pooledGaps, pooledAges, hours, span, oracle, ""),
                Outcome.pool(alone).qos("budget 1.0/h"));
    }

    private static <P> List<Qos> sweep(Trace tr, long warmup, long[] crashAt, List<P> params,
                                       java.util.function.Function<P, String> name,
                                       java.util.function.Function<P, Supplier<Candidate>> make) {
        List<Qos> out = new ArrayList<>();
        for (P p : params) {
            out.add(run(tr, warmup, crashAt, name.apply(p), make.apply(p).get()));
        }
        return out;
    }

    /** Feeds the trace to one detector: its false suspicions, query accuracy and detection times. */
    static Qos run(Trace tr, long warmup, long[] crashAt, String config, Candidate c) {
        return outcome(tr, warmup, crashAt, c).qos(config);
    }

    /** {@link #run}'s measurements, not yet summed up (so that several traces can be pooled). */
    static Outcome outcome(Trace tr, long warmup, long[] crashAt, Candidate c) {
        long[] td = new long[crashAt.length];
        int nextCrash = 0;
        long mistakes = 0;
        long wrongNanos = 0;
        int stall = 0;
        var stalls = tr.scenario.monitorStalls;
        for (int k = 0; k < tr.answers; k++) {
            long read = tr.read[k];
            while (nextCrash < crashAt.length && crashAt[nextCrash] < read) {
                long s = c.suspectAt();
                td[nextCrash] = s == Long.MAX_VALUE ? 120_000 * MS : Math.max(0, s - crashAt[nextCrash]);
                nextCrash++;
            }
            while (stall < stalls.size() && stalls.get(stall).end() <= read) {
                c.monitorStalled(stalls.get(stall).start(), stalls.get(stall).end());
                stall++;
            }
            long s = c.suspectAt();
            if (read >= warmup && k > 0 && (s < read || (tr.afterStall[k] && s <= read))) {
                mistakes++;
                wrongNanos += read - Math.max(s, warmup);
            }
            int q = tr.seq[k];
            c.heartbeat(q, tr.send[q], read, tr.send[q + 1]);
        }
        for (; nextCrash < crashAt.length; nextCrash++) {
            long s = c.suspectAt();
            td[nextCrash] = s == Long.MAX_VALUE ? 120_000 * MS : Math.max(0, s - crashAt[nextCrash]);
        }
        return new Outcome(td, mistakes, wrongNanos, tr.hours(warmup), tr.duration - warmup);
    }

    /** Fixed timeouts, exactly: a timeout Δ errs on every gap longer than Δ. Includes the oracle. */
    static List<Qos> fixed(Trace tr, long warmup, long[] crashAt) {
        long[][] ga = gapsAndAges(tr, warmup, crashAt);
        long[] gaps = ga[0];
        long[] age = ga[1];
        double hours = tr.hours(warmup);
        List<Long> timeouts = new ArrayList<>();
        for (double x = 0.3; x <= 100; x *= 1.15) {
            timeouts.add((long) (x * tr.interval));
        }
        long oracle = oracleTimeout(gaps, hours);
        timeouts.add(oracle);
        timeouts.sort(null);
        List<Qos> out = new ArrayList<>();
        for (long d : timeouts) {
            out.add(fixedQos(gaps, age, hours, tr.duration - warmup, d, d == oracle ? "oracle " : ""));
        }
        return out;
    }

    /**
     * The silences a fixed timeout sees on a trace after the warm-up (sorted; one read late
     * because the monitor was stalled counts 1 ns longer, so a timeout equal to it errs), and for
     * each crash the age of the last answer at the crash ({@code [0]} gaps, {@code [1]} ages).
     */
    static long[][] gapsAndAges(Trace tr, long warmup, long[] crashAt) {
        List<Long> gapList = new ArrayList<>();
        long[] age = new long[crashAt.length];
        int nextCrash = 0;
        for (int k = 1; k < tr.answers; k++) {
            long read = tr.read[k];
            while (nextCrash < crashAt.length && crashAt[nextCrash] < read) {
                age[nextCrash] = crashAt[nextCrash] - tr.read[k - 1];
                nextCrash++;
            }
            if (read >= warmup) {
                gapList.add(read - tr.read[k - 1] + (tr.afterStall[k] ? 1 : 0));
            }
        }
        long[] gaps = gapList.stream().mapToLong(Long::longValue).sorted().toArray();
        return new long[][] {gaps, age};
    }

    /** The shortest timeout that errs at most once per hour on these sorted gaps. */
    static long oracleTimeout(long[] gaps, double hours) {
        int allowed = (int) Math.floor(hours); // ≤ 1 mistake per hour
        return gaps[Math.max(0, gaps.length - 1 - allowed)];
    }

    /** A fixed timeout {@code d}'s QoS, exactly: it errs on every gap longer than {@code d}. */
    static Qos fixedQos(long[] gaps, long[] age, double hours, long spanNanos, long d, String prefix) {
        int idx = Arrays.binarySearch(gaps, d + 1);
        int above = gaps.length - (idx >= 0 ? firstIndex(gaps, idx) : -idx - 1);
        long wrong = 0;
        for (int i = gaps.length - above; i < gaps.length; i++) {
            wrong += gaps[i] - d;
        }
        long[] td = new long[age.length];
        for (int i = 0; i < age.length; i++) {
            td[i] = Math.max(0, d - age[i]);
        }
        Arrays.sort(td);
        return new Qos(prefix + String.format(Locale.ROOT, "Δ %.0f ms", d / 1e6), above / hours,
                mean(td) / 1e6, p99(td) / 1e6, 1 - wrong / (double) spanNanos);
    }

    private static int firstIndex(long[] a, int i) {
        while (i > 0 && a[i - 1] == a[i]) {
            i--;
        }
        return i;
    }

    private static double mean(long[] a) {
        double s = 0;
        for (long x : a) {
            s += x;
        }
        return s / a.length;
    }

    private static double p99(long[] sorted) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * 0.99) - 1)];
    }

    private static Qos best(List<Qos> s) {
        Qos best = null;
        for (Qos q : s) {
            if (q.mistakesPerHour <= 1.0 && (best == null || q.tdMeanMs < best.tdMeanMs)) {
                best = q;
            }
        }
        return best;
    }

    private static String cell(Qos q) {
        if (q == null) {
            return "none ≤ 1/h in the sweep";
        }
        return String.format(Locale.ROOT, "%.0f / %.0f ms, %.2f/h (%s)", q.tdMeanMs, q.tdP99Ms, q.mistakesPerHour, q.config);
    }

    private static String row(Family f, Map<String, List<Qos>> s, FamilyPool pool) {
        Qos engine = s.get("ours (engine)").get(0);
        Qos alone = s.get("ours (detector alone)").stream().filter(q -> q.config.equals("budget 1.0/h")).findFirst().orElseThrow();
        Qos oracle = s.get("fixed timeout").stream().filter(q -> q.config.startsWith("oracle")).findFirst().orElseThrow();
        Qos pekkoDefault = s.get("Pekko φ").get(0);
        // T_D is judged against the oracle tuned for the family when there is one (the issue's "best
        // fixed timeout tuned for that family alone"), else against the single trace's.
        double judged = pool != null ? pool.oracle.tdMeanMs : oracle.tdMeanMs;
        String targets = String.format(Locale.ROOT, "%s %.2f/h · %s %.2f×%s · %s",
                engine.mistakesPerHour <= 1 ? "met" : "**missed**", engine.mistakesPerHour,
                engine.tdMeanMs <= 1.1 * judged ? "met" : "**missed**", engine.tdMeanMs / judged,
                pool == null ? "" : String.format(Locale.ROOT, " family oracle (single trace %.2f×)", engine.tdMeanMs / oracle.tdMeanMs),
                engine.tdMeanMs < pekkoDefault.tdMeanMs && engine.mistakesPerHour <= Math.max(1, pekkoDefault.mistakesPerHour)
                        ? "met" : "**missed**");
        String oracles = cell(oracle);
        if (pool != null) {
            oracles += " | " + cell(pool.oracle) + " | " + cell(pool.detectorAlone)
                    + String.format(Locale.ROOT, ", %.2f × family oracle", pool.detectorAlone.tdMeanMs / pool.oracle.tdMeanMs);
        }
        return String.format(Locale.ROOT, "| %s | **%.0f / %.0f ms, %.2f/h** (P_A %.6f) | %s | %s | %s | %s | %s | %s | %s |",
                f.title(), engine.tdMeanMs, engine.tdP99Ms, engine.mistakesPerHour, engine.accuracy, cell(alone), oracles,
                String.format(Locale.ROOT, "%.0f / %.0f ms, %.2f/h", pekkoDefault.tdMeanMs, pekkoDefault.tdP99Ms,
                        pekkoDefault.mistakesPerHour),
                cell(best(s.get("Pekko φ"))), cell(best(s.get("Chen"))), cell(best(s.get("2W-FD"))), targets);
    }

    // -----------------------------------------------------------------------------------------
    // The plot: T_D (mean, log) against mistakes per hour (log; 0 drawn at 0.01), one panel per family.
    // -----------------------------------------------------------------------------------------

    private static final Map<String, Color> COLORS = Map.of(
            "ours (engine)", new Color(200, 0, 0), "ours (detector alone)", new Color(240, 130, 0),
            "fixed timeout", new Color(90, 90, 90), "Pekko φ", new Color(0, 90, 200), "Chen", new Color(0, 150, 80),
            "2W-FD", new Color(150, 0, 170));

    static void draw(Map<Family, Map<String, List<Qos>>> plot, long interval, Path png) throws IOException {
        int cols = 3;
        int rows = (plot.size() + cols - 1) / cols;
        int pw = 420;
        int ph = 320;
        BufferedImage img = new BufferedImage(cols * pw, rows * ph + 70, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(String.format(Locale.ROOT, "Detection time (mean) vs false suspicions per hour, interval %d ms", interval / MS),
                12, 22);
        int lx = 12;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (var e : COLORS.entrySet()) {
            g.setColor(e.getValue());
            g.fillRect(lx, 34, 12, 12);
            g.setColor(Color.BLACK);
            g.drawString(e.getKey(), lx + 16, 45);
            lx += 30 + g.getFontMetrics().stringWidth(e.getKey());
        }
        g.drawString("dashed: 1 mistake/h; ◆ ours at defaults; ○ Pekko at defaults; mistakes 0 drawn at 0.01", 12, 62);
        int i = 0;
        for (var e : plot.entrySet()) {
            int x0 = (i % cols) * pw;
            int y0 = 70 + (i / cols) * ph;
            panel(g, e.getKey(), e.getValue(), x0, y0, pw, ph);
            i++;
        }
        g.dispose();
        ImageIO.write(img, "png", png.toFile());
    }

    private static void panel(Graphics2D g, Family f, Map<String, List<Qos>> s, int x0, int y0, int w, int h) {
        int left = x0 + 55;
        int right = x0 + w - 15;
        int top = y0 + 25;
        int bottom = y0 + h - 40;
        double xMin = -2;
        double xMax = 3;
        double yMin = Double.MAX_VALUE;
        double yMax = 0;
        for (List<Qos> l : s.values()) {
            for (Qos q : l) {
                if (q.mistakesPerHour <= 1000) {
                    yMin = Math.min(yMin, q.tdMeanMs);
                    yMax = Math.max(yMax, q.tdMeanMs);
                }
            }
        }
        yMin = Math.floor(Math.log10(Math.max(1, yMin)));
        yMax = Math.ceil(Math.log10(Math.max(10, yMax)));
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        g.drawString(f.title(), left, y0 + 16);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.drawRect(left, top, right - left, bottom - top);
        for (int d = (int) xMin; d <= xMax; d++) {
            int x = (int) (left + (d - xMin) / (xMax - xMin) * (right - left));
            g.setColor(new Color(230, 230, 230));
            g.drawLine(x, top, x, bottom);
            g.setColor(Color.BLACK);
            g.drawString(d < 0 ? String.valueOf(Math.pow(10, d)) : String.valueOf((long) Math.pow(10, d)), x - 10, bottom + 14);
        }
        for (int d = (int) yMin; d <= yMax; d++) {
            int y = (int) (bottom - (d - yMin) / (yMax - yMin) * (bottom - top));
            g.setColor(new Color(230, 230, 230));
            g.drawLine(left, y, right, y);
            g.setColor(Color.BLACK);
            g.drawString(String.valueOf((long) Math.pow(10, d)), x0 + 8, y + 4);
        }
        g.drawString("false suspicions per hour", left + 90, bottom + 30);
        g.drawString("ms", x0 + 8, top - 6);
        int one = (int) (left + (0 - xMin) / (xMax - xMin) * (right - left));
        g.setColor(Color.GRAY);
        g.setStroke(new BasicStroke(1, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1, new float[] {4, 4}, 0));
        g.drawLine(one, top, one, bottom);
        g.setStroke(new BasicStroke(1.6f));
        for (var e : s.entrySet()) {
            Color c = COLORS.get(e.getKey());
            List<Qos> pts = new ArrayList<>(e.getValue());
            boolean line = !e.getKey().equals("Pekko φ") && !e.getKey().equals("ours (engine)");
            pts.sort((a, b) -> Double.compare(a.mistakesPerHour, b.mistakesPerHour));
            int px = -1;
            int py = -1;
            for (Qos q : pts) {
                double lx = Math.log10(Math.max(0.01, q.mistakesPerHour));
                if (lx > xMax) {
                    continue;
                }
                int x = (int) (left + (lx - xMin) / (xMax - xMin) * (right - left));
                int y = (int) (bottom - (Math.log10(Math.max(1, q.tdMeanMs)) - yMin) / (yMax - yMin) * (bottom - top));
                y = Math.max(top, Math.min(bottom, y));
                g.setColor(c);
                if (e.getKey().equals("ours (engine)")) {
                    g.fillPolygon(new int[] {x, x + 7, x, x - 7}, new int[] {y - 7, y, y + 7, y}, 4);
                } else if (e.getKey().equals("Pekko φ") && q.config.startsWith("defaults")) {
                    g.drawOval(x - 6, y - 6, 12, 12);
                } else {
                    g.fillOval(x - 2, y - 2, 5, 5);
                }
                if (line && px >= 0) {
                    g.drawLine(px, py, x, y);
                }
                px = x;
                py = y;
            }
        }
        g.setStroke(new BasicStroke(1));
    }
}
