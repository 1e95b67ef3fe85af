package dev.heartbeat.detect;

import dev.heartbeat.internal.Checks;
import dev.heartbeat.peer.Liveness;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Locale;

/**
 * The default liveness detector: it learns how long past its due time each of a peer's answers
 * came — the silences the peer <em>survived</em>, long ones included — and turns a mistake budget
 * (at most {@link Config#mistakesPerHour()} false DEAD verdicts per hour, default 1) into a
 * timeout taken from a fitted tail of those silences.
 *
 * <h2>What is measured</h2>
 * The monitor knows when it sent each PING, so it knows when the next answer is <em>due</em>:
 * the send time of the next PING plus the peer's baseline RTT ({@link #heartbeat(long, long, long,
 * boolean)}). The detector models the <em>overdue time</em>
 * <pre>
 *   X = (arrival of the answer that ends a silence) − (time the first missing answer was due)   (0 when on time)
 * </pre>
 * so the monitor's own ping jitter is not mistaken for the peer's noise, a lost PING shows up as
 * one interval of overdue time, and a peer's stop-the-world pause as its length. Answers that
 * queued up behind a silence and arrive back to back (PINGs sent before the previous answer
 * arrived) end no silence: they are not samples. A silence that outlived a DEAD verdict is
 * learned too — the peer survived it — but only up to four times the timeout that judged it (at
 * least three intervals), so that a peer frozen for a minute does not teach the detector to wait a
 * minute, while a tail the model underestimates is still learned within a few mistakes.
 *
 * <h2>From a mistake budget to a timeout</h2>
 * With B mistakes per hour allowed and one due time per interval T, the per-silence budget is
 * <pre>
 *   p = B · T / 1 h                         (T = 100 ms, B = 1:  p = 2.8·10⁻⁵)
 * </pre>
 * and the DEAD timeout is the (1 − p) quantile of X: a silence that long happens, in the peer's
 * own history, less than B times an hour. Samples go into a histogram with logarithmic bins (ten
 * per octave, 50 µs to 3.5 min) whose weights fade with an effective memory of
 * {@code 3 / p} silences (about three hours), so the quantile is an empirical one as far as the
 * history reaches. Beyond it — p is far smaller than anything three hours can show — the tail
 * above a threshold u is fitted with a generalised Pareto distribution (peaks over threshold,
 * Pickands–Balkema–de Haan):
 * <pre>
 *   P(X &gt; x) = ζ · (1 + ξ (x − u) / σ)^(−1/ξ)        x &gt; u,  ζ = P(X &gt; u)
 *   x_p     = u + σ/ξ · ((ζ/p)^ξ − 1)                 (ξ → 0: u + σ · ln(ζ/p), exponential)
 * </pre>
 * u is chosen so that the k = clamp(30 · p · N, 10, 400) largest of the N remembered silences lie
 * above it: ζ ≈ 30 p, so the fit never extrapolates more than 30-fold in probability. (A threshold
 * far below the target — the 400 largest of three hours, ζ/p ≈ 130 — reads the whole body of the
 * distribution: on paths whose silences come in clusters, one lost beat at T past due and two at
 * 2T, a smooth tail through the first cluster overshoots the gap before the second by tens of
 * milliseconds, and a heavy tail fitted to its moderate part comes out light.) ξ and σ come from
 * the probability-weighted moments of the excesses Y over u (Hosking &amp; Wallis, 1987): with
 * {@code a0 = E[Y]} and {@code a1 = E[Y (1 − F(Y))]}, {@code ξ̂ = 2 − a0 / (a0 − 2 a1)} and
 * {@code σ = 2 a0 a1 / (a0 − 2 a1)}. The shape used is one standard error above the estimate,
 * <pre>
 *   ξ = clamp(ξ̂ + (1 + max(ξ̂, 0)) / √k,  −½,  ½)
 * </pre>
 * ((1 + ξ)/√k is the asymptotic standard error of a GPD shape fitted to k excesses; PWM's is of
 * the same order for ξ &lt; ½). The asymmetry is the reason: the quantile grows like (ζ/p)^ξ, so a
 * shape estimated too light multiplies the mistakes by a power of the shortfall, while one
 * estimated too heavy costs detection time only in proportion. With k = 90 (three hours of
 * history) the shift is about 0.1–0.15: on the benchmarks' GC-like stalls (Pareto, α 2.2: ξ 0.45)
 * it moves the engine's false DEADs at a 1 s interval from 1.1–1.3 to 0.8–0.85 per hour; on light
 * tails it moves the shape from the estimate towards 0.
 * ξ is kept in [−½, ½]. Below 0 the fitted tail ends, at u + σ/|ξ|: that is what a path whose
 * longest silences are one lost beat shows — silences end when the next beat's answer arrives, so
 * they pile up just past one interval and stop there. When the history is young, the k largest
 * silences reach below that cluster into the on-time body (30 p n ≈ 17 at half an hour of 100 ms
 * beats, while a path losing one beat in 1,000 has about as many lost beats), and a shape held at 0
 * or above fitted an exponential across the gap between them, with a mean excess of tens of
 * milliseconds: a timeout of 2–3 intervals past due where the cluster ends at 1.1. Let negative,
 * the shape comes out between about −0.35 and the −½ limit there, still one standard error heavier
 * than estimated, and the timeout 1.5–1.9 intervals past due: past the cluster, not in it. The
 * lower limit −½ keeps a few excesses from promising a tail that ends abruptly; the upper one, ½,
 * is where the estimator turns unreliable (the GPD's variance is infinite).
 * The shift moves the shape only: the scale stays the estimate's, σ̂ = a0 (1 − ξ̂), so the shifted
 * tail leaves the threshold as the fitted one does and lies above it everywhere beyond. That holds
 * also when ½ trims the shift (ξ̂ = 0.45 with a standard error of 0.15: ξ = ½, σ = σ̂). Only where a
 * limit cuts the estimate itself — ξ̂ above ½, or a shape still below the lower limit after the
 * shift — is σ matched to the mean excess instead, σ = a0 (1 − ξ), so that the tail promised keeps
 * the data's mean. Matching the mean excess at ½ whenever the shifted shape got there, as this
 * class did before, dropped the margin exactly where tails are heaviest: σ fell from a0 (1 − ξ̂) to
 * a0/2 as ξ̂ + its standard error crossed ½, and a heavier sample got a shorter timeout (GPD
 * stalls fed at evenly spread quantiles, half an hour of history: 1.29 s for a shape of 0.40,
 * 0.93 s for 0.425, whose true quantile is 1.05 s). On the benchmarks' GC-like stalls, where about
 * 70% of the fits at a 100 ms interval sit at ½, the engine's false DEADs over 60 eight-hour runs
 * went from 1.06 to 0.92 per hour (seeds 1–10: 1.09 to 0.99), at 1 s over 30 forty-hour runs from
 * 0.94 to 0.90, for a timeout about 8% (100 ms) and 5% (1 s) longer on that family; no other
 * family's fits sit at the limit often enough to change (unit test
 * {@code heavierTailsNeverGetAShorterTimeoutAtTheShapeLimit}). The fit is refreshed every 16
 * samples and whenever a sample lands in the tail.
 *
 * <h2>Where the tail starts: the largest part the GPD fits</h2>
 * The peaks-over-threshold model holds only above a threshold where the silences have a GPD's
 * shape; the usual way to choose it is the lowest threshold at which a goodness-of-fit test
 * accepts the GPD (Choulakian &amp; Stephens, 2001, with Cramér–von Mises and Anderson–Darling
 * statistics). Here k = 30 p n is the largest sample allowed, and it is tested: with the fitted
 * survival S(y) (the estimate ξ̂, not the shifted ξ, with its σ) and the sample's own survival
 * Ŝ at the edges of its occupied bins, the Kolmogorov–Smirnov statistic
 * <pre>
 *   √k · D = √k · max |Ŝ(y) − S(y)|        (y at the bins' edges)
 * </pre>
 * (For an exponential with its mean estimated, √n · D exceeds 0.99 with probability 10% and 1.09
 * with 5%, Stephens 1974; looking only at bin edges can only lower D.)
 * If it exceeds 1, the upper half of the sample (k/2) is tried, then the upper quarter, while at
 * least 5 silences remain, and the first part that fits <em>and ends</em> (ξ̂ one standard error
 * heavier still below 0) is used; if none does, the whole sample is, as before. The case this is
 * for: on a path that loses a beat now and then, the monitor's quick probes end some lost beats
 * early, at SUSPECT plus one RTT — a spread of silences tens of milliseconds past due — while
 * others end with the next beat, a narrow cluster about one interval past due. With half an hour
 * of history the k largest hold the cluster and a part of the spread, and one GPD through both
 * ends tens of milliseconds past the cluster (a tail bounded at −½ overshoots a uniform-like sample
 * by half its width). The cluster alone is a tail that ends, fitted with the shape allowed down to
 * −1 (a uniform's); and since moment estimates of a bounded tail can put its end below the data,
 * a cut tail's DEAD timeout is at least the upper edge of the bin of its largest remembered
 * silence (one weighing at least 1/e of a new one). Only tails that end are cut: for a heavy
 * tail a smaller sample only adds noise to the shape, and a noisy shape costs mistakes (the
 * exceedance is convex in it: over ten 40-hour runs of the GC-like family at 1 s, k = 10 p n made
 * 1.25 false DEADs per hour where 30 p n made 0.86). On the benchmarks' slow-drift path at 100 ms
 * the engine's mean detection time went from 1.18 to 1.08 times the oracle's (seed 2026) and from
 * 1.11 to 1.06 (seed 7); the GC-like family's false DEADs at 1 s over ten seeds from 0.90 to 0.94
 * per hour (the runs whose tails end now and then); the unit test
 * {@code aSpreadBelowTheClusterIsCutFromTheTail} shows a case it catches and one it does not
 * (a spread that one GPD fits well enough is left alone).
 *
 * <h2>φ, in log space</h2>
 * The suspicion level is φ(t) = −log10 P(X &gt; x/s) where x is the overdue time now and s ≥ 1
 * stretches the model when the prior or the floor (below) ask for a longer timeout than the data.
 * In the tail φ is computed from the logarithm of the formula above, never from 1 − F, so it is
 * finite, continuous and strictly growing for any silence: nothing saturates. (A tail that ends,
 * ξ &lt; 0, would put φ at infinity at its end point; past the DEAD timeout φ follows the tangent
 * of the log-survival there instead: −log10 of an exponential tail with the local scale
 * σ + ξ (x_p − u).) The peer is DEAD at
 * φ ≥ −log10 p (4.56 for T = 100 ms, B = 1) and SUSPECT at φ ≥ −log10 p_s with
 * {@code p_s = 30 p}: suspicion is cheap (the monitor sends quick probes) and the monitor
 * declares DEAD only when the detector says so <em>and</em> its probes went unanswered.
 *
 * <h2>A new peer</h2>
 * With no history, the timeout is a prior of {@link Config#priorTimeoutFactor()} intervals past the
 * due time (1.5 by default), which fades as e<sup>−n/500</sup> with the n silences learned, so
 * after a few minutes at 100 ms the peer's own history decides alone. A floor,
 * {@link Config#minTimeoutFactor()} of the interval (5%: 5 ms at 100 ms), keeps a peer whose
 * answers were always exactly on time from being condemned by a scheduling hiccup the history has
 * not shown yet.
 *
 * <p>Costs: O(1) per heartbeat and per evaluation of the verdict; φ is one logarithm in the tail
 * and, below it, a sum over the occupied bins (0 at once while the next answer is not yet due);
 * the fit is O(occupied bins) every 16 samples, times up to four when the misfit test tries
 * smaller samples. The histogram is sparse: it holds only the bins a peer's silences
 * reached, 5 bytes each (a float weight and a bin number) in one array: none before the first
 * silence, room for 8 bins at first, then as many more as the next 8-byte step of the array holds
 * (below). The weights are the same as a dense table's to a float's precision.
 *
 * <h2>A bounded histogram</h2>
 * Left alone, the histogram would keep every bin a peer ever reached: on a loaded loopback, peers
 * at 1 Hz reach a dozen bins in the first half minute, forty-odd in five, sixty and more in hours —
 * 300 bytes and growing, for a peer whose timeout is read from a handful of them. The fit reads only
 * the top of the history: the threshold u and everything above it, the k largest silences (k ≤ 90
 * at the default memory, as N ≤ 3/p), and the smaller samples the misfit test tries within them. So
 * the top {@code 4 k} silences — in bins holding them and every bin above — are <em>protected</em>:
 * kept bin by bin, exactly. Below them lies the body, which only φ below the threshold reads (and the
 * empirical quantile, when p ≥ ζ), and the body is kept small: when a silence reaches a new bin and
 * the histogram holds {@value #MAX_ENTRIES} entries, weight moves up in the body, whichever way moves
 * less weight × bins — the new silence joins the body entry just above it, or the body entry whose
 * weight moves least into the next one's bin is merged into it and the new bin gets an entry. Weight
 * moves only up, and the on-time bin 0 is never merged. A bin in the protected top always gets an
 * entry, so where the top spans more bins than {@value #MAX_ENTRIES} the array grows, keeps the
 * largest size it reached while it holds more than {@value #MAX_ENTRIES} entries, and shrinks back to
 * {@value #MAX_ENTRIES} once the body can give way: a peer whose silences are narrow, like
 * the scale benchmark's on a loaded loopback, keeps {@value #MAX_ENTRIES} entries (56 bytes with the
 * array's header), while the detector alone on the quality benchmark's families keeps between
 * about 12 and 56 (means over each trace, seed 2026; a quiet LAN's top holds its lost beats), and on
 * heavy-tailed stalls at 1 s about 130. Entries of the top stay while they are the top, however faded
 * their weight. Nothing bounds the array below the 221 bins (about 1.1 KB): a cap of 64 entries on
 * the top itself (weight moved up within it, first below the k largest) bound on the GC-like family
 * at 1 s and took the engine's false DEADs there from 0.94 to 1.19 per hour, and a cap of 32 the
 * detector alone's at 100 ms from 0.89 to 1.87 — the fit reads every entry of the top.
 * <p>On a path whose distribution does not move, the region protected only shrinks as the history
 * grows (the top 4 k is the top 120 p of it once k = 30 p n, and the top 40 silences before), so the
 * tail fitted is never one the cap merged: the timeouts are exactly those of an uncapped histogram
 * (unit test {@code theCapChangesNoTimeout}, 60,000 beats over 60 bins; the benchmarks' quality
 * tables, every family at both intervals, are identical with and without the cap). Protecting only
 * the top 2 k was tried: at 1 s the top k of a later moment reached into bins merged earlier, and the
 * GC-like family's false DEADs went from 0.94 to 1.06 per hour. A path that drifts to shorter
 * silences may see its tail descend, hours later, into bins merged upwards: its silences then look
 * longer than they were. With the fitted model and the timeouts in a 96-byte object, a detector
 * takes 152 bytes at the cap (2.7 KB for a dense table of doubles). It allocates when a silence lands
 * in a bin with no entry while the array has no room and the top needs one, and when it shrinks
 * back. Not thread-safe; one instance per peer.
 *
 * <p>Without send times ({@link #heartbeat(long, boolean)}) the next heartbeat is taken to be due
 * one expected interval after the last.
 */
