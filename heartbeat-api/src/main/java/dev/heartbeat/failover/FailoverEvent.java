package dev.heartbeat.failover;

import java.util.Objects;

/**
 * Something a {@link FailoverRouter} did. Immutable.
 *
 * @param kind what happened
 * @param peer the peer concerned, or {@code null} for router-wide events (panic)
 * @param healthy peers that looked healthy when it happened (available and not cut off by their breaker)
 * @param judged peers with a verdict (liveness no longer UNKNOWN) when it happened
 * @param reason why, in words a person can act on
 * @param tickerNanos the router's ticker when it happened (for intervals, not a wall-clock time)
 */
public record FailoverEvent(Kind kind, String peer, int healthy, int judged, String reason, long tickerNanos) {

    /** What kind of event. */
    public enum Kind {
        /** Fewer than the panic threshold of the judged peers look healthy: the router panics. */
        PANIC_STARTED,
        /** Enough peers look healthy again: the panic is over. */
        PANIC_ENDED,
        /** The peer went DEAD or restarted: its client was told to drop its connections. */
        EVICTED,
        /** The peer is healthy again and re-enters routing through slow start. */
        READMITTED
    }

    public FailoverEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(reason, "reason");
    }

    @Override
    public String toString() {
        return kind + (peer == null ? "" : " " + peer) + ": " + reason + " (" + healthy + "/" + judged + " healthy)";
    }
}
