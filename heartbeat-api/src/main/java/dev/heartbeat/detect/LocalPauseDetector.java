package dev.heartbeat.detect;

import dev.heartbeat.internal.Checks;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices when the <em>observer</em> was paused — a stop-the-world GC, CPU starvation, a
 * suspended VM — so that its own silence is not blamed on its peers (the most common false alarm
 * in failure detectors: a sick observer condemning healthy peers).
 *
 * <p>Two signals feed it:
 * <ol>
 *   <li>Timer lateness: each monitor tick reports when it was due and when it ran
 *       ({@link #observeTimer}); running more than {@code threshold} late means this thread could
 *       not run.</li>
 *   <li>The JVM's GC notifications ({@link #watchGarbageCollector()}): stop-the-world pauses
 *       longer than the threshold are recorded as they are reported.</li>
 * </ol>
 *
 * <p><b>Local health.</b> Forgiving every pause without limit would let an overloaded observer
 * switch detection off (every late timer excusing every silence). So, as in memberlist's
 * Lifeguard, pauses also raise a <em>local health score</em>, 0..{@value #MAX_SCORE}: each
 * distinct pause adds one, and each {@link #SCORE_DECAY} without a pause takes one away. A score
 * above 0 means <em>this observer is lagging</em> ({@link #health}); the monitor shows it to
 * listeners, metrics and health checks, and bounds how much silence it forgives per peer.
 *
 * <p>Thread-safe: the last pause is published through a volatile field; recording allocates only
 * when a pause happens.
 */
public final class LocalPauseDetector {

    private static final Logger log = LoggerFactory.getLogger(LocalPauseDetector.class);

    /** Default lateness that counts as a pause when none is derived from an interval (the monitor uses interval / 4, 1..100 ms). */
    public static final Duration DEFAULT_THRESHOLD = Duration.ofMillis(100);

    /** Highest local health score (Lifeguard's "local health multiplier" maximum). */
    public static final int MAX_SCORE = 8;
    /** Time without a pause that lowers the local health score by one. */
    public static final Duration SCORE_DECAY = Duration.ofSeconds(1);

    private final Ticker ticker;
    private final long thresholdNanos;
    private final AtomicLong pauses = new AtomicLong();
    private volatile Pause last;
    private volatile int scoreAtLastPause;
    private volatile long lastPauseEnd;

    /**
     * The observer's own health.
     *
     * @param score 0..{@value #MAX_SCORE}: recent distinct pauses, decaying by one per {@link #SCORE_DECAY}
     * @param pauses distinct pauses since start
     * @param lastPauseNanos the length of the last pause, 0 when none
     */
    public record Health(int score, long pauses, long lastPauseNanos) {

        /** True when the observer paused recently: its verdicts may be late. */
        public boolean lagging() {
            return score > 0;
        }
    }

    private record Pause(long endNanos, long durationNanos) {
    }

    /**
     * @throws IllegalArgumentException when the threshold is not positive
     */
    public LocalPauseDetector(Ticker ticker, Duration threshold) {
        Checks.positive("pauseThreshold", threshold);
        this.ticker = ticker;
        this.thresholdNanos = threshold.toNanos();
    }

    /** The lateness that counts as a pause. */
    public Duration threshold() {
        return Duration.ofNanos(thresholdNanos);
    }

    /**
     * A timer due at {@code dueNanos} ran at {@code nowNanos}. The lateness shows only the part of
     * a stall after the timer fell due; callers that know when their thread last ran (the monitor
     * does, per peer) extend the pause back to it.
     *
     * @return the pause in nanoseconds when it ran later than the threshold, else 0
     */
    public long observeTimer(long dueNanos, long nowNanos) {
        long late = nowNanos - dueNanos;
        if (late > thresholdNanos) {
            record(nowNanos, late);
            return late;
        }
        return 0;
    }

    /** Records a pause of {@code durationNanos} that ended at {@code endNanos}. */
    public void record(long endNanos, long durationNanos) {
        Pause p = last;
        // Many ticks on one loop report the same pause; count it once.
        if (p == null || endNanos - durationNanos >= p.endNanos) {
            pauses.incrementAndGet();
            synchronized (this) {
                scoreAtLastPause = Math.min(MAX_SCORE, score(endNanos) + 1);
                lastPauseEnd = endNanos;
            }
        }
        if (p == null || endNanos >= p.endNanos) {
            last = new Pause(endNanos, Math.max(durationNanos, p != null && p.endNanos == endNanos ? p.durationNanos : 0));
        }
    }

    /**
     * The longest recorded pause that ended after {@code sinceNanos}, or 0. A tick calls this
     * with its previous run time to learn of pauses its own lateness did not show.
     */
    public long pausedSince(long sinceNanos) {
        Pause p = last;
        return p != null && p.endNanos > sinceNanos ? p.durationNanos : 0;
    }

    /** The local health score at {@code nowNanos}: 0 (healthy) .. {@value #MAX_SCORE}. */
    public int score(long nowNanos) {
        int s = scoreAtLastPause;
        if (s == 0) {
            return 0;
        }
        long decayed = (nowNanos - lastPauseEnd) / SCORE_DECAY.toNanos();
        return decayed >= s ? 0 : (int) (s - Math.max(0, decayed));
    }

    /** The observer's health now. */
    public Health health() {
        Pause p = last;
        return new Health(score(ticker.nanoTime()), pauses.get(), p == null ? 0 : p.durationNanos);
    }

    /** Number of distinct pauses recorded. */
    public long pauseCount() {
        return pauses.get();
    }

    /**
     * Subscribes to the JVM's GC notifications; pauses above the threshold are recorded. Close
     * the result to unsubscribe. Concurrent collector phases (which do not stop the application)
     * are ignored.
     */
    public AutoCloseable watchGarbageCollector() {
        List<Runnable> undo = new ArrayList<>();
        NotificationListener listener = this::onGcNotification;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter) {
                NotificationEmitter emitter = (NotificationEmitter) gc;
                emitter.addNotificationListener(listener, null, null);
                undo.add(() -> {
                    try {
                        emitter.removeNotificationListener(listener);
                    } catch (ListenerNotFoundException ignored) {
                        // already gone
                    }
                });
            }
        }
        return () -> undo.forEach(Runnable::run);
    }

    private void onGcNotification(Notification n, Object handback) {
        if (!"com.sun.management.gc.notification".equals(n.getType()) || !(n.getUserData() instanceof CompositeData)) {
            return;
        }
        try {
            CompositeData cd = (CompositeData) n.getUserData();
            String name = String.valueOf(cd.get("gcName"));
            if (name.contains("Concurrent") || name.contains("Cycles")) {
                return;
            }
            CompositeData info = (CompositeData) cd.get("gcInfo");
            long durationMs = ((Number) info.get("duration")).longValue();
            long durationNanos = Duration.ofMillis(durationMs).toNanos();
            if (durationNanos > thresholdNanos) {
                record(ticker.nanoTime(), durationNanos);
            }
        } catch (RuntimeException e) {
            log.debug("Unreadable GC notification ignored", e);
        }
    }
}
