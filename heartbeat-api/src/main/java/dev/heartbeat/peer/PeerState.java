package dev.heartbeat.peer;

import dev.heartbeat.protocol.LoadReport;
import dev.heartbeat.protocol.ServingStatus;
import java.time.Instant;

/**
 * An immutable snapshot of what the monitor knows about one peer, taken when it was asked for
 * or when an event was published.
 *
 * @param name the name the peer was added under (unique in its registry)
 * @param address where it is reached (transport-specific, e.g. {@code host:port})
 * @param liveness is it alive
 * @param usability can it serve
 * @param reason why it is in its current state, in words ("φ 9.3 &gt; 8.0", "status DRAINING")
 * @param phi the detector's current suspicion level (φ for the accrual detector)
 * @param rttNanos the last round-trip time, or -1 when none was measured yet
 * @param rttBaselineNanos the peer's own slow-moving RTT baseline, or -1
 * @param status the last status the peer reported, or {@code null}
 * @param load the last load report, {@link LoadReport#UNKNOWN} when none
 * @param epoch the peer's current process epoch, 0 when not known
 * @param nodeId the node id the peer reports, or {@code null}
 * @param since when the peer entered its current liveness/usability combination
 */
public record PeerState(String name, String address, Liveness liveness, Usability usability, String reason,
                        double phi, long rttNanos, long rttBaselineNanos, ServingStatus status, LoadReport load,
                        long epoch, String nodeId, Instant since) {

    /** True when the peer may be given work: alive (or only suspected) and usable or degraded. */
    public boolean available() {
        return (liveness == Liveness.ALIVE || liveness == Liveness.SUSPECT) && usability.acceptsWork();
    }

    /** One line; the epoch in hex as everywhere else (CLI, reasons, logs). */
    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT,
                "PeerState{%s %s %s/%s: %s; φ %.2f, rtt %s, status %s, epoch %016x, node %s}", name, address, liveness,
                usability, reason, phi, rttNanos < 0 ? "-" : String.format(java.util.Locale.ROOT, "%.3f ms", rttNanos / 1e6),
                status, epoch, nodeId);
    }
}
