package dev.heartbeat.engine;

import dev.heartbeat.internal.LogLimit;
import dev.heartbeat.engine.spi.Link;
import dev.heartbeat.engine.spi.LinkHandler;
import dev.heartbeat.engine.spi.SerialScheduler;
import dev.heartbeat.engine.spi.Cancellable;
import dev.heartbeat.engine.spi.DisconnectCause;

import dev.heartbeat.detect.LivenessDetector;
import dev.heartbeat.detect.Ticker;
import dev.heartbeat.detect.UsabilityHysteresis;
import dev.heartbeat.detect.UsabilityVerdict;
import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.Peer;
import dev.heartbeat.peer.PeerEvent;
import dev.heartbeat.peer.PeerState;
import dev.heartbeat.peer.Usability;
import dev.heartbeat.protocol.Frame;
import dev.heartbeat.protocol.FrameCodec;
import dev.heartbeat.protocol.FrameDecodeException;
import dev.heartbeat.protocol.LoadReport;
import dev.heartbeat.protocol.ServingStatus;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Locale;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One monitored peer: its link, detectors and state. Everything but the volatile published fields
 * is confined to the link's scheduler thread, so nothing here takes a lock. Internal to the
 * engine; users see it as a {@link Peer}.
 */
final class PeerMonitor implements Peer, LinkHandler {

    private static final Logger log = LoggerFactory.getLogger(PeerMonitor.class);
    /** PONGs must answer one of our last this-many PINGs. */
    private static final int ECHO_WINDOW = 1024;

    private final String name;
    private final String address;
    private final HeartbeatMonitor owner;
    private final MonitorConfig cfg;
    private LivenessDetector detector;
    private final UsabilityHysteresis hysteresis;
    private final UsabilityVerdict verdict = new UsabilityVerdict();
    private final Frame frame = new Frame();
    private final ByteBuffer out = ByteBuffer.allocate(FrameCodec.MAX_FRAME_LENGTH);
    private final SplittableRandom random;
    private final Runnable tickTask = this::tick;
    private final Runnable evalTask = this::evaluateNow;
    private final long intervalNanos;
    private final long probeNanos;
    private final long initialTimeoutNanos;
    private final long pauseGraceNanos;

    /** The link, for threads other than the scheduler's (stop); the scheduler uses {@link #link}. */
    private volatile Link opened;
    private volatile boolean removed;

    // Scheduler-confined state.
    private Link link;
    private SerialScheduler scheduler;
    private Ticker ticker;
    private int nextSeq = Epochs.newSequence();
    private boolean anySent;
    private int lastEchoSeq;
    private boolean anyEcho;
    private long knownEpoch;
    private long lastPongAt = Long.MIN_VALUE;
    /** After a silence, RTTs of answers to PINGs older than this sequence are stale. */
    private int freshFromSeq;
    private boolean filterStaleRtt;
    private long retiredEpoch;
    private long addedAt;
    private long due;
    private long lastTickRan;
    private long graceUntil;
    private long effectiveIntervalNanos;
    private long advisedNanos;
    private Cancellable pendingTick;
    private Cancellable pendingEval;
    private long pendingEvalAt = Long.MAX_VALUE;
    private boolean stopped;
    private boolean started;
    private String lastDisconnect = "";
    private long badFrames;

    // Published state, read from any thread.
    private volatile Liveness liveness = Liveness.UNKNOWN;
    private volatile Usability usability = Usability.UNKNOWN;
    private volatile String reason = "added";
    private volatile double phi;
    private volatile long rttNanos = -1;
    private volatile long rttBaselineNanos = -1;
    private volatile ServingStatus status;
    private volatile LoadReport load = LoadReport.UNKNOWN;
    private volatile long epoch;
    private volatile String nodeId;
    private volatile Instant since;

    PeerMonitor(String name, String address, HeartbeatMonitor owner) {
        this.name = name;
        this.address = address;
        this.owner = owner;
        this.cfg = owner.config();
        this.intervalNanos = cfg.interval().toNanos();
        this.effectiveIntervalNanos = intervalNanos;
        this.probeNanos = cfg.probeInterval().toNanos();
        this.initialTimeoutNanos = cfg.initialTimeout().toNanos();
        this.pauseGraceNanos = cfg.pauseGrace().toNanos();
        this.detector = cfg.detector().create(intervalNanos);
        this.hysteresis = new UsabilityHysteresis(cfg.degradeAfter(), cfg.recoverAfter());
        this.since = owner.clock().instant();
        this.random = new SplittableRandom(owner.nextSeed());
    }