public final class AdaptiveDetector implements LivenessDetector {

    /** Lower edge of bin 1; bin 0 holds everything on time within 50 µs. */
    private static final double X0 = 50_000;
    private static final int BINS_PER_OCTAVE = 10;
    private static final int BINS = 1 + 22 * BINS_PER_OCTAVE;
    private static final double LN10 = Math.log(10);
    /** Silences learned after which the prior's weight is 1/e. */
    private static final double PRIOR_FADE = 500;
    /**
     * The tail is fitted to the silences beyond the quantile this many times as likely as the
     * target one (the k = 30 · p · n largest of the n remembered), so it extrapolates 30-fold at most.
     */
    private static final double TAIL_REACH = 30;
    /** The lightest tail shape fitted: a tail that ends (at u + σ/|ξ|), no more abruptly than this. */
    private static final double MIN_XI = -0.5;
    /**
     * The tail sample is cut when √k times the Kolmogorov–Smirnov distance between it and its fitted
     * GPD exceeds this (between the 10% and 5% points for an exponential with its mean estimated).
     */
    private static final double MISFIT = 1.0;
    /** The fewest silences a cut tail keeps. */
    private static final double MIN_TAIL = 5;
    /** A silence counts as remembered while its weight is at least this fraction of a new one's. */
    private static final double REMEMBERED = 0.36787944117144233; // 1/e: one memory length ago
    /** Refresh the fit at least every this many samples. */
    private static final int REFRESH_EVERY = 16;

