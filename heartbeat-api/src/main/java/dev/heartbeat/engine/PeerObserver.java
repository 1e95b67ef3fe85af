package dev.heartbeat.engine;

import dev.heartbeat.engine.spi.DisconnectCause;
import dev.heartbeat.peer.FrameRejection;
import dev.heartbeat.peer.Peer;
import dev.heartbeat.protocol.LoadView;
import dev.heartbeat.protocol.ServingStatus;

/**
 * The fine grain of what happens to each peer, for metrics, routers and tests that need samples
 * rather than transitions (in the spirit of HikariCP's {@code IMetricsTracker}: every method is a
 * no-op by default; override what you need). Events ({@link dev.heartbeat.peer.PeerEvent}) carry
 * <em>transitions</em>; observers carry <em>samples</em>.
 *
 * <pre>{@code
 * HeartbeatMonitor monitor = HeartbeatMonitor.builder(tcp)
 *         .observer(new PeerObserver() {
 *             public void onPongMatched(Peer peer, long rttNanos, ServingStatus status, LoadView load) {
 *                 rttTimer(peer.name()).record(rttNanos, TimeUnit.NANOSECONDS);
 *             }
 *             public void onFrameRejected(Peer peer, FrameRejection reason) {
 *                 rejected(peer.name(), reason).increment();
 *             }
 *         })
 *         .build();
 * }</pre>
 *
 * <p>Threading: called <em>on the peer's own thread</em> (its event loop), synchronously, in the
 * order things happen — so an implementation must be cheap, must not block and should not
 * allocate (read the arguments and {@link Peer}'s accessors, don't call {@link Peer#state()} on
 * every sample). One observer serves every peer of a monitor, from several threads at once: it
 * must be thread-safe. An observer that throws is logged (rate-limited) and the peer carries on:
 * it can't corrupt or stall detection beyond its own running time.
 */
public interface PeerObserver {

    /** An observer that does nothing. */
    PeerObserver NOOP = new PeerObserver() {
    };

    /** A PING with sequence {@code sequence} was handed to the transport. */
    default void onPingSent(Peer peer, int sequence) {
    }

    /**
     * A PONG answered one of our outstanding PINGs; {@code rttNanos} is measured from our own send
     * record. {@code load} is the PONG's load figures, valid during this call only (the decode holder
     * is shared by the peers of a thread: the next frame decoded on it refills it): read the
     * figures here, or keep {@link LoadView#toReport()}.
     */
    default void onPongMatched(Peer peer, long rttNanos, ServingStatus status, LoadView load) {
    }

    /** The PING with sequence {@code sequence} got no answer (a later one was answered first, or it expired). */
    default void onMiss(Peer peer, int sequence) {
    }

    /** A frame from the peer was not used; see {@link FrameRejection}. */
    default void onFrameRejected(Peer peer, FrameRejection reason) {
    }

    /**
     * The peer advised a minimum interval between PINGs; {@code appliedNanos} is what the monitor
     * uses (clipped to {@link MonitorConfig#maxAdvisedInterval()}). Called when the advice changes.
     */
    default void onAdvice(Peer peer, long advisedNanos, long appliedNanos) {
    }

    /** The link (re)connected. */
    default void onConnected(Peer peer) {
    }

    /** The link lost its connection, or could not make one; a reconnect follows on its own. */
    default void onDisconnected(Peer peer, DisconnectCause cause, String detail) {
    }
}
