package dev.heartbeat.peer;

import dev.heartbeat.protocol.LoadReport;
import dev.heartbeat.protocol.ServingStatus;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A monitored peer, as seen from outside its detection thread. Thread-safe. In the monitor's
 * peers the accessors are volatile reads that allocate nothing — cheap enough for a router to call
 * on every request; {@link #state()} builds a consistent-enough snapshot. (The defaults, for other
 * implementations such as test doubles, read {@link #state()}.)
 */
public interface Peer {

    /** The name it was added under. */
    String name();

    /** The address it is reached at, as given (scheme included when one was). */
    String address();

    /** Its routing attributes (data address, zone, weight, metadata); none by default. */
    default PeerAttributes attributes() {
        return PeerAttributes.none();
    }

    /** Its current liveness (a volatile read; no snapshot is built). */
    Liveness liveness();

    /** Its current usability (a volatile read). */
    Usability usability();

    /** A consistent-enough snapshot of everything known (fields are read one by one). */
    PeerState state();

    /** The last round-trip time in nanoseconds, measured from our own record of the PING, or -1. */
    default long rttNanos() {
        return state().rttNanos();
    }

    /** The RTT baseline (the minimum of the recent RTTs) in nanoseconds, or -1. */
    default long rttBaselineNanos() {
        return state().rttBaselineNanos();
    }

    /** The detector's suspicion level (φ) as of the last evaluation. */
    default double phi() {
        return state().phi();
    }

    /**
     * The last load report, {@link LoadReport#UNKNOWN} when none. A monitored peer keeps the
     * figures as plain fields and makes the report at the first call after they changed: the same
     * instance is returned until a PONG brings different figures.
     */
    default LoadReport load() {
        return state().load();
    }

    /** The last status the peer reported, or {@code null}. */
    default ServingStatus status() {
        return state().status();
    }

    /** The peer's current epoch, 0 when not known. */
    default long epoch() {
        return state().epoch();
    }

    /**
     * The recent fraction of PINGs that got no answer, 0..1: an exponentially weighted average
     * over about the last 32 PINGs (a PING counts as missed when a later one is answered first, or
     * when it falls out of the window of outstanding PINGs). It moves as each answer is matched to its
     * PING, before the answer's other checks: an answer refused afterwards (a retired epoch, say)
     * still shows that the PING got through.
     */
    default double lossRate() {
        return 0;
    }

    /** Frames from this peer that were not used, for one reason. */
    default long rejectedFrames(FrameRejection reason) {
        return 0;
    }

    /** Frames from this peer that were not used, for any reason. */
    default long rejectedFrames() {
        return 0;
    }

    /**
     * Completes with the peer's state when its first verdict is known (liveness leaves UNKNOWN:
     * ALIVE on the first valid PONG, DEAD when it never answers within the initial timeout), and
     * exceptionally with {@link java.util.concurrent.CancellationException} if it is removed first.
     * Asked after the first verdict, it is already complete, with the peer's state as of the call
     * (a monitored peer does not keep the first verdict's snapshot).
     */
    default CompletionStage<PeerState> firstVerdict() {
        PeerState s = state();
        return s.liveness() != Liveness.UNKNOWN ? java.util.concurrent.CompletableFuture.completedStage(s)
                : new java.util.concurrent.CompletableFuture<>();
    }

    /**
     * Waits up to {@code timeout} for the first verdict (see {@link #firstVerdict()}).
     *
     * @return true when a verdict arrived in time; false on timeout or when the peer was removed
     * @throws InterruptedException when interrupted while waiting
     */
    default boolean awaitVerdict(Duration timeout) throws InterruptedException {
        try {
            firstVerdict().toCompletableFuture().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException | ExecutionException | java.util.concurrent.CancellationException e) {
            return false;
        }
    }

    /** True when it may be given work right now; see {@link PeerState#available()}. */
    default boolean available() {
        Liveness l = liveness();
        return (l == Liveness.ALIVE || l == Liveness.SUSPECT) && usability().acceptsWork();
    }
}
