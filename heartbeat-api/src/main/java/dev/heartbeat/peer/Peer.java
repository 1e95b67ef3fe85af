package dev.heartbeat.peer;

import dev.heartbeat.protocol.LoadReport;
import dev.heartbeat.protocol.ServingStatus;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A monitored peer, as seen from outside its detection thread. Thread-safe. The accessors are
 * volatile reads that allocate nothing — cheap enough for a router to call on every request;
 * {@link #state()} builds a consistent-enough snapshot.
 */
public interface Peer {

    /** The name it was added under. */
    String name();

    /** The address it is reached at, as given (scheme included when one was). */
    String address();

    /** Its routing attributes (data address, zone, weight, metadata). */
    PeerAttributes attributes();

    /** Its current liveness (a volatile read; no snapshot is built). */
    Liveness liveness();

    /** Its current usability (a volatile read). */
    Usability usability();

    /** A consistent-enough snapshot of everything known (fields are read one by one). */
    PeerState state();

    /** The last round-trip time in nanoseconds, measured from our own record of the PING, or -1. */
    long rttNanos();

    /** The RTT baseline (the minimum of the recent RTTs) in nanoseconds, or -1. */
    long rttBaselineNanos();

    /** The detector's suspicion level (φ) as of the last evaluation. */
    double phi();

    /** The last load report, {@link LoadReport#UNKNOWN} when none. */
    LoadReport load();

    /** The last status the peer reported, or {@code null}. */
    ServingStatus status();

    /** The peer's current epoch, 0 when not known. */
    long epoch();

    /**
     * The recent fraction of PINGs that got no answer, 0..1: an exponentially weighted average
     * over about the last 32 PINGs (a PING counts as missed when a later one is answered first, or
     * when it falls out of the window of outstanding PINGs).
     */
    double lossRate();

    /** Frames from this peer that were not used, for one reason. */
    long rejectedFrames(FrameRejection reason);

    /** Frames from this peer that were not used, for any reason. */
    long rejectedFrames();

    /**
     * Completes with the peer's state when its first verdict is known (liveness leaves UNKNOWN:
     * ALIVE on the first valid PONG, DEAD when it never answers within the initial timeout), and
     * exceptionally with {@link java.util.concurrent.CancellationException} if it is removed first.
     */
    CompletionStage<PeerState> firstVerdict();

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