    /** Binds the link and starts ticking; called once, right after the link was opened. */
    void start(Link link) {
        this.opened = link;
        if (removed) {
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
        if (started || removed) {
            return;
        }
        started = true;
        link = l;
        scheduler = l.scheduler();
        ticker = scheduler.ticker();
        long now = ticker.nanoTime();
        addedAt = now;
        lastTickRan = now;
        due = now;
        graceUntil = now;
        tick();
    }

    /** Stops ticking and closes the link; runs on the scheduler. */
    void stop(Runnable then) {
        removed = true;
        Link l = opened;
        if (l == null) {
            then.run(); // not started yet: start() will see 'removed' and close the link
            return;
        }
        l.scheduler().execute(() -> {
            if (!stopped) {
                stopped = true;
                if (pendingTick != null) {
                    pendingTick.cancel();
                }
                if (pendingEval != null) {
                    pendingEval.cancel();
                }
                l.close();
            }
            then.run();
        });
    }

    // ---------------------------------------------------------------------------------------
    // The tick: ping, own-pause check, verdicts.
    // ---------------------------------------------------------------------------------------

    private void tick() {
        if (stopped) {
            return;
        }
        long now = ticker.nanoTime();
        checkPause(due, now);
        if (link.isConnected()) {
            sendPing(now);
        }
        if (now - graceUntil >= 0) {
            evaluate(now);
        }
        phi = detector.suspicion(now);
        // Probes while SUSPECT, but never faster than the peer asked to be pinged.
        long period = liveness == Liveness.SUSPECT ? Math.max(probeNanos, advisedNanos) : effectiveIntervalNanos;
        double j = cfg.jitter();
        if (j > 0) {
            period += (long) ((random.nextDouble() * 2 - 1) * j * period);
        }
        due = now + period;
        pendingTick = scheduler.schedule(tickTask, period);
        scheduleEvaluation(now);
    }

    /**
     * The quieter path: between PINGs, evaluate exactly when the detector says a verdict may
     * change (φ crossing a threshold, the initial timeout) rather than waiting for the next tick.
     */
    private void scheduleEvaluation(long now) {
        long at;
        if (!detector.hasHeartbeat()) {
            at = liveness == Liveness.UNKNOWN ? addedAt + initialTimeoutNanos : Long.MAX_VALUE;
        } else {
            at = liveness == Liveness.DEAD ? Long.MAX_VALUE : detector.nextChangeNanos(now);
        }
        if (at != Long.MAX_VALUE && at - graceUntil < 0) {
            at = graceUntil; // ticker values may be negative: compare differences, never values
        }
        if (at == pendingEvalAt) {
            return;
        }
        if (pendingEval != null) {
            pendingEval.cancel();
            pendingEval = null;
            pendingEvalAt = Long.MAX_VALUE;
        }
        if (at != Long.MAX_VALUE && at - due < 0) { // due before the next tick, which would evaluate anyway
            pendingEvalAt = at;
            pendingEval = scheduler.schedule(evalTask, at - now);
        }
    }

    private void evaluateNow() {
        if (stopped) {
            return;
        }
        long now = ticker.nanoTime();
        long dueAt = pendingEvalAt;
        pendingEval = null;
        pendingEvalAt = Long.MAX_VALUE;
        checkPause(dueAt, now);
        if (now - graceUntil < 0) {
            scheduleEvaluation(now);
            return;
        }
        Liveness before = liveness;
        evaluate(now);
        phi = detector.suspicion(now);
        if (before != Liveness.SUSPECT && liveness == Liveness.SUSPECT) {
            // Late beat: probe at once and keep probing at the probe interval until it answers or dies.
            if (pendingTick != null) {
                pendingTick.cancel();
            }
            due = now;
            tick();
        } else {
            scheduleEvaluation(now);
        }
    }

    /** The own-pause check: a timer that fired late means we, not the peer, were stopped. */
    private void checkPause(long dueAt, long now) {
        long pause = Math.max(owner.pauses().observeTimer(dueAt, now), owner.pauses().pausedSince(lastTickRan));
        lastTickRan = now;
        if (pause > 0) {
            detector.forgive(pause, now);
            graceUntil = now + pauseGraceNanos;
            log.debug("{}: local pause of {} ms detected; forgiven, no verdicts for {} ms", name, pause / 1_000_000,
                    pauseGraceNanos / 1_000_000);
        }
    }

    private void sendPing(long now) {
        out.clear();
        frame.ping(owner.epoch(), nextSeq, now, owner.nodeId(), (int) Math.min(Integer.MAX_VALUE, effectiveIntervalNanos / 1_000_000));
        FrameCodec.encode(frame, out);
        out.flip();
        if (link.send(out)) {
            anySent = true;
            nextSeq++;
        }
    }

    private void evaluate(long now) {
        if (!detector.hasHeartbeat()) {
            if (liveness == Liveness.UNKNOWN && now - addedAt >= initialTimeoutNanos) {
                String why = String.format(Locale.ROOT, "no answer within %d ms", initialTimeoutNanos / 1_000_000);
                transition(Liveness.DEAD, lastDisconnect.isEmpty() ? why : why + " (" + lastDisconnect + ")");
            }
            return;
        }
        if (liveness == Liveness.DEAD) {
            return; // only a heartbeat brings a dead peer back
        }
        Liveness l = detector.assess(now);
        if (l != liveness && l != Liveness.UNKNOWN) {
            transition(l, detector.explain(now));
        }
        if (link.isConnected() && !link.isWritable() && liveness != Liveness.DEAD) {
            verdict.set(Usability.UNUSABLE, UsabilityVerdict.Cause.UNWRITABLE,
                    "connection unwritable: the peer is not reading", 0, 0, false);
            if (hysteresis.offer(verdict)) {
                transition(liveness, hysteresis.reason());
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // Link events.
    // ---------------------------------------------------------------------------------------

    @Override
    public void onConnected(Link link) {
        if (!started) {
            begin(link); // its first tick pings
            return;
        }
        if (stopped) {
            return;
        }
        lastDisconnect = "";
        sendPing(ticker.nanoTime());
    }

    @Override
    public void onFrame(Link link, ByteBuffer buf) {
        begin(link);
        if (stopped) {
            return;
        }
        try {
            FrameCodec.decode(buf, frame);
        } catch (FrameDecodeException e) {
            badFrames++;
            if (LogLimit.loud(badFrames)) {
                log.warn("{}: invalid frame from {} ignored ({} so far): {}", name, link.describe(), badFrames, e.getMessage());
            }
            return;
        }
        long now = ticker.nanoTime();
        switch (frame.type()) {
            case PONG:
                onPong(now);
                break;
            case GOODBYE:
                onGoodbye();
                break;
            default:
                break; // a PING to a monitor: not ours to answer
        }
    }

    private void onPong(long now) {
        long e = frame.epoch();
        if (e != knownEpoch) {
            if (e == retiredEpoch) {
                return; // a late answer from the process that was replaced
            }
            if (knownEpoch != 0) {
                retiredEpoch = knownEpoch;
                onRestart(knownEpoch, e);
            }
            knownEpoch = e;
            epoch = e;
            anyEcho = false;
        }
        int echo = frame.echoSequence();
        int age = (nextSeq - 1) - echo;
        if (!anySent || age < 0 || age >= ECHO_WINDOW || (anyEcho && echo - lastEchoSeq <= 0)) {
            return; // not an answer to a recent PING of ours, or a duplicate / reordered one
        }
        long rtt = now - frame.echoSendTimeNanos();
        if (rtt < 0) {
            return;
        }
        lastEchoSeq = echo;
        anyEcho = true;
        Liveness before = liveness;
        long silentNanos = lastPongAt == Long.MIN_VALUE ? 0 : now - lastPongAt;
        lastPongAt = now;
        if (before == Liveness.SUSPECT || before == Liveness.DEAD) {
            // Answers to PINGs queued during the silence arrive in a burst with huge RTTs that say
            // nothing about the peer's speed now: judge RTT only from PINGs sent from here on.
            freshFromSeq = nextSeq;
            filterStaleRtt = true;
        }
        boolean freshRtt = !filterStaleRtt || echo - freshFromSeq >= 0;
        if (freshRtt) {
            filterStaleRtt = false;
        }
        detector.heartbeat(now, before == Liveness.ALIVE);
        ServingStatus s = frame.status();
        LoadReport l = frame.load();
        long baseline = rttBaselineNanos;
        cfg.usabilityPolicy().evaluate(s, l, freshRtt ? rtt : -1, baseline, verdict);
        if (freshRtt && verdict.cause() != UsabilityVerdict.Cause.RTT) {
            rttBaselineNanos = baseline < 0 ? rtt : baseline + (rtt - baseline) / 32;
        }
        rttNanos = rtt;
        status = s;
        load = l;
        nodeId = frame.nodeId();
        phi = detector.suspicion(now);
        if (cfg.honorPeerMinInterval()) {
            advisedNanos = frame.minIntervalMillis() * 1_000_000L;
            long effective = Math.max(intervalNanos, advisedNanos);
            if (effective != effectiveIntervalNanos) {
                // A new rhythm: the old history would judge it wrongly. Start over from this beat.
                effectiveIntervalNanos = effective;
                detector = cfg.detector().create(effective);
                detector.heartbeat(now, false);
            }
        }
        boolean usabilityChanged = hysteresis.offer(verdict);
        scheduleEvaluation(now);
        if (before != Liveness.ALIVE) {
            String why;
            if (before == Liveness.UNKNOWN) {
                why = String.format(Locale.ROOT, "first heartbeat, rtt %.1f ms", rtt / 1e6);
            } else if (before == Liveness.SUSPECT) {
                why = String.format(Locale.ROOT, "heartbeat after %.0f ms silence", silentNanos / 1e6);
            } else {
                why = String.format(Locale.ROOT, "answering again after %.0f ms", silentNanos / 1e6);
            }
            if (usabilityChanged) {
                why = why + "; " + hysteresis.reason();
            }
            transition(Liveness.ALIVE, why);
        } else if (usabilityChanged) {
            transition(Liveness.ALIVE, hysteresis.reason());
        }
    }

    private void onRestart(long oldEpoch, long newEpoch) {
        detector.reset();
        rttBaselineNanos = -1;
        Usability fromU = usability;
        hysteresis.force(Usability.UNKNOWN, "restarted");
        usability = Usability.UNKNOWN;
        String why = String.format("epoch changed %016x -> %016x: restart", oldEpoch, newEpoch);
        reason = why;
        since = owner.clock().instant();
        epoch = newEpoch;
        owner.publish(new PeerEvent(PeerEvent.Kind.RESTARTED, name, liveness, liveness, fromU, Usability.UNKNOWN, why,
                since, state()));
    }

    private void onGoodbye() {
        if (knownEpoch != 0 && frame.epoch() != knownEpoch) {
            return; // from an earlier incarnation
        }
        int back = frame.comeBackAfterMillis();
        verdict.set(Usability.UNUSABLE, UsabilityVerdict.Cause.GOODBYE,
                back > 0 ? "GOODBYE: peer is leaving, back in about " + back + " ms" : "GOODBYE: peer is leaving",
                0, 0, true);
        if (hysteresis.offer(verdict)) {
            transition(liveness, hysteresis.reason());
        }
    }

    @Override
    public void onDisconnected(Link link, DisconnectCause cause, String detail) {
        begin(link);
        if (stopped || cause == DisconnectCause.CLOSED_LOCALLY) {
            return;
        }
        lastDisconnect = detail;
        if (liveness == Liveness.DEAD) {
            return;
        }
        transition(Liveness.DEAD, detail);
    }

    @Override
    public void onWritabilityChanged(Link link, boolean writable) {
        // Evaluated on the next tick: only a channel that *stays* unwritable counts.
    }

    // ---------------------------------------------------------------------------------------
    // Transitions.
    // ---------------------------------------------------------------------------------------

    private void transition(Liveness to, String why) {
        Liveness fromL = liveness;
        Usability fromU = usability;
        if (to != fromL) {
            fromL.checkMoveTo(to);
        }
        if (to == Liveness.DEAD) {
            hysteresis.force(Usability.UNKNOWN, why);
        }
        Usability toU = hysteresis.current();
        if (to == fromL && toU == fromU) {
            return;
        }
        liveness = to;
        usability = toU;
        reason = why;
        since = owner.clock().instant();
        owner.publish(new PeerEvent(PeerEvent.Kind.TRANSITION, name, fromL, to, fromU, toU, why, since, state()));
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
    public Liveness liveness() {
        return liveness;
    }

    @Override
    public Usability usability() {
        return usability;
    }

    @Override
    public PeerState state() {
        return new PeerState(name, address, liveness, usability, reason, phi, rttNanos, rttBaselineNanos, status, load,
                epoch, nodeId, since);
    }

    @Override
    public String toString() {
        return "Peer{" + name + " " + liveness + "/" + usability + ": " + reason + "}";
    }
}
