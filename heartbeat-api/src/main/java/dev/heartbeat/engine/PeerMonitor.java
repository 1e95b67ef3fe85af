package dev.heartbeat.engine;

import dev.heartbeat.detect.LivenessDetector;
import dev.heartbeat.detect.LocalPauseDetector;
import dev.heartbeat.detect.UsabilityHysteresis;
import dev.heartbeat.detect.UsabilityVerdict;
import dev.heartbeat.engine.spi.DisconnectCause;
import dev.heartbeat.engine.spi.Link;
import dev.heartbeat.engine.spi.LinkHandler;
import dev.heartbeat.engine.spi.SerialScheduler;
import dev.heartbeat.internal.LogLimit;
import dev.heartbeat.peer.FrameRejection;
import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.Peer;
import dev.heartbeat.peer.PeerAttributes;
import dev.heartbeat.peer.PeerEvent;
import dev.heartbeat.peer.PeerSpec;
import dev.heartbeat.peer.PeerState;
import dev.heartbeat.peer.Usability;
import dev.heartbeat.protocol.AuthResult;
import dev.heartbeat.protocol.Frame;
import dev.heartbeat.protocol.FrameCodec;
import dev.heartbeat.protocol.FrameSealer;
import dev.heartbeat.protocol.FrameVerifier;
import dev.heartbeat.protocol.FrameDecodeException;
import dev.heartbeat.protocol.LoadFigures;
import dev.heartbeat.protocol.LoadReport;
import dev.heartbeat.protocol.LoadView;
import dev.heartbeat.protocol.ServingStatus;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLongArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One monitored peer: its link, detectors and state, and the one place where a peer's liveness
 * and usability change. Everything but the volatile published fields is confined to the link's
 * scheduler thread, so detection takes no lock; publishing a transition and removing the peer
 * share this object's monitor, so that nothing is published after REMOVED. Internal to the
 * engine; users see it as a {@link Peer}.
 *
 * <p>What a peer sends is untrusted. A PONG counts only when it answers a PING we still have
 * outstanding ({@link EchoTracker}); only such a PONG may introduce a new epoch; RTT comes from our
 * own send record; advice is clipped to {@link MonitorConfig#maxAdvisedInterval()}; and no PONG
 * can keep a silent peer from DEAD past {@link MonitorConfig#maxSilence()} (plus at most
 * {@link MonitorConfig#maxForgiveness()} of our own pauses).
 *
 * <p>The peer <em>extends</em> its {@link EchoTracker} (which extends its {@link RttWindow}) for
 * their fields only: one object per peer instead of three, 40 bytes less per peer at thousands of
 * peers. Each of them keeps its own (private) state and its own tests; the peer calls their
 * methods as it would call a member's, and they never call the peer's.
 */
sealed class PeerMonitor extends EchoTracker implements Peer, LinkHandler, Runnable permits PeerMonitor.Listened {

    private static final Logger log = LoggerFactory.getLogger(PeerMonitor.class);
    /** The report of a peer with no figures yet, made before any write. */
    private static final MadeLoad NO_LOAD = new MadeLoad(LoadReport.UNKNOWN, 0);
    /** Epochs remembered after they were replaced. */
    private static final int RETIRED_EPOCHS = 4;
    private static final FrameRejection[] REJECTIONS = FrameRejection.values();
    private static final Liveness[] LIVENESS = Liveness.values();
    private static final Usability[] USABILITY = Usability.values();
    private static final ServingStatus[] STATUSES = ServingStatus.values();
    /**
     * Where PINGs are encoded: one buffer per thread, not per peer (a peer's PINGs are encoded on
     * its scheduler's thread, and {@link Link#send} copies the bytes before it returns).
     */
    private static final ThreadLocal<ByteBuffer> PING_SCRATCH =
            ThreadLocal.withInitial(() -> ByteBuffer.allocate(FrameCodec.MAX_FRAME_LENGTH));
    /** The PING being encoded: one holder per thread, like the buffer (nothing is called between filling and encoding it). */
    private static final ThreadLocal<Frame> PING_FRAME = ThreadLocal.withInitial(Frame::new);
    /**
     * Where received frames are decoded, and their usability verdicts made: one holder each per
     * thread (an event loop), not per peer; see {@link #onFrame}.
     */
    private static final ThreadLocal<DecodeScratch> DECODE_SCRATCH = ThreadLocal.withInitial(DecodeScratch::new);
    /** {@link #flags}: the first tick ran ({@link #begin}). */
    private static final int STARTED = 1;
    /** {@link #flags}: answers to PINGs older than {@link #freshFromSeq} give no RTT (they queued behind a silence). */
    private static final int FILTER_STALE_RTT = 2;
    /** {@link #flags}: the warning that the forgiveness budget is spent was logged for this silence. */
    private static final int BUDGET_SPENT_LOGGED = 4;
    /** Shortest wait for a probe's answer, and shortest spacing of probes. */
    private static final long MIN_PROBE_WAIT = 1_000_000;
    /** PINGs the path's long-run loss rate averages over. */
    private static final int LOSS_MEMORY = 4096;

    private final String name;
    private final String address;
    private final PeerAttributes attributes;
    private final HeartbeatMonitor owner;
    private final MonitorConfig cfg;
    private LivenessDetector detector;
    /**
     * This peer's state in its configuration's {@link UsabilityHysteresis} (an int, not an object
     * per peer): the hysteresis-filtered usability, and the streak under way.
     */
    private int usabilityState = UsabilityHysteresis.INITIAL;
    /** The state of this peer's jitter draws ({@link Jitter}). */
    private long jitterState;
    /** Made at the first rejected frame, restart or lost connection (most peers never have one). */
    private volatile Rare rare;

    /**
     * The link: set by {@link #start} (for {@link #remove}, from any thread) or by the link's first
     * event, whichever comes first — the same link. Volatile for remove; the scheduler's reads of it
     * are plain loads on the platforms we run on.
     */
    private volatile Link link;

    // Scheduler-confined state (the next PING's sequence is EchoTracker's nextSequence()).
    /** When the last valid PONG arrived; before the first one, when the peer began (its silence started then). */
    private long lastPongAt;
    /** Own pauses forgiven since the last valid PONG (or since the peer was added). */
    private long forgivenNanos;
    /** After a silence, RTTs of answers to PINGs older than this sequence are stale. */
    private int freshFromSeq;
    private long due;
    private long lastTickRan;
    /** When this peer's thread last ran anything for it (tick, evaluation, frame). */
    private long lastActivity;
    /** PINGs this path loses, per PING sent: a long-run average (about {@link #LOSS_MEMORY} PINGs). */
    private float pathLoss;
    /** PINGs {@link #pathLoss} averages so far: up to {@link #LOSS_MEMORY}, a short. */
    private short lossTrials;
    private long graceUntil;
    /** The next evaluation between ticks (always before {@link #due}), or Long.MAX_VALUE when none is. */
    private long pendingEvalAt = Long.MAX_VALUE;
    /** {@link #STARTED}, {@link #FILTER_STALE_RTT} and {@link #BUDGET_SPENT_LOGGED}: three booleans in one byte. */
    private byte flags;
    /** The length of the last PONG accepted: at most {@link FrameCodec#MAX_FRAME_LENGTH}, a short. */
    private short lastPongLength;

    // Published state, read from any thread.
    /**
     * The current liveness and usability as ordinals ({@link #verdicts(Liveness, Usability)}), and
     * whether the peer was removed ({@link #REMOVED}), in one published field of 2 bytes instead of
     * two references and a boolean; read through {@link #liveness()}, {@link #usability()} and
     * {@link #removed()}. Written under this object's monitor: the verdicts on the peer's thread
     * (never once removed), the removal from any thread, once — no event is published after it.
     */
    private volatile short verdicts = verdicts(Liveness.UNKNOWN, Usability.UNKNOWN);
    private volatile String reason = "added";
    /** φ as last computed, for readers (a float: ample for showing it; the detector decides in double). */
    private volatile float phi;
    /**
     * The RTT of the last accepted PONG (-1 before the first), when it fits in an int — below 2.1 s,
     * as nearly every one does — else {@link #RTT_FAR}, with the RTT in {@link Rare#rttFar}: 4 bytes
     * per peer instead of 8. See {@link #rttNanos()}.
     */
    private volatile int rttNanos = -1;
    /** The status of the last accepted PONG as its ordinal (a byte, not a reference), -1 before the first. */
    private volatile byte status = -1;
    /**
     * The load figures of the last accepted PONG, kept as plain fields of the peer, as
     * {@link LoadFigures} keeps them ({@link LoadFigures#fractionsOf}, {@link LoadFigures#countOf}, a
     * float): no object per peer, and the immutable report is made only when someone reads
     * {@link #load()}, and kept until the figures change. Written on the peer's thread between two
     * increments of {@link #loadWrites}; see {@link #load()} for how readers on other threads take
     * a consistent copy without a lock.
     */
    private long loadFractions = LoadFigures.UNKNOWN_FRACTIONS;
    private int loadInFlight = -1;
    private int loadQueueDepth = -1;
    private int loadLatencyMicros = -1;
    private float loadRate = Float.NaN;
    /**
     * Made at the first PONG that carries custom metrics (most responders send none): from then on
     * it holds all the figures, the fixed ones included, and the fields above are no longer used.
     * Written like them.
     */
    private LoadFigures loadCustom;
    /** Odd while the peer's thread writes the figures, even otherwise: a count of half-writes. */
    private volatile int loadWrites;
    /**
     * The figures as a report with the write count it was made at, or null: set by a reader that made
     * it, good while the count has not moved, cleared by the peer's thread after each change (so a
     * report of old figures is not kept). A router reads it on every request.
     */
    private volatile MadeLoad loadReport = NO_LOAD;
    private volatile long epoch;
    /**
     * The node id of the last accepted PONG as received (well-formed UTF-8, shared with the decode
     * that made it, never modified): no string object kept per peer, one is made for readers.
     */
    private volatile byte[] nodeIdUtf8;
    /**
     * When the peer entered its current liveness/usability combination, as nanoseconds since the
     * epoch (no Instant kept per peer); {@link #FAR} when that instant does not fit, which is then
     * in {@link Rare#sinceFar}. See {@link #setSince} and {@link #since()}.
     */
    private volatile long sinceNanos;

    /**
     * What most peers never need, in one object made when first needed ({@link #rare()}): the
     * counts and last details of rejected frames, the epochs a restart retired, what the last lost
     * connection said, and the peer's advice. Written on the peer's thread; {@link #rejected} is
     * read from any.
     */
    private static final class Rare {
        /** Frames rejected, by reason. */
        final AtomicLongArray rejected = new AtomicLongArray(REJECTIONS.length);
        FrameRejection lastRejection;
        /** What the decoder said of the last malformed frame. */
        String lastMalformed;
        long badFrames;
        /** Epochs remembered after they were replaced (0: none), the next to overwrite at {@link #retiredNext}. */
        final long[] retired = new long[RETIRED_EPOCHS];
        int retiredNext;
        /** Why the connection was last lost, or "" once it is connected again. */
        String lastDisconnect = "";
        /** The first sequence sent after the current epoch was adopted at a restart: older PINGs were answered by its predecessor. */
        int epochFromSeq;
        /**
         * The minimum interval the peer last advised, as it said it (ms; 0: none, or advice is not
         * honoured): {@link #advisedNanos()} and {@link #effectiveIntervalNanos()} follow from it.
         */
        int adviceMillis;
        /** {@link #since()} when it does not fit in {@link #sinceNanos} (years before 1678 or after 2261). */
        Instant sinceFar;
        /** {@link #rttNanos()} when it does not fit in {@link #rttNanos} (volatile: a long, read from any thread). */
        volatile long rttFar;
    }

    /**
     * A peer, with a listener of its own events when {@code local} is not null.
     *
     * @param local a listener of this peer's own events, called on the peer's thread right after
     *     each is published (outside any lock), or {@code null}
     * @param config this peer's settings (the monitor's, or a per-peer override)
     */
    static PeerMonitor of(PeerSpec spec, HeartbeatMonitor owner, dev.heartbeat.peer.PeerListener local,
                          MonitorConfig config) {
        return local == null ? new PeerMonitor(spec, owner, config) : new Listened(spec, owner, config, local);
    }

    private PeerMonitor(PeerSpec spec, HeartbeatMonitor owner, MonitorConfig config) {
        this.name = spec.name();
        this.address = spec.address();
        this.attributes = spec.attributes();
        this.owner = owner;
        this.cfg = config;
        this.detector = cfg.detector().create(cfg.intervalNanos);
        setSince(owner.clock().instant());
        this.jitterState = owner.nextSeed();
        firstSequence(Epochs.newSequence());
    }

    /** This peer's settings. */
    MonitorConfig config() {
        return cfg;
    }

    /** Neighbours in the owner's list of the peers it started ({@code HeartbeatMonitor#owned}); guarded by its membership lock. */
    PeerMonitor prevOwned;
    PeerMonitor nextOwned;

    /** True when {@code monitor} added this peer and has not removed it. */
    boolean ownedBy(HeartbeatMonitor monitor) {
        return owner == monitor && !removed();
    }

    private boolean flag(int f) {
        return (flags & f) != 0;
    }

    private void flag(int f, boolean on) {
        flags = (byte) (on ? flags | f : flags & ~f);
    }

    /** True once the first tick ran; on the peer's thread. */
    private boolean started() {
        return flag(STARTED);
    }

    /** Binds the link and starts ticking; called once, right after the link was opened. */
    void start(Link link) {
        this.link = link;
        if (removed()) {
            link.close(); // removed between registration and start
            return;
        }
        link.scheduler().execute(() -> begin(link));
    }

    /**
     * The first tick, on the scheduler. A real transport may report the link's first event before
     * the task queued by {@link #start} runs (dialling began inside open(), on the link's thread):
     * that event begins the peer itself, from the link it was given.
     */
    private void begin(Link l) {
        if (started() || removed()) {
            return;
        }
        flag(STARTED, true);
        link = l;
        SerialScheduler scheduler = l.scheduler();
        long now = scheduler.ticker().nanoTime();
        lastPongAt = now;
        lastTickRan = now;
        lastActivity = now;
        due = now;
        graceUntil = now;
        tick();
    }

    /**
     * Removes the peer, from any thread: publishes REMOVED (the last event of this peer), then
     * closes the link. Never waits for the peer's scheduler, so it works whatever was closed first.
     *
     * @return false when it was already removed
     */
    boolean remove(String why) {
        synchronized (this) {
            if (removed()) {
                return false;
            }
            verdicts |= REMOVED;
            Liveness l = liveness();
            Usability u = usability();
            owner.publish(new PeerEvent(PeerEvent.Kind.REMOVED, name, l, l, u, u, why, owner.clock().instant(),
                    state()));
        }
        Link l = link;
        if (l != null) {
            l.close();
        }
        if (liveness() == Liveness.UNKNOWN) {
            // No verdict was published, and none will be: cancel the future, if one was made (one
            // made meanwhile saw removed, under the lock). A verdict published first completes it.
            CompletableFuture<PeerState> f = owner.firstVerdicts.remove(this);
            if (f != null) {
                f.cancel(false);
            }
        }
        return true;
    }

    // ---------------------------------------------------------------------------------------
    // The tick: ping, own-pause check, verdicts.
    // ---------------------------------------------------------------------------------------

    private void tick() {
        if (removed()) {
            return;
        }
        long now = nanoTime();
        checkPause(due, now);
        if (link.carriesHeartbeats() && link.isConnected()) {
            sendPing(now);
        }
        if (now - graceUntil >= 0) {
            evaluate(now);
        }
        // Probes while SUSPECT, but never faster than the peer asked to be pinged.
        long period = liveness() == Liveness.SUSPECT ? Math.max(probeSpacing(), advisedNanos()) : effectiveIntervalNanos();
        double j = cfg.jitter();
        if (j > 0) {
            jitterState = Jitter.next(jitterState);
            period += (long) ((Jitter.unit(jitterState) * 2 - 1) * j * period);
        }
        due = now + period;
        scheduleEvaluation(now, true);
    }

    /**
     * The timer fired: for the evaluation between ticks when one was pending, else for the tick.
     * Should it fire so late that the tick is due as well, the tick runs right after the
     * evaluation, as it would have on a timer of its own. The peer is its own timer (a
     * {@link dev.heartbeat.engine.spi.TimerEntry}, inherited through {@link RttWindow}: no timer
     * object, no lambda); called by its scheduler only, on the peer's thread.
     */
    @Override
    public void run() {
        if (removed()) {
            return;
        }
        if (pendingEvalAt == Long.MAX_VALUE) {
            tick();
            return;
        }
        long tickDue = due;
        evaluateNow();
        if (!removed() && due == tickDue && tickDue - nanoTime() <= 0) {
            tick(); // (an evaluation that probed at once ran the tick itself, and moved due)
        }
    }

    /**
     * The quieter path: between PINGs, evaluate exactly when a verdict may change (φ crossing a
     * threshold, the initial timeout, the detection bound) rather than waiting for the next tick.
     */
    private void scheduleEvaluation(long now) {
        scheduleEvaluation(now, false);
    }

    /**
     * Arms the timer for the evaluation {@link #scheduleEvaluation(long)} describes when it comes
     * before the next tick, else for the tick.
     *
     * @param rearm the tick's time changed, or the timer just fired: arm it even when the
     *     evaluation's time did not change
     */
    private void scheduleEvaluation(long now, boolean rearm) {
        long at;
        if (!detector.hasHeartbeat()) {
            at = liveness() == Liveness.UNKNOWN ? lastPongAt + forgivenNanos + cfg.initialTimeoutNanos : Long.MAX_VALUE;
        } else if (liveness() == Liveness.DEAD) {
            at = Long.MAX_VALUE;
        } else {
            long bound = lastPongAt + forgivenNanos + cfg.maxSilenceNanos;
            long change = detector.nextChangeNanos(now);
            if (liveness() == Liveness.SUSPECT && !probesUnanswered(now)) {
                // The detector's DEAD waits for the probes: evaluate when the k-th PING's wait ends.
                long kth = sentAfterMatched(confirmations());
                long gate = kth == Long.MIN_VALUE ? Long.MAX_VALUE : kth + probeWait();
                if (change == Long.MAX_VALUE || (gate != Long.MAX_VALUE && gate - change > 0)) {
                    change = gate;
                }
            }
            at = change == Long.MAX_VALUE || bound - change < 0 ? bound : change;
        }
        if (at != Long.MAX_VALUE && at - graceUntil < 0) {
            at = graceUntil; // ticker values may be negative: compare differences, never values
        }
        if (at != Long.MAX_VALUE && at - due >= 0) {
            at = Long.MAX_VALUE; // not before the next tick, which evaluates anyway
        }
        if (at == pendingEvalAt && !rearm) {
            return;
        }
        pendingEvalAt = at;
        // The peer's one timer, for its life: the peer itself, armed for pendingEvalAt when an
        // evaluation is due between ticks, else for the tick at due. Re-arming replaces the
        // pending deadline, allocating nothing (on a TimerQueue).
        link.scheduler().arm(this, (at != Long.MAX_VALUE ? at : due) - now);
    }

    private void evaluateNow() {
        if (removed()) {
            return;
        }
        long now = nanoTime();
        long dueAt = pendingEvalAt;
        pendingEvalAt = Long.MAX_VALUE;
        checkPause(dueAt, now);
        if (now - graceUntil < 0) {
            scheduleEvaluation(now, true);
            return;
        }
        Liveness before = liveness();
        evaluate(now);
        if (before != Liveness.SUSPECT && liveness() == Liveness.SUSPECT && link.carriesHeartbeats()) {
            // Late beat: probe at once and keep probing at the probe interval until it answers or dies.
            due = now;
            tick();
        } else {
            scheduleEvaluation(now, true);
        }
    }

    /**
     * The own-pause check: a timer that fired late means we, not the peer, were stopped. The pause
     * is forgiven (and verdicts wait for a short grace) — but only up to
     * {@link MonitorConfig#maxForgiveness()} per silence, so that an overloaded monitor whose
     * timers are always late still reaches verdicts.
     */
    private void checkPause(long dueAt, long now) {
        LocalPauseDetector pauses = owner.pauses();
        long late = pauses.observeTimer(dueAt, now);
        if (late > 0) {
            // The timer shows only the part of the stall after it fell due; the thread may have been
            // stopped since it last ran anything for this peer. Count that too, up to one interval.
            late = Math.max(late, Math.min(now - lastActivity, late + effectiveIntervalNanos()));
        }
        long pause = Math.max(late, pauses.pausedSince(lastTickRan));
        lastTickRan = now;
        lastActivity = now;
        if (pause <= 0) {
            return;
        }
        long forgive = Math.min(pause, cfg.maxForgivenessNanos - forgivenNanos);
        if (forgive > 0) {
            forgivenNanos += forgive;
            detector.forgive(forgive, now);
            graceUntil = now + cfg.pauseGraceNanos;
            log.debug("{}: local pause of {} ms forgiven ({} of {} ms budget used), no verdicts for {} ms", name,
                    pause / 1_000_000, forgivenNanos / 1_000_000, cfg.maxForgivenessNanos / 1_000_000,
                    cfg.pauseGraceNanos / 1_000_000);
        } else if (!flag(BUDGET_SPENT_LOGGED)) {
            flag(BUDGET_SPENT_LOGGED, true);
            log.warn("{}: this monitor keeps pausing (local health {}/{}); the forgiveness budget maxForgiveness {} ms"
                    + " is spent for this silence, verdicts go ahead", name, pauses.score(now),
                    LocalPauseDetector.MAX_SCORE, cfg.maxForgivenessNanos / 1_000_000);
        }
    }

    private void sendPing(long now) {
        ByteBuffer out = PING_SCRATCH.get();
        Frame frame = PING_FRAME.get();
        out.clear();
        int seq = nextSequence();
        frame.ping(owner.epoch(), seq, sealSendTime(seq, now), owner.nodeId(), (int) Math.min(Integer.MAX_VALUE, effectiveIntervalNanos() / 1_000_000));
        int padTo = link.pingPaddingTo(lastPongLength);
        if (padTo > 0) {
            FrameSealer sealer = owner.sealer();
            FrameCodec.encodePadded(frame, out, sealer, FrameCodec.padTarget(frame, sealer, padTo));
        } else {
            FrameCodec.encode(frame, out, owner.sealer());
        }
        out.flip();
        if (link.send(out)) {
            recordSent(seq, now);
            reportMisses();
            observeLoss();
            try {
                owner.observer().onPingSent(this, seq);
            } catch (RuntimeException e) {
                observerFailed(e);
            }
        }
    }

    private void evaluate(long now) {
        if (!detector.hasHeartbeat()) {
            if (liveness() == Liveness.UNKNOWN && now - lastPongAt - forgivenNanos >= cfg.initialTimeoutNanos) {
                StringBuilder why = new StringBuilder(64);
                Rare r = rare;
                if (r == null || r.lastRejection == null) {
                    why.append("no answer within ").append(cfg.initialTimeoutNanos / 1_000_000).append(" ms");
                } else {
                    // It did answer, with nothing we could use: say so, and what was wrong.
                    why.append("answered only with frames it could not use (").append(rejectedFrames())
                            .append(" in ").append(cfg.initialTimeoutNanos / 1_000_000).append(" ms): the last ")
                            .append(r.lastRejection.description());
                    if (r.lastRejection == FrameRejection.MALFORMED && r.lastMalformed != null) {
                        why.append(" (").append(r.lastMalformed).append(')');
                    }
                }
                if (r != null && !r.lastDisconnect.isEmpty()) {
                    why.append(" (").append(r.lastDisconnect).append(')');
                }
                transition(now, Liveness.DEAD, why.toString());
            }
            return;
        }
        if (liveness() == Liveness.DEAD) {
            return; // only a heartbeat brings a dead peer back
        }
        long silent = now - lastPongAt - forgivenNanos;
        if (silent >= cfg.maxSilenceNanos) {
            transition(now, Liveness.DEAD, String.format(Locale.ROOT, "silent %d ms >= maxSilence %d ms%s",
                    (now - lastPongAt) / 1_000_000, cfg.maxSilenceNanos / 1_000_000, laggingNote(now)));
            return;
        }
        Liveness l = detector.assess(now);
        String probeNote = "";
        if (l == Liveness.DEAD && link.carriesHeartbeats() && link.isConnected()) {
            if (!probesUnanswered(now)) {
                l = Liveness.SUSPECT; // DEAD needs the quick probes to have gone unanswered as well
            } else if (cfg.deadAfterProbes() > 0) {
                int n = sentSinceMatched();
                probeNote = "; " + n + (n == 1 ? " probe" : " probes") + " unanswered";
            }
        }
        if (l != liveness() && l != Liveness.UNKNOWN) {
            transition(now, l, l == Liveness.ALIVE ? detector.explain(now)
                    : detector.explain(now) + probeNote + laggingNote(now));
        }
        if (link.isConnected() && !link.isWritable() && liveness() != Liveness.DEAD) {
            // A holder of its own: this is not a frame's handling, and happens only while stuck.
            UsabilityVerdict stuck = new UsabilityVerdict().set(Usability.UNUSABLE, UsabilityVerdict.Cause.UNWRITABLE,
                    "connection unwritable: the peer is not reading", 0, 0, false);
            String why = offerUsability(stuck);
            if (why != null) {
                transition(now, liveness(), why);
            }
        }
        phi = (float) detector.suspicion(now);
    }

    /**
     * True when the DEAD verdict may go ahead: the peer is SUSPECT and {@link #confirmations()}
     * PINGs were sent since the last one answered (the one whose answer the detector found missing
     * is the first), the last of them at least {@link #probeWait()} ago.
     */
    private boolean probesUnanswered(long now) {
        if (cfg.deadAfterProbes() == 0 || liveness() == Liveness.DEAD) {
            return true;
        }
        long kth = sentAfterMatched(confirmations());
        return liveness() == Liveness.SUSPECT && kth != Long.MIN_VALUE && now - kth >= probeWait();
    }

    /**
     * How long a PING may take before it counts as unanswered: the slowest of the last 16 RTTs, plus
     * their spread (slowest − fastest, at least an eighth of the slowest), plus 1 ms. A margin
     * scaled by the RTT's variation rather than its size: on a long, steady path (170 ms ± 2 ms) a
     * live peer's answer is not 40 ms late, on a jittery one the spread covers the jitter.
     */
    private long probeWait() {
        long slow = maxRtt();
        if (slow < 0) {
            return cfg.probeNanos;
        }
        long spread = Math.max(slow - rttBaseline(), slow / 8);
        return MIN_PROBE_WAIT + slow + spread;
    }

    /**
     * Spacing of probes while SUSPECT: back to back (1 ms apart) until the PINGs the verdict needs
     * are out — regular PINGs already in flight count — then every probeInterval until the verdict.
     */
    private long probeSpacing() {
        if (cfg.deadAfterProbes() == 0 || sentSinceMatched() >= confirmations()) {
            return cfg.probeNanos;
        }
        return MIN_PROBE_WAIT;
    }

    /** PINGs that must go unanswered before DEAD on this path now: {@link #confirmations(int, double, long)}. */
    private int confirmations() {
        return confirmations(cfg.deadAfterProbes(), pathLoss, effectiveIntervalNanos());
    }

    /**
     * PINGs that must go unanswered before DEAD, the one whose answer is missing included: at least
     * {@code k} ({@link MonitorConfig#deadAfterProbes()}), and more — up to {@code k + 3} — while the
     * path loses so many PINGs that as many in a row would go missing by chance more than once an
     * hour: the smallest n ≥ k with loss<sup>n</sup> ≤ interval / 1 h. 0 when k is 0 (off).
     */
    static int confirmations(int k, double loss, long intervalNanos) {
        if (k == 0) {
            return 0;
        }
        double allowed = intervalNanos / 3.6e12;
        int n = k;
        double chance = Math.pow(loss, n);
        while (chance > allowed && n < k + 3) {
            n++;
            chance *= loss;
        }
        return n;
    }

    /**
     * Updates the path's long-run loss rate with the misses found since the last PING: a running
     * mean over the first {@link #LOSS_MEMORY} PINGs, then an exponential average with that memory.
     * Not while DEAD, and at most 4 misses per PING: a silence that ends reveals all its PINGs as
     * missed at once, and a peer's stall or death is not the path's loss.
     */
    private void observeLoss() {
        int fresh = takeMisses();
        if (liveness() == Liveness.ALIVE || liveness() == Liveness.SUSPECT) {
            if (lossTrials < LOSS_MEMORY) {
                lossTrials++;
            }
            pathLoss += (Math.min(fresh, 4) - pathLoss) / lossTrials;
        }
    }

    private String laggingNote(long now) {
        int score = owner.pauses().score(now);
        return score == 0 ? "" : " (this monitor is lagging: local health " + score + "/" + LocalPauseDetector.MAX_SCORE + ")";
    }

    // ---------------------------------------------------------------------------------------
    // Link events.
    // ---------------------------------------------------------------------------------------

    @Override
    public void onConnected(Link link) {
        if (!started()) {
            begin(link); // its first tick pings
            if (!started()) {
                return; // removed before it began
            }
        } else if (removed()) {
            return;
        } else if (link.carriesHeartbeats()) {
            sendPing(nanoTime());
        }
        Rare r = rare;
        if (r != null) {
            r.lastDisconnect = "";
        }
        try {
            owner.observer().onConnected(this);
        } catch (RuntimeException e) {
            observerFailed(e);
        }
        if (!link.carriesHeartbeats() && liveness() != Liveness.ALIVE) {
            transition(nanoTime(), Liveness.ALIVE,
                    "connected (" + link.describe() + "; liveness from the connection only, usability unknown)");
        }
    }

    /**
     * A thread's decode holder and verdict holder, and whether a frame being handled on that
     * thread is using them. A verdict lives from the policy's evaluation to the hysteresis' offer,
     * within one frame's handling, so the peers of a thread can share one.
     */
    private static final class DecodeScratch {
        final Frame frame = new Frame();
        final UsabilityVerdict verdict = new UsabilityVerdict();
        boolean busy;
    }

    /**
     * Decodes into the thread's shared holder and handles the frame. Reentrancy: the holder is
     * read from the decode to the end of this call, and code called meanwhile (the verifier, the
     * usability policy, observers, this peer's local listener) may deliver another frame on this
     * thread — an in-memory transport does — so a frame that arrives while the holder is in use is
     * decoded into a holder of its own. The frame being handled is passed down as a parameter,
     * never kept in a field.
     */
    @Override
    public void onFrame(Link link, ByteBuffer buf) {
        begin(link);
        if (removed() || !started()) {
            return;
        }
        DecodeScratch scratch = DECODE_SCRATCH.get();
        boolean shared = !scratch.busy;
        // This peer's node id and metric names as last accepted: a frame repeating them decodes
        // to that very array and those very strings, allocating nothing (and the peer keeps no cache of its own).
        Frame frame = (shared ? scratch.frame : new Frame()).reuseStrings(nodeIdUtf8, loadCustom);
        scratch.busy = true;
        try {
            handle(link, buf, frame, shared ? scratch.verdict : new UsabilityVerdict());
        } finally {
            if (shared) {
                frame.reuseStrings(null, null); // the thread's holder keeps nothing of this peer
                scratch.busy = false;
            }
        }
    }

    private void handle(Link link, ByteBuffer buf, Frame frame, UsabilityVerdict verdict) {
        int start = buf.position();
        try {
            FrameCodec.decode(buf, frame);
        } catch (FrameDecodeException e) {
            Rare r = rare();
            r.badFrames++;
            r.lastMalformed = e.getMessage();
            if (LogLimit.loud(r.badFrames)) {
                log.warn("{}: invalid frame from {} ignored ({} so far): {}", name, link.describe(), r.badFrames, e.getMessage());
            }
            reject(FrameRejection.MALFORMED);
            return;
        }
        FrameVerifier verifier = owner.verifier();
        if (verifier != null) {
            AuthResult auth = verifier.verify(buf, start, frame);
            if (!auth.ok()) {
                reject(auth == AuthResult.MISSING ? FrameRejection.UNAUTHENTICATED
                        : auth == AuthResult.UNKNOWN_KEY ? FrameRejection.UNKNOWN_KEY : FrameRejection.BAD_TAG);
                return;
            }
        }
        long now = nanoTime();
        lastActivity = now;
        switch (frame.type()) {
            case PONG:
                onPong(now, frame, verdict);
                break;
            case GOODBYE:
                onGoodbye(now, frame, verdict);
                break;
            default:
                reject(FrameRejection.UNEXPECTED_TYPE); // a PING to a monitor: not ours to answer
                break;
        }
    }

    private void reject(FrameRejection why) {
        Rare r = rare();
        r.lastRejection = why;
        long n = r.rejected.incrementAndGet(why.ordinal());
        if (why != FrameRejection.MALFORMED && LogLimit.loud(n)) {
            log.info("{}: frame ignored, it {} ({} for this reason so far)", name, why.description(), n);
        }
        try {
            owner.observer().onFrameRejected(this, why);
        } catch (RuntimeException e) {
            observerFailed(e);
        }
    }

    private void onPong(long now, Frame frame, UsabilityVerdict verdict) {
        FrameRejection bad = match(frame.echoSequence(), frame.echoSendTimeNanos());
        reportMisses();
        if (bad != null) {
            reject(bad);
            return;
        }
        int echo = frame.echoSequence();
        long rtt = now - matchedSentAt();
        // Only a PONG that answers one of our outstanding PINGs may speak for a new epoch.
        long e = frame.epoch();
        long restartedFrom = 0;
        long knownEpoch = epoch; // written only on this thread: the published field is the peer's record
        if (e != knownEpoch) {
            if (knownEpoch != 0 && isRetired(e) && echo - rare.epochFromSeq < 0) { // retired: rare exists
                reject(FrameRejection.RETIRED_EPOCH); // the replaced process answering a PING sent before the change
                return;
            }
            if (knownEpoch != 0) {
                restartedFrom = knownEpoch;
                retire(knownEpoch);
                // The first epoch needs no such mark: no epoch was retired before it.
                rare().epochFromSeq = nextSequence();
            }
            epoch = e;
        }
        Liveness beforeL = liveness();
        Usability beforeU = usability();
        long silentNanos = detector.hasHeartbeat() ? now - lastPongAt : 0;
        long prevPongAt = lastPongAt;
        if (restartedFrom != 0) {
            detector.reset();
            resetRtts();
            usabilityState = UsabilityHysteresis.force(usabilityState, Usability.UNKNOWN);
        }
        lastPongAt = now;
        lastPongLength = (short) frame.length(); // a decoded frame is at most MAX_FRAME_LENGTH long
        forgivenNanos = 0;
        flag(BUDGET_SPENT_LOGGED, false);
        if (beforeL == Liveness.DEAD) {
            resetLoss(); // the silence was judged already; it is not this path's loss now
        }
        if (beforeL == Liveness.SUSPECT || beforeL == Liveness.DEAD) {
            // Answers to PINGs queued during the silence arrive in a burst with huge RTTs that say
            // nothing about the peer's speed now: judge RTT only from PINGs sent from here on.
            freshFromSeq = nextSequence();
            flag(FILTER_STALE_RTT, true);
        }
        boolean freshRtt = !flag(FILTER_STALE_RTT) || echo - freshFromSeq >= 0;
        if (freshRtt) {
            flag(FILTER_STALE_RTT, false);
        }
        // Answers that queued up behind a silence arrive back to back: they end no silence.
        long sentAt = matchedSentAt();
        boolean inBurst = detector.hasHeartbeat() && sentAt - prevPongAt < 0
                && now - prevPongAt < effectiveIntervalNanos() / 4;
        // The next answer is due one baseline RTT after the next PING (sent, or the next tick),
        // and never before this one arrived.
        long nextSent = sentAfterMatched();
        long base = rttBaseline();
        if (freshRtt && (base < 0 || rtt < base)) {
            base = rtt;
        }
        long nextDue = (nextSent != Long.MIN_VALUE ? nextSent : due) + Math.max(0, base);
        if (nextDue - now < 0) {
            nextDue = now;
        }
        detector.heartbeat(now, sentAt, nextDue, !inBurst && restartedFrom == 0);
        ServingStatus s = frame.status();
        LoadView l = frame.loadView();
        verdict.clear(); // the thread's holder: what it held was another peer's verdict
        cfg.usabilityPolicy().evaluate(s, l, freshRtt ? rtt : -1, rttBaseline(), verdict);
        double loss = missRate();
        if (verdict.usability() == Usability.USABLE && loss >= cfg.degradedLoss() && cfg.degradedLoss() < 1.0) {
            verdict.set(Usability.DEGRADED, UsabilityVerdict.Cause.LOSS, "unanswered PINGs", loss, cfg.degradedLoss(),
                    false);
        }
        if (freshRtt) {
            addRtt(rtt);
        }
        setRtt(rtt);
        status = (byte) s.ordinal();
        publishLoad(l);
        nodeIdUtf8 = frame.nodeIdUtf8();
        applyAdvice(now, frame.minIntervalMillis(), nextDue);
        phi = (float) detector.suspicion(now);
        String usabilityWhy = offerUsability(verdict); // its reason, before anything is called out
        try {
            owner.observer().onPongMatched(this, rtt, s, l);
        } catch (RuntimeException ex) {
            observerFailed(ex);
        }
        scheduleEvaluation(now);
        // A first answer's reason is shared by all peers (Reasons): the RTT is the state's own field.
        // A silence that ended names its length; that is rare.
        String why = null;
        if (beforeL != Liveness.ALIVE) {
            if (beforeL == Liveness.UNKNOWN) {
                why = Reasons.FIRST_HEARTBEAT;
            } else if (beforeL == Liveness.SUSPECT) {
                why = String.format(Locale.ROOT, "heartbeat after %.0f ms silence", silentNanos / 1e6);
            } else if (silentNanos > 0) {
                why = String.format(Locale.ROOT, "answering again after %.0f ms", silentNanos / 1e6);
            } else {
                why = Reasons.ANSWERING_FIRST_HEARTBEAT;
            }
        }
        if (usabilityWhy != null) {
            why = why == null ? usabilityWhy : Reasons.join(why, usabilityWhy);
        }
        if (restartedFrom != 0) {
            // One event for the restart and what it changed: RESTARTED carries the resulting state.
            String restart = String.format(Locale.ROOT, "epoch changed %016x -> %016x: restart", restartedFrom, e);
            publishChange(PeerEvent.Kind.RESTARTED, beforeL, Liveness.ALIVE, beforeU,
                    why == null ? restart : why + "; " + restart, true);
        } else if (why != null) {
            transition(now, Liveness.ALIVE, why);
        }
    }

    /**
     * Offers a verdict to this peer's hysteresis.
     *
     * @return why the usability changed, or null when it did not
     */
    private String offerUsability(UsabilityVerdict v) {
        int before = usabilityState;
        int after = cfg.hysteresis.offer(before, v);
        usabilityState = after;
        return UsabilityHysteresis.changed(before, after) ? UsabilityHysteresis.reason(after, v) : null;
    }

    /**
     * Keeps a PONG's load figures; the report {@link #load()} returns is made again only when they
     * changed. Only this thread writes the figures: reading them here needs no care.
     */
    private void publishLoad(LoadView l) {
        LoadFigures c = loadCustom;
        if (c != null ? c.sameAs(l) : l.customCount() == 0
                && LoadFigures.sameFixed(l, loadFractions, loadInFlight, loadQueueDepth, loadRate, loadLatencyMicros)) {
            return;
        }
        int w = loadWrites;
        loadWrites = w + 1; // odd: a reader that sees it, or sees it change, tries again
        VarHandle.storeStoreFence(); // the figures' writes below stay after that mark
        try {
            if (c == null && l.customCount() > 0) {
                c = new LoadFigures();
                loadCustom = c;
            }
            if (c != null) {
                c.copyFrom(l);
            } else {
                loadFractions = LoadFigures.fractionsOf(l);
                loadInFlight = LoadFigures.countOf(l.inFlight());
                loadQueueDepth = LoadFigures.countOf(l.queueDepth());
                loadLatencyMicros = LoadFigures.countOf(l.latencyMicros());
                loadRate = (float) l.requestsPerSecond();
            }
        } finally {
            loadWrites = w + 2; // a volatile write: the figures' writes come before it (and readers never wait for ever)
            loadReport = null;
        }
    }

    /**
     * A peer's advised minimum interval, clipped to our cap; a new rhythm restarts the detector
     * from this beat (whose answer was due at {@code nextDue}).
     */
    private void applyAdvice(long now, int adviceMillis, long nextDue) {
        Rare r = rare;
        if (!cfg.honorPeerMinInterval() || adviceMillis == (r == null ? 0 : r.adviceMillis)) {
            return;
        }
        long before = effectiveIntervalNanos();
        rare().adviceMillis = adviceMillis;
        long effective = effectiveIntervalNanos();
        if (effective != before) {
            // A new rhythm: the old history would judge it wrongly. Start over from this beat.
            detector = cfg.detector().create(effective);
            detector.heartbeat(now, matchedSentAt(), nextDue, false);
        }
        long raw = adviceMillis * 1_000_000L;
        long applied = advisedNanos();
        if (raw > applied) {
            log.info("{}: peer advises a minimum interval of {} ms; clipped to maxAdvisedInterval {} ms", name,
                    raw / 1_000_000, applied / 1_000_000);
        }
        try {
            owner.observer().onAdvice(this, raw, applied);
        } catch (RuntimeException e) {
            observerFailed(e);
        }
    }

    /** The minimum interval the peer advised, clipped to {@link MonitorConfig#maxAdvisedInterval()} (0: none). */
    private long advisedNanos() {
        Rare r = rare;
        return r == null ? 0 : Math.min(r.adviceMillis * 1_000_000L, cfg.maxAdvisedNanos);
    }

    /** The interval this peer is pinged at: ours, or the peer's advised minimum when that is longer. */
    private long effectiveIntervalNanos() {
        return Math.max(cfg.intervalNanos, advisedNanos());
    }

    private boolean isRetired(long e) {
        Rare r = rare;
        if (r == null) {
            return false;
        }
        for (long x : r.retired) {
            if (x == e && x != 0) {
                return true;
            }
        }
        return false;
    }

    private void retire(long e) {
        if (!isRetired(e)) {
            Rare r = rare();
            r.retired[r.retiredNext] = e;
            r.retiredNext = (r.retiredNext + 1) % RETIRED_EPOCHS;
        }
    }

    /** The rare state, made now if it was not yet; on the peer's thread only (the one that writes the field). */
    private Rare rare() {
        Rare r = rare;
        if (r == null) {
            r = new Rare();
            rare = r;
        }
        return r;
    }

    /** Reports the misses the tracker's call just found (kept per thread: read once, before any observer runs). */
    private void reportMisses() {
        long misses = lastMisses();
        int n = Integer.bitCount((int) misses);
        for (int i = 0; i < n; i++) {
            try {
                owner.observer().onMiss(this, missedSequence(misses, i));
            } catch (RuntimeException e) {
                observerFailed(e);
            }
        }
    }

    private void onGoodbye(long now, Frame frame, UsabilityVerdict verdict) {
        long knownEpoch = epoch;
        if (knownEpoch != 0 && frame.epoch() != knownEpoch) {
            reject(FrameRejection.FOREIGN_GOODBYE);
            return;
        }
        // The come-back time is shown, never obeyed: we keep probing at our own pace, so a peer
        // cannot buy itself a silence by announcing a long absence.
        long back = frame.comeBackAfterMillis();
        String why = back > 0 ? "GOODBYE: peer is leaving, back in about " + back + " ms" : "GOODBYE: peer is leaving";
        verdict.set(Usability.UNUSABLE, UsabilityVerdict.Cause.GOODBYE, why, 0, 0, true);
        String changed = offerUsability(verdict);
        if (changed != null) {
            transition(now, liveness(), changed);
        }
    }

    @Override
    public void onDisconnected(Link link, DisconnectCause cause, String detail) {
        begin(link);
        if (removed() || !started() || cause == DisconnectCause.CLOSED_LOCALLY) {
            return;
        }
        rare().lastDisconnect = detail;
        try {
            owner.observer().onDisconnected(this, cause, detail);
        } catch (RuntimeException e) {
            observerFailed(e);
        }
        if (liveness() == Liveness.DEAD) {
            return;
        }
        transition(nanoTime(), Liveness.DEAD, detail);
    }

    @Override
    public void onWritabilityChanged(Link link, boolean writable) {
        // Evaluated on the next tick: only a channel that *stays* unwritable counts.
    }

    private void observerFailed(RuntimeException e) {
        owner.observerFailed(this, e);
    }

    // ---------------------------------------------------------------------------------------
    // Transitions.
    // ---------------------------------------------------------------------------------------

    private void transition(long now, Liveness to, String why) {
        phi = detector.hasHeartbeat() ? (float) detector.suspicion(now) : 0;
        if (to != liveness()) {
            liveness().checkMoveTo(to);
        }
        if (to == Liveness.DEAD) {
            usabilityState = UsabilityHysteresis.force(usabilityState, Usability.UNKNOWN);
        }
        publishChange(PeerEvent.Kind.TRANSITION, liveness(), to, usability(), why, false);
    }

    /** Moves to ({@code to}, the hysteresis' usability) and publishes, unless removed meanwhile. */
    private void publishChange(PeerEvent.Kind kind, Liveness fromL, Liveness to, Usability fromU, String why,
                               boolean always) {
        Usability toU = UsabilityHysteresis.current(usabilityState);
        if (!always && to == liveness() && toU == usability()) {
            return;
        }
        PeerState st;
        PeerEvent event;
        synchronized (this) {
            if (removed()) {
                return;
            }
            verdicts = verdicts(to, toU);
            reason = why;
            Instant at = owner.clock().instant();
            setSince(at);
            st = state();
            event = owner.publish(new PeerEvent(kind, name, fromL, to, fromU, toU, why, at, st));
        }
        if (fromL == Liveness.UNKNOWN && to != Liveness.UNKNOWN) {
            // A caller after the lock sees the verdict itself; callers from now on are answered with the state then.
            // (A future put before the verdict was put under this object's monitor, which the verdict took
            // after. Always looked up, once per peer: the map's isEmpty() is a sum of counters read at
            // different moments, which other peers' put and remove can make read "empty" while ours is in.)
            CompletableFuture<PeerState> f = owner.firstVerdicts.remove(this);
            if (f != null) {
                f.complete(st);
            }
        }
        try {
            published(event);
        } catch (RuntimeException e) {
            observerFailed(e);
        }
    }

    /** Called on the peer's thread right after each of its events is published, outside any lock: nothing to do here. */
    void published(PeerEvent event) {
    }

    /** A load report and the count of figure writes ({@code loadWrites}) it was made at. */
    private record MadeLoad(LoadReport report, int writes) {
    }

    /**
     * A peer with a listener of its own events ({@link HeartbeatMonitor#attach}): the reference
     * lives only in the peers that have one, not as a null field in every peer.
     */
    static final class Listened extends PeerMonitor {
        private final dev.heartbeat.peer.PeerListener local;

        Listened(PeerSpec spec, HeartbeatMonitor owner, MonitorConfig config, dev.heartbeat.peer.PeerListener local) {
            super(spec, owner, config);
            this.local = local;
        }

        @Override
        void published(PeerEvent event) {
            local.onEvent(event);
        }
    }

    // ---------------------------------------------------------------------------------------
    // Peer view.
    // ---------------------------------------------------------------------------------------

    @Override
    public String name() {
        return name;
    }

    @Override
    public String address() {
        return address;
    }

    @Override
    public PeerAttributes attributes() {
        return attributes;
    }

    @Override
    public Liveness liveness() {
        return LIVENESS[verdicts >> 8 & 0x7];
    }

    @Override
    public Usability usability() {
        return USABILITY[verdicts & 0xff];
    }

    @Override
    public long rttNanos() {
        int r = rttNanos;
        return r == RTT_FAR ? rare.rttFar : r; // a far mark was written after the rare state
    }

    @Override
    public long rttBaselineNanos() {
        return rttBaseline(); // safe from any thread: the window publishes its baseline
    }

    @Override
    public double phi() {
        return phi;
    }

    /**
     * {@inheritDoc} The report made from the figures last kept, from any thread and without a lock
     * (a lock held here could wait for the peer's thread, which publishes events under this object's
     * monitor, and a registry asks for a peer's state under its own): a sequence lock. The reader
     * notes {@link #loadWrites} (even: no write under way), copies the figures into a report, and
     * keeps that copy only if the count has not moved meanwhile — else the peer's thread changed them
     * during the copy, and it tries again. A report made so is kept for the next readers with the
     * count it was made at, and they take it only while the count is still that: a reader never gets
     * figures older than the last write that completed before it began, even when a slow reader's
     * report lands after a newer write. The peer's thread writes the figures at most once per PONG,
     * and a copy takes microseconds, so a reader retries rarely; it spins only while a write is under
     * way.
     */
    @Override
    public LoadReport load() {
        while (true) {
            int w = loadWrites;
            MadeLoad made = loadReport;
            if (made != null && made.writes == w) {
                return made.report; // made from the figures as they still are (as they were when w was read)
            }
            if ((w & 1) == 0) {
                LoadReport r = null;
                RuntimeException torn = null;
                try {
                    LoadFigures c = loadCustom;
                    r = c != null ? c.toReport()
                            : LoadFigures.report(loadFractions, loadInFlight, loadQueueDepth, loadRate, loadLatencyMicros);
                } catch (RuntimeException e) {
                    torn = e; // figures read while they changed may mix two reports: refused, unless nothing changed
                }
                VarHandle.loadLoadFence(); // the figures' reads above come before the count's
                if (loadWrites == w) {
                    if (torn != null) {
                        throw torn;
                    }
                    // Kept with its count: a reader after a later write never takes it, even if this
                    // store lands after the peer's thread cleared the field.
                    loadReport = new MadeLoad(r, w);
                    return r;
                }
            }
            Thread.onSpinWait();
        }
    }

    @Override
    public ServingStatus status() {
        byte st = status;
        return st < 0 ? null : STATUSES[st];
    }

    @Override
    public long epoch() {
        return epoch;
    }

    @Override
    public double lossRate() {
        return missRate(); // the tracker's field, published: safe from any thread
    }

    @Override
    public long rejectedFrames(FrameRejection why) {
        Rare r = rare;
        return r == null ? 0 : r.rejected.get(why.ordinal());
    }

    @Override
    public long rejectedFrames() {
        Rare r = rare;
        long n = 0;
        for (int i = 0; r != null && i < REJECTIONS.length; i++) {
            n += r.rejected.get(i);
        }
        return n;
    }

    /**
     * {@inheritDoc} Before the verdict, the future is made at the first call (most peers are never
     * asked) and kept by the monitor ({@link HeartbeatMonitor#firstVerdicts}, not in a field of
     * every peer) until the verdict completes it; after the verdict, a call is answered with the
     * state then; after the peer was removed before any verdict, cancelled.
     */
    @Override
    public CompletionStage<PeerState> firstVerdict() {
        CompletableFuture<PeerState> f = owner.firstVerdicts.get(this);
        if (f == null) {
            synchronized (this) { // transitions and removal take it: either they see the future, or it sees them
                f = owner.firstVerdicts.get(this);
                if (f == null && liveness() == Liveness.UNKNOWN) {
                    f = new CompletableFuture<>();
                    if (removed()) {
                        f.cancel(false); // nothing depends on it yet: cancelling it here runs nobody's code
                    } else {
                        owner.firstVerdicts.put(this, f);
                    }
                }
            }
            if (f == null) {
                return CompletableFuture.completedStage(state()); // the verdict is known
            }
        }
        return f.minimalCompletionStage();
    }

    @Override
    public PeerState state() {
        short v = verdicts; // read once: liveness and usability of the same transition
        return new PeerState(name, address, LIVENESS[v >> 8 & 0x7], USABILITY[v & 0xff], reason, phi, rttNanos(), rttBaselineNanos(),
                status(), load(), epoch, nodeId(), since());
    }

    /** The node id of the last accepted PONG, made from its bytes now (for readers; never per PONG), or null. */
    private String nodeId() {
        byte[] b = nodeIdUtf8;
        return b == null ? null : new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The node id's bytes as kept (for tests: the array itself, to see it reused), or null. */
    byte[] nodeIdUtf8() {
        return nodeIdUtf8;
    }

    /** Now, on the link's scheduler's ticker (the peer's clock for intervals; no copy of it kept per peer). */
    private long nanoTime() {
        return link.scheduler().ticker().nanoTime();
    }

    /** {@link #sinceNanos}'s mark of an instant kept in {@link #sinceFar} ({@link #epochNanos} never returns it for one that fits). */
    static final long FAR = Long.MIN_VALUE;

    /** {@link #rttNanos}' mark of an RTT kept in {@link Rare#rttFar}: one that does not fit in an int, or this value itself. */
    private static final int RTT_FAR = Integer.MIN_VALUE;

    /** Publishes the RTT of the PONG just accepted; on the peer's thread. */
    private void setRtt(long rtt) {
        if (rtt != (int) rtt || rtt == RTT_FAR) {
            rare().rttFar = rtt; // before the mark, so a reader that sees the mark finds this RTT (or a later far one)
            rttNanos = RTT_FAR;
        } else {
            rttNanos = (int) rtt;
        }
    }

    /** {@link #verdicts}' mark of a removed peer: above the liveness' ordinal (bits 8..10). */
    private static final int REMOVED = 1 << 15;

    /** True once the peer was removed; from any thread. */
    private boolean removed() {
        return (verdicts & REMOVED) != 0;
    }

    /** {@link #verdicts} of a pair: the liveness' ordinal in the high byte, the usability's in the low one. */
    private static short verdicts(Liveness l, Usability u) {
        return (short) (l.ordinal() << 8 | u.ordinal());
    }

    /** Sets {@link #since()}; called under this object's monitor (or before the peer is shared). */
    private void setSince(Instant at) {
        long n = epochNanos(at);
        if (n == FAR) {
            rare().sinceFar = at; // before the mark, so a reader that sees the mark finds this instant (or a later one)
        }
        sinceNanos = n;
    }

    private Instant since() {
        long n = sinceNanos;
        return n == FAR ? rare.sinceFar : instantOf(n); // a FAR mark was written after the rare state
    }

    /** {@code at} in nanoseconds since the epoch, or {@link #FAR} when that does not fit in a long (years before 1678 or after 2261). */
    static long epochNanos(Instant at) {
        long seconds = at.getEpochSecond();
        if (seconds < Long.MIN_VALUE / 1_000_000_000L || seconds > Long.MAX_VALUE / 1_000_000_000L) {
            return FAR;
        }
        try {
            return Math.addExact(seconds * 1_000_000_000L, at.getNano());
        } catch (ArithmeticException tooFar) {
            return FAR;
        }
    }

    /** The instant {@code epochNanos} nanoseconds after the epoch (the inverse of {@link #epochNanos}). */
    static Instant instantOf(long epochNanos) {
        return Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L), Math.floorMod(epochNanos, 1_000_000_000L));
    }

    @Override
    public String toString() {
        return "Peer{" + name + " " + liveness() + "/" + usability() + ": " + reason + "}";
    }
}
