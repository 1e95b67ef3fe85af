package dev.heartbeat.peer;

import java.time.Instant;
import java.util.Objects;

/**
 * Something that happened to a peer. A {@link Kind#TRANSITION} changes liveness, usability or
 * both; {@link #from*()} and {@link #to*()} say which. Immutable.
 *
 * @param kind what happened
 * @param peer the peer's name
 * @param fromLiveness liveness before
 * @param toLiveness liveness after
 * @param fromUsability usability before
 * @param toUsability usability after
 * @param reason why, in words a person can act on
 * @param timestamp wall-clock time of the event (from the monitor's injected clock)
 * @param state the peer's state right after the event
 */
public record PeerEvent(Kind kind, String peer, Liveness fromLiveness, Liveness toLiveness,
                        Usability fromUsability, Usability toUsability, String reason, Instant timestamp,
                        PeerState state) {

    /** What kind of event. */
    public enum Kind {
        /** The peer was added to the registry. */
        ADDED,
        /** The peer was removed; no more events follow for it. */
        REMOVED,
        /** Liveness and/or usability changed. */
        TRANSITION,
        /** The peer's epoch changed: it restarted. Its history was reset. */
        RESTARTED
    }

    public PeerEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(reason, "reason");
    }

    /** True when liveness changed. */
    public boolean livenessChanged() {
        return fromLiveness != toLiveness;
    }

    /** True when usability changed. */
    public boolean usabilityChanged() {
        return fromUsability != toUsability;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder().append(kind).append(' ').append(peer);
        if (kind == Kind.TRANSITION) {
            if (livenessChanged()) {
                sb.append(' ').append(fromLiveness).append("->").append(toLiveness);
            }
            if (usabilityChanged()) {
                sb.append(' ').append(fromUsability).append("->").append(toUsability);
            }
        }
        return sb.append(": ").append(reason).toString();
    }
}