    /** What every peer of this configuration and interval shares (one object, not seven fields per peer). */
    private final Rhythm r;

    /** Lower and upper edges of each bin, computed once. */
    private static final double[] LOWER = new double[BINS];
    private static final double[] UPPER = new double[BINS];

    static {
        for (int b = 0; b < BINS; b++) {
            LOWER[b] = b == 0 ? 0 : X0 * Math.pow(2, (b - 1) / (double) BINS_PER_OCTAVE);
            UPPER[b] = X0 * Math.pow(2, b / (double) BINS_PER_OCTAVE);
        }
    }

    /** Bytes per entry of the sparse histogram: a float weight and a bin number. */
    private static final int ENTRY = 5;
    /**
     * Entries of the sparse histogram's first array: a new peer's first seconds reach a handful of
     * bins, each of which would otherwise cost an allocation and a copy.
     */
    private static final int ROOM = 8;
    /**
     * Entries the sparse histogram holds before a new bin must make room by moving weight in the body
     * (below the protected top, {@link #PROTECT} · k silences); it grows past this while the top
     * itself needs more entries (never past the 221 bins).
     */
    static final int MAX_ENTRIES = 8;
    /** The top this many times the tail size k (the largest silences) is kept bin by bin. */
    private static final double PROTECT = 4;
    /** Bytes of an array's header (HotSpot, compressed class pointers); arrays take 8-byte multiples. */
    private static final int ARRAY_HEADER = 16;
    /** The histogram of a detector with no silence learned (shared: it holds nothing). */
    private static final byte[] EMPTY = new byte[0];
    /** The weights in {@link #hist}: floats in the platform's byte order, at byte 4 · i. */
    private static final VarHandle WEIGHTS = MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.nativeOrder());
    /**
     * The total weight at which the weights are rescaled so that the newest silence weighs 1 again:
     * far below a float's range (3.4·10³⁸), far above any history's effective size.
     */
    private static final double RESCALE_AT = 1e30;
    /** Flag: a heartbeat has been seen since creation or reset. */
    private static final int HAS_HEARTBEAT = 1;
    /** Flag: the next heartbeat ends a forgiven silence and is not a sample. */
    private static final int SKIP_NEXT = 2;

    // The histogram, sparse: only the bins that hold weight, in ascending order (a peer's silences
    // fill a few dozen of the 221 bins), in one array of ENTRY bytes per entry: room for cap =
    // hist.length / ENTRY entries, their weights first, floats at bytes 4 i (weightAt(i)), then their
    // bin numbers, unsigned bytes at 4 cap + i (binAt(i)). None before the first silence, ROOM
    // entries at first, then as many more as fit in the next 8-byte step of the array's size (see
    // slot()). Above MAX_ENTRIES the array keeps the largest size it reached until merges bring the
    // entries back under the cap, when it is shrunk to the cap's size (see makeRoom()).
    // The same bins, summed in the same order, as a dense table would hold: only the empty ones are
    // left out. Weights are floats, the running total a double (see learn()).
    private byte[] hist = EMPTY;
    private double increment = 1;
    private double total;

    // The timeouts, past the due time (what assess() and nextChangeNanos() read).
    private double suspectAfter;
    private double deadAfter;
    private long last;
    private long due;

    // The fitted model, for φ only: the timeouts above are computed from the fit in double precision
    // at refit(); these keep the tail's parameters for suspicion() in single precision. The threshold
    // u is the lower edge of tailBin.
    private float logZeta;
    private float xi;
    private float sigma;
    private float stretch = 1;
    /** Silences learned, saturating at Integer.MAX_VALUE (68 years of 1 s beats). */
    private int learned;
    /** Occupied entries of the sparse histogram, unsigned (at most 221). */
    private byte used;
    private byte sinceRefresh;
    /** The bin whose lower edge is the tail threshold u, unsigned. */
    private byte tailBin;
    /** HAS_HEARTBEAT | SKIP_NEXT. */
    private byte flags;

    /** A detector for a peer answering about every {@code expectedInterval}. */
    public AdaptiveDetector(Config config, Duration expectedInterval) {
        this(config, expectedInterval.toNanos());
    }

    AdaptiveDetector(Config config, long expectedIntervalNanos) {
        this(config, expectedIntervalNanos, MAX_ENTRIES);
    }

    /** A detector whose histogram makes room at {@code maxEntries} entries (tests compare caps). */
    AdaptiveDetector(Config config, long expectedIntervalNanos, int maxEntries) {
        if (expectedIntervalNanos <= 0) {
            throw Checks.bad("expectedInterval", expectedIntervalNanos + "ns", "> 0");
        }
        this.r = maxEntries == MAX_ENTRIES ? config.rhythm(expectedIntervalNanos)
                : new Rhythm(config, expectedIntervalNanos, maxEntries);
        refit();
    }

    // ---------------------------------------------------------------------------------------
    // Input.
    // ---------------------------------------------------------------------------------------

    @Override
    public void heartbeat(long nowNanos, boolean sample) {
        heartbeat(nowNanos, nowNanos, nowNanos + r.expectedIntervalNanos, sample);
    }

    @Override
    public void heartbeat(long nowNanos, long sentAtNanos, long nextDueNanos, boolean sample) {
        if (flags == HAS_HEARTBEAT && sample) { // a heartbeat seen before, and no forgiven silence to skip
            long overdue = nowNanos - due;
            learn(overdue < 0 ? 0 : Math.min(overdue, (long) Math.max(4 * deadAfter, 3.0 * r.expectedIntervalNanos)));
        }
        flags = HAS_HEARTBEAT;
        last = nowNanos;
        due = nextDueNanos;
    }

    @Override
    public void forgive(long pauseNanos, long nowNanos) {
        if (hasHeartbeat() && pauseNanos > 0) {
            if (nowNanos - due > 0) {
                due = nowNanos - due < pauseNanos ? nowNanos : due + pauseNanos;
            }
            flags |= SKIP_NEXT;
        }
    }

    @Override
    public void reset() {
        used = 0;
        hist = EMPTY;
        increment = 1;
        total = 0;
        learned = 0;
        flags = 0;
        refit();
    }

    /**
     * Records one survived overdue time. The history fades by weighting each new silence
     * {@code growth} times the one before (the increment), so that nothing is touched per sample
     * but one bin. Weights are floats: a bin's weight is kept to 2⁻²⁴ of itself, which at the
     * defaults (about 10⁵ silences remembered at 100 ms) is under 1% of one silence even for the
     * fullest bin, and exact to 10⁻⁷ in the tail, where k ≤ 400 silences decide the timeout; the
     * total, which ζ and the quantiles divide by, is summed in double. When the total reaches
     * 10³⁰ every weight is divided by the increment (the newest silence weighs 1 again), so floats
     * never overflow; a weight too old to matter may underflow to 0.
     */
    void learn(long overdueNanos) {
        if (total > RESCALE_AT) {
            int n = used & 0xFF;
            for (int i = 0; i < n; i++) {
                setWeightAt(i, (float) (weightAt(i) / increment));
            }
            total /= increment;
            increment = 1;
        }
        int b = bin(overdueNanos);
        int i = slot(b); // before reading the field: slot() may grow the array
        setWeightAt(i, (float) (weightAt(i) + increment));
        total += increment;
        increment *= r.growth;
        if (learned < Integer.MAX_VALUE) {
            learned++;
        }
        if (++sinceRefresh >= REFRESH_EVERY || b >= (tailBin & 0xFF) || learned < 64) {
            refit();
        }
    }

    // ---------------------------------------------------------------------------------------
    // The model.
    // ---------------------------------------------------------------------------------------

    static int bin(double x) {
        if (x < X0) {
            return 0;
        }
        int b = 1 + (int) (BINS_PER_OCTAVE * (Math.log(x / X0) / Math.log(2)));
        return Math.min(b, BINS - 1);
    }

    private static double lower(int b) {
        return LOWER[b];
    }

    private static double upper(int b) {
        return UPPER[b];
    }

    /** The weight of entry {@code i} of the sparse histogram. */
    private float weightAt(int i) {
        return (float) WEIGHTS.get(hist, i << 2);
    }

    private void setWeightAt(int i, float w) {
        WEIGHTS.set(hist, i << 2, w);
    }

    /** The bin number of entry {@code i} of the sparse histogram. */
    private int binAt(int i) {
        return hist[hist.length / ENTRY * 4 + i] & 0xFF;
    }

    /** The histogram as a dense table: each of the 221 bins' weight, 0 where none (for tests). */
    float[] weightsByBin() {
        float[] dense = new float[BINS];
        for (int i = 0; i < (used & 0xFF); i++) {
            dense[binAt(i)] = weightAt(i);
        }
        return dense;
    }

    /** Bytes of the sparse histogram's array (for tests): {@value #ENTRY} per entry it has room for. */
    int histogramBytes() {
        return hist.length;
    }

    /**
     * The index of bin {@code b} in the sparse histogram, inserted (with no weight) if missing. When
     * the array is full it is replaced by one with room for {@link #ROOM} entries (the first), or
     * for as many as fit in the size an entry more takes: arrays are allocated in 8-byte steps, so
     * 24 bytes hold 1 entry, 32 hold 3, 40 hold 4, 48 hold 6 … at no cost over an exact fit.
     */
    private int slot(int b) {
        int n = used & 0xFF;
        int i = n - 1;
        while (i >= 0 && binAt(i) > b) {
            i--;
        }
        if (i >= 0 && binAt(i) == b) {
            return i;
        }
        if (n >= r.maxEntries) {
            int room = makeRoom(b, n);
            if (room >= 0) {
                return room; // joined a body entry
            }
            // Entries may have merged (also when the array must grow all the same): look again.
            n = used & 0xFF;
            i = n - 1;
            while (i >= 0 && binAt(i) > b) {
                i--;
            }
        }
        int at = i + 1;
        byte[] old = hist;
        int oldBins = old.length / ENTRY * 4;
        byte[] h = old;
        if (n == old.length / ENTRY) {
            int aligned = (ARRAY_HEADER + (n + 1) * ENTRY + 7) & ~7;
            int room = Math.min(BINS, Math.max(n == 0 ? ROOM : 0, (aligned - ARRAY_HEADER) / ENTRY));
            h = new byte[room * ENTRY];
            System.arraycopy(old, 0, h, 0, at << 2);
        }
        int bins = h.length / ENTRY * 4;
        // weights [at, n) and bins [at, n) move up by one entry (within the array, or into the new one)
        System.arraycopy(old, at << 2, h, (at + 1) << 2, (n - at) << 2);
        System.arraycopy(old, oldBins + at, h, bins + at + 1, n - at);
        if (h != old) {
            System.arraycopy(old, oldBins, h, bins, at);
        }
        hist = h;
        setWeightAt(at, 0);
        h[bins + at] = (byte) b;
        used = (byte) (n + 1);
        return at;
    }

    /** {@link #makeRoom}: nothing can give way; the array grows. */
    private static final int NO_ROOM = Integer.MIN_VALUE;
    /** {@link #makeRoom}: entries were merged; one is free. */
    private static final int MERGED = -1;

    /**
     * Keeps the histogram at {@link #MAX_ENTRIES} entries, where the body allows, when a silence lands
     * in bin {@code b}, which has no entry (the class comment's "A bounded histogram"). The body lies
     * below the {@link #PROTECT} · k largest silences, k the tail size {@link #refit()} fits; there
     * weight moves up, into the next entry's bin: the new silence joins the body entry just above it,
     * or the body entry whose weight moves least (weight × bins) is merged into the next one, whichever
     * moves less (also above {@link #MAX_ENTRIES}, where the top needs more: a body silence never
     * grows the array while the body has an entry above it). A histogram over {@link #MAX_ENTRIES} is
     * merged back to it when the body can give way, and its array shrunk then.
     *
     * @return the index of the entry the silence joins, {@link #MERGED} if entries were freed, or
     *         {@link #NO_ROOM} if the body has nothing to give (the array grows)
     */
    private int makeRoom(int b, int n) {
        double k = tailSize();
        int guard = tailStart(PROTECT * k, n); // entries below it are the body (none if −1)
        if (guard > 0 && b > 0 && b < binAt(guard)) {
            // A body bin: the new silence may join the body entry just above it instead of a merge.
            for (int i = 0; i < guard; i++) {
                int c = binAt(i);
                if (c > b) {
                    if (increment * (c - b) <= moveCost(cheapestBelow(guard, n))) {
                        return i;
                    }
                    break;
                }
            }
        }
        int before = n;
        // Down to the cap, less one for b, from the body.
        while (n >= r.maxEntries && freeOne(tailStart(PROTECT * k, n), n)) {
            n--;
        }
        if (n == before) {
            return NO_ROOM;
        }
        // Back under the cap: give back the room grown beyond it (above the cap the array keeps its
        // size, so that a top that needs it is not shrunk and grown again at every new bin).
        int room = (((ARRAY_HEADER + r.maxEntries * ENTRY + 7) & ~7) - ARRAY_HEADER) / ENTRY;
        if (n < r.maxEntries && room < hist.length / ENTRY) {
            byte[] h = new byte[room * ENTRY];
            System.arraycopy(hist, 0, h, 0, n << 2);
            System.arraycopy(hist, hist.length / ENTRY * 4, h, room * 4, n);
            hist = h;
        }
        return MERGED;
    }

    /** The weight × bins that merging entry {@code i} into the next moves; infinity for −1. */
    private double moveCost(int i) {
        return i < 0 ? Double.POSITIVE_INFINITY : weightAt(i) * (binAt(i + 1) - binAt(i));
    }

    /**
     * The entry below {@code limit} (bin 0 kept apart) whose weight, moved up into the next entry's
     * bin, moves least weight × bins, or −1 if there is none.
     */
    private int cheapestBelow(int limit, int n) {
        int pair = -1;
        double pairCost = Double.POSITIVE_INFINITY;
        for (int i = 0; i + 1 < limit && i + 1 < n; i++) {
            if (binAt(i) == 0) {
                continue;
            }
            double cost = moveCost(i);
            if (cost < pairCost) {
                pairCost = cost;
                pair = i;
            }
        }
        return pair;
    }

    /**
     * Frees one entry: the cheapest below {@code limit} (see {@link #cheapestBelow}) merged into the
     * one above it. False if there is none.
     */
    private boolean freeOne(int limit, int n) {
        int gone = cheapestBelow(limit, n);
        if (gone < 0) {
            return false;
        }
        setWeightAt(gone + 1, weightAt(gone) + weightAt(gone + 1));
        // the entries above the one gone move down by one (weights, then bin numbers)
        int bins = hist.length / ENTRY * 4;
        System.arraycopy(hist, (gone + 1) << 2, hist, gone << 2, (n - gone - 1) << 2);
        System.arraycopy(hist, bins + gone + 1, hist, bins + gone, n - gone - 1);
        used = (byte) (n - 1);
        return true;
    }

    /** The size of the fitted tail: the k = 30 p n largest of the n remembered silences, 10..400. */
    private double tailSize() {
        double n = total / increment;
        return Math.max(Math.min(10, n), Math.min(400, TAIL_REACH * r.pDead * n));
    }

    /** Refits the tail and recomputes both timeouts. O(occupied bins). */
    private void refit() {
        sinceRefresh = 0;
        int used = this.used & 0xFF;
        double n = total / increment; // effective number of remembered silences
        int j = 0; // the tail's first bin: u is its lower edge
        double logZeta = 0;
        double xi = 0;
        double sigma = X0;
        double atLeast = 0; // a cut tail's largest silence
        if (n >= 1) {
            // The tail: the k = 30 p n largest silences (between 10 and 400 of them), so that the fit
            // extrapolates at most 30-fold in probability.
            double k = tailSize();
            int first = tailStart(k, used); // the first entry of the tail
            boolean cut = false;
            if (first >= 0 && misfit(first, used, false) > MISFIT) {
                // The GPD does not fit the k largest silences: try their upper half, then quarter (at
                // least MIN_TAIL silences), and keep the first part that both fits and ends.
                int tried = first;
                for (double kc = k / 2; kc >= MIN_TAIL && !cut; kc /= 2) {
                    int c = tailStart(kc, used);
                    if (c >= 0 && c != tried) {
                        tried = c;
                        if (misfit(c, used, true) <= MISFIT) {
                            first = c;
                            cut = true;
                        }
                    }
                }
            }
            double acc = 0;
            if (first < 0) {
                first = 0;
                acc = total;
            } else {
                j = binAt(first);
                for (int i = first; i < used; i++) {
                    acc += weightAt(i);
                }
            }
            double minXi = cut ? -1 : MIN_XI;
            double u = lower(j);
            // Probability-weighted moments of the excesses over u (Hosking & Wallis, 1987):
            // a0 = E[Y], a1 = E[Y (1 − F(Y))];  ξ = 2 − a0 / (a0 − 2 a1),  σ = 2 a0 a1 / (a0 − 2 a1).
            double a0 = 0;
            double a1 = 0;
            double remaining = acc;
            for (int i = first; i < used; i++) {
                double w = weightAt(i);
                if (w == 0) {
                    continue;
                }
                int b = binAt(i);
                double c = (b == 0 ? X0 / 2 : Math.sqrt(lower(b) * upper(b))) - u;
                double survival = (remaining - w / 2) / acc;
                a0 += w * c;
                a1 += w * c * survival;
                remaining -= w;
            }
            a0 /= acc;
            a1 /= acc;
            double denominator = a0 - 2 * a1;
            if (a0 <= 0) {
                xi = 0;
                sigma = X0 / 2;
            } else if (denominator <= 0) {
                xi = 0.5;
                sigma = a0 * (1 - xi);
            } else {
                double estimate = 2 - a0 / denominator;
                // One standard error up, (1 + ξ)/√k: a shape estimated too light costs mistakes by a
                // power of the timeout, one estimated too heavy costs time only in proportion. Kept in
                // [-½, ½]: a tail that ends (silences capped by the next beat) may show it does.
                xi = Math.max(minXi, Math.min(0.5, estimate + (1 + Math.max(0, estimate)) / Math.sqrt(acc / increment)));
                // The shift moves the shape only: the scale stays the estimate's, also when ½ trims the
                // shift. Only where a limit cuts the estimate itself (above ½, or the margin still below
                // the lower limit) is the scale matched to the mean excess σ/(1 − ξ) instead.
                sigma = xi == minXi || estimate > 0.5 ? a0 * (1 - xi) : 2 * a0 * a1 / denominator;
            }
            logZeta = Math.log10(Math.min(1, acc / total));
            if (cut) {
                // A cut tail is a cluster that ends: its DEAD timeout is not put below the largest silence
                // in it that is still remembered (weighing at least 1/e of a new one).
                for (int i = used - 1; i >= first; i--) {
                    if (weightAt(i) >= increment * REMEMBERED) {
                        atLeast = upper(binAt(i));
                        break;
                    }
                }
            }
        }
        double qDead = tailQuantile(r.pDead, j, logZeta, xi, sigma);
        double qSuspect = tailQuantile(r.pSuspect, j, logZeta, xi, sigma);
        double prior = r.config.priorTimeoutFactor * r.expectedIntervalNanos * Math.exp(-learned / PRIOR_FADE);
        double wanted = Math.max(Math.max(Math.max(qDead, atLeast), prior), r.config.minTimeoutFactor * r.expectedIntervalNanos);
        double stretch = Math.max(1, wanted / Math.max(qDead, 1));
        deadAfter = qDead * stretch;
        suspectAfter = Math.min(deadAfter, qSuspect * stretch);
        this.tailBin = (byte) j;
        this.logZeta = (float) logZeta;
        this.xi = (float) xi;
        this.sigma = (float) sigma;
        this.stretch = (float) stretch;
    }

    /** The entry from which the {@code k} largest silences lie at or above it (bin 0 excluded), or −1. */
    private int tailStart(double k, int used) {
        double acc = 0;
        for (int i = used - 1; i >= 0 && binAt(i) > 0; i--) {
            acc += weightAt(i);
            if (acc / increment >= k) {
                return i;
            }
        }
        return -1;
    }

    /**
     * How badly a GPD fitted by PWM misses the tail from entry {@code first}: the largest gap between
     * the tail's empirical survival and the fitted one at the edges of the occupied bins (the
     * Kolmogorov–Smirnov distance D, as far as the bins show it) times √k. With {@code mustEnd},
     * infinite unless the fitted tail ends (the estimated shape, one standard error heavier, is
     * below 0).
     */
    private double misfit(int first, int used, boolean mustEnd) {
        double u = lower(binAt(first));
        double acc = 0;
        for (int i = first; i < used; i++) {
            acc += weightAt(i);
        }
        double a0 = 0;
        double a1 = 0;
        double remaining = acc;
        for (int i = first; i < used; i++) {
            double w = weightAt(i);
            int b = binAt(i);
            double c = Math.sqrt(lower(b) * upper(b)) - u;
            a0 += w * c;
            a1 += w * c * (remaining - w / 2) / acc;
            remaining -= w;
        }
        a0 /= acc;
        a1 /= acc;
        double denominator = a0 - 2 * a1;
        if (a0 <= 0 || denominator <= 0) {
            return mustEnd ? Double.POSITIVE_INFINITY : 0; // all in one bin, or heavier than ξ = ½
        }
        double k = acc / increment;
        double estimate = 2 - a0 / denominator;
        if (mustEnd && estimate + (1 + Math.max(0, estimate)) / Math.sqrt(k) >= 0) {
            return Double.POSITIVE_INFINITY;
        }
        double xi = Math.max(-1, Math.min(0.5, estimate));
        double sigma = xi == estimate ? 2 * a0 * a1 / denominator : a0 * (1 - xi);
        double d = 0;
        remaining = acc;
        for (int i = first; i < used; i++) {
            int b = binAt(i);
            d = Math.max(d, Math.abs(remaining / acc - gpdSurvival(lower(b) - u, xi, sigma)));
            remaining -= weightAt(i);
            d = Math.max(d, Math.abs(remaining / acc - gpdSurvival(upper(b) - u, xi, sigma)));
        }
        return d * Math.sqrt(k);
    }

    /** P(Y &gt; y) for a GPD(ξ, σ): (1 + ξ y/σ)^(−1/ξ), e^(−y/σ) at ξ = 0, 0 past a bounded tail's end. */
    private static double gpdSurvival(double y, double xi, double sigma) {
        if (y <= 0) {
            return 1;
        }
        if (Math.abs(xi) < 1e-6) {
            return Math.exp(-y / sigma);
        }
        double g = 1 + xi * y / sigma;
        return g <= 0 ? 0 : Math.pow(g, -1 / xi);
    }

    /** The overdue time the tail fitted above bin {@code j} exceeds with probability {@code p}. */
    private double tailQuantile(double p, int j, double logZeta, double xi, double sigma) {
        double zeta = Math.pow(10, logZeta);
        if (p >= zeta) {
            // Within the body: the empirical quantile (rarely needed: p is far below ζ), the upper
            // edge of the highest bin at or above which a fraction p of the weight lies.
            double above = 0;
            for (int i = (used & 0xFF) - 1; i >= 0; i--) {
                above += weightAt(i);
                if (above / total >= p) {
                    return upper(binAt(i));
                }
            }
            return 0;
        }
        double u = lower(j);
        double ratio = zeta / p;
        double q = Math.abs(xi) < 1e-6 ? u + sigma * Math.log(ratio) : u + sigma / xi * (Math.pow(ratio, xi) - 1);
        return Math.max(q, 1);
    }

    /** φ of the model for an overdue time (before stretching). Finite, continuous, non-decreasing. */
    private double phiOf(double x) {
        if (x <= 0) {
            return 0;
        }
        double u = lower(tailBin & 0xFF);
        if (x >= u && total > 0) {
            double z = (x - u) / sigma;
            if (xi < 0) {
                // A bounded tail ends at z = 1/|ξ|, where φ would be infinite: past the DEAD timeout φ
                // goes on along its tangent there instead, finite and still growing.
                double zd = Math.max(0, (deadAfter / stretch - u) / sigma);
                if (z > zd) {
                    double g = 1 + xi * zd;
                    return Math.max(0, -logZeta + Math.log1p(xi * zd) / (xi * LN10) + (z - zd) / (g * LN10));
                }
            }
            double tail = Math.abs(xi) < 1e-6 ? z / LN10 : Math.log1p(xi * z) / (xi * LN10);
            return Math.max(0, -logZeta + tail);
        }
        if (total <= 0) {
            return 0;
        }
        int b = bin(x);
        // The weight at or above bin b + 1 and at or above bin b, summed from the top in one pass.
        double aboveNext = 0;
        double above = 0;
        for (int i = (used & 0xFF) - 1; i >= 0 && binAt(i) >= b; i--) {
            above += weightAt(i);
            if (binAt(i) > b) {
                aboveNext = above;
            }
        }
        double lo = above > 0 ? Math.log10(above / total) : Double.NEGATIVE_INFINITY;
        double hi = aboveNext > 0 ? Math.log10(aboveNext / total) : logZeta;
        double f = b == 0 ? x / X0 : Math.log(x / lower(b)) / Math.log(upper(b) / lower(b));
        double phi = -(lo + (hi - lo) * Math.min(1, f));
        return Double.isFinite(phi) && phi > 0 ? phi : 0;
    }

    // ---------------------------------------------------------------------------------------
    // Output.
    // ---------------------------------------------------------------------------------------

    @Override
    public boolean hasHeartbeat() {
        return (flags & HAS_HEARTBEAT) != 0;
    }

    @Override
    public long lastHeartbeatNanos() {
        return last;
    }

    /** When the next answer is (or was) due. */
    public long dueNanos() {
        return due;
    }

    /** The current DEAD timeout: overdue time at which φ reaches its threshold, in nanoseconds. */
    public double deadAfterNanos() {
        return deadAfter;
    }

    /** The current SUSPECT timeout past the due time, in nanoseconds. */
    public double suspectAfterNanos() {
        return suspectAfter;
    }

    /** φ at which the peer is DEAD: −log10 of the per-silence mistake budget. */
    public double deadThreshold() {
        return r.phiDead;
    }

    /** φ at which the peer is SUSPECT. */
    public double suspectThreshold() {
        return r.phiSuspect;
    }

    /** Silences learned since creation or reset. */
    public long learned() {
        return learned;
    }

    @Override
    public double suspicion(long nowNanos) {
        if (!hasHeartbeat()) {
            return 0.0;
        }
        double x = nowNanos - due;
        if (x >= deadAfter) {
            // Past the timeout φ is at least the threshold, whatever the stretch rounded to.
            return Math.max(r.phiDead, phiOf(x / stretch));
        }
        if (x >= suspectAfter) {
            return Math.min(Math.max(r.phiSuspect, phiOf(x / stretch)), Math.nextDown(r.phiDead));
        }
        return Math.min(phiOf(x / stretch), Math.nextDown(r.phiSuspect));
    }

    @Override
    public Liveness assess(long nowNanos) {
        if (!hasHeartbeat()) {
            return Liveness.UNKNOWN;
        }
        double x = nowNanos - due;
        if (x >= deadAfter) {
            return Liveness.DEAD;
        }
        return x >= suspectAfter ? Liveness.SUSPECT : Liveness.ALIVE;
    }

    @Override
    public long nextChangeNanos(long nowNanos) {
        if (!hasHeartbeat()) {
            return Long.MAX_VALUE;
        }
        long suspectAt = due + (long) Math.ceil(suspectAfter);
        if (nowNanos - suspectAt < 0) {
            return suspectAt;
        }
        long deadAt = due + (long) Math.ceil(deadAfter);
        return nowNanos - deadAt < 0 ? deadAt : Long.MAX_VALUE;
    }

    @Override
    public String explain(long nowNanos) {
        if (!hasHeartbeat()) {
            return "no heartbeat yet";
        }
        double phi = suspicion(nowNanos);
        double silentMs = (nowNanos - last) / 1e6;
        Liveness l = assess(nowNanos);
        if (l == Liveness.DEAD) {
            return String.format(Locale.ROOT, "φ %.2f >= %.1f (silent %.0f ms)", Math.min(phi, 999.99),
                    Math.floor(r.phiDead * 10) / 10, silentMs);
        }
        if (l == Liveness.SUSPECT) {
            return String.format(Locale.ROOT, "φ %.2f >= %.1f (silent %.0f ms)", phi,
                    Math.floor(r.phiSuspect * 10) / 10, silentMs);
        }
        return String.format(Locale.ROOT, "φ %.2f < %.1f", phi, Math.floor(r.phiSuspect * 10) / 10);
    }

    /** The configuration. */
    public Config config() {
        return r.config;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "AdaptiveDetector{learned=%d, suspect=%.1f ms, dead=%.1f ms past due, xi=%.2f}",
                learned, suspectAfter / 1e6, deadAfter / 1e6, xi);
    }

    /**
     * The figures a configuration gives every peer pinged at one interval: the per-beat DEAD and
     * SUSPECT probabilities, their φ thresholds and the history's growth factor. Immutable; shared
     * by all detectors of that configuration and interval.
     */
    static final class Rhythm {
        final Config config;
        final long expectedIntervalNanos;
        final double pDead;
        final double pSuspect;
        final double phiDead;
        final double phiSuspect;
        final double growth;
        /** Entries of the histogram before it makes room ({@link #MAX_ENTRIES}; other values in tests). */
        final int maxEntries;


        Rhythm(Config config, long expectedIntervalNanos) {
            this(config, expectedIntervalNanos, MAX_ENTRIES);
        }

        Rhythm(Config config, long expectedIntervalNanos, int maxEntries) {
            this.maxEntries = maxEntries;
            this.config = config;
            this.expectedIntervalNanos = expectedIntervalNanos;
            this.pDead = Math.min(0.5, config.mistakesPerHour * expectedIntervalNanos / 3.6e12);
            this.pSuspect = Math.min(0.5, Math.max(pDead, pDead * Config.SUSPECT_BUDGET_FACTOR));
            this.phiDead = -Math.log10(pDead);
            this.phiSuspect = Math.min(-Math.log10(pSuspect), phiDead);
            this.growth = Math.exp(pDead / 3);
        }
    }

    /**
     * Immutable configuration of {@link AdaptiveDetector}; also its factory. Build with
     * {@link #custom()}, start from {@link #ofDefaults()}.
     */
    public static final class Config implements LivenessDetector.Factory {

        /** False DEAD verdicts per hour the timeout is chosen for. */
        public static final double DEFAULT_MISTAKES_PER_HOUR = 1.0;
        /** Intervals past the due time a peer with no history yet is given. */
        public static final double DEFAULT_PRIOR_TIMEOUT_FACTOR = 1.5;
        /** Shortest DEAD timeout past the due time, as a fraction of the interval. */
        public static final double DEFAULT_MIN_TIMEOUT_FACTOR = 0.05;
        /** SUSPECT happens this many times more often than DEAD would be allowed to. */
        static final double SUSPECT_BUDGET_FACTOR = 30;

        private static final Config DEFAULTS = custom().build();

        private final double mistakesPerHour;
        private final double priorTimeoutFactor;
        private final double minTimeoutFactor;
        /** The last interval's shared figures (peers of one monitor mostly share an interval). */
        private volatile Rhythm lastRhythm;

        private Config(Builder b) {
            this.mistakesPerHour = b.mistakesPerHour;
            this.priorTimeoutFactor = b.priorTimeoutFactor;
            this.minTimeoutFactor = b.minTimeoutFactor;
        }

        /** The defaults. */
        public static Config ofDefaults() {
            return DEFAULTS;
        }

        /** A builder starting from the defaults. */
        public static Builder custom() {
            return new Builder();
        }

        /** A builder starting from {@code base}. */
        public static Builder from(Config base) {
            return new Builder().mistakesPerHour(base.mistakesPerHour).priorTimeoutFactor(base.priorTimeoutFactor)
                    .minTimeoutFactor(base.minTimeoutFactor);
        }

        @Override
        public LivenessDetector create(long expectedIntervalNanos) {
            return new AdaptiveDetector(this, expectedIntervalNanos);
        }

        /** The figures shared by this configuration's detectors at {@code expectedIntervalNanos}. */
        Rhythm rhythm(long expectedIntervalNanos) {
            Rhythm r = lastRhythm;
            if (r == null || r.expectedIntervalNanos != expectedIntervalNanos) {
                r = new Rhythm(this, expectedIntervalNanos);
                lastRhythm = r;
            }
            return r;
        }

        public double mistakesPerHour() {
            return mistakesPerHour;
        }

        public double priorTimeoutFactor() {
            return priorTimeoutFactor;
        }

        public double minTimeoutFactor() {
            return minTimeoutFactor;
        }

        @Override
        public String toString() {
            return "Adaptive{mistakesPerHour=" + mistakesPerHour + ", priorTimeoutFactor=" + priorTimeoutFactor
                    + ", minTimeoutFactor=" + minTimeoutFactor + "}";
        }

        /** Validating builder. */
        public static final class Builder {
            private double mistakesPerHour = DEFAULT_MISTAKES_PER_HOUR;
            private double priorTimeoutFactor = DEFAULT_PRIOR_TIMEOUT_FACTOR;
            private double minTimeoutFactor = DEFAULT_MIN_TIMEOUT_FACTOR;

            private Builder() {
            }

            /**
             * The mistake budget: false DEAD verdicts per hour of a healthy peer the timeout aims at,
             * 0.0001..3600. Lower: fewer mistakes, slower detection (logarithmically for light
             * tails, by a power for heavy ones).
             */
            public Builder mistakesPerHour(double mistakesPerHour) {
                if (!(mistakesPerHour >= 1e-4 && mistakesPerHour <= 3600)) {
                    throw Checks.bad("mistakesPerHour", mistakesPerHour, "0.0001..3600");
                }
                this.mistakesPerHour = mistakesPerHour;
                return this;
            }

            /**
             * Timeout past the due time for a peer with no history, in intervals, 0..100 (default
             * 1.5). It fades as the peer's own silences are learned.
             */
            public Builder priorTimeoutFactor(double factor) {
                if (!(factor >= 0 && factor <= 100)) {
                    throw Checks.bad("priorTimeoutFactor", factor, "0.0..100.0");
                }
                this.priorTimeoutFactor = factor;
                return this;
            }

            /** Shortest DEAD timeout past the due time, in intervals: 0..10 (default 0.05). */
            public Builder minTimeoutFactor(double factor) {
                if (!(factor >= 0 && factor <= 10)) {
                    throw Checks.bad("minTimeoutFactor", factor, "0.0..10.0");
                }
                this.minTimeoutFactor = factor;
                return this;
            }

            public Config build() {
                return new Config(this);
            }
        }
    }
}
