package dev.heartbeat.peer;

import java.time.Instant;
import java.util.Objects;

/**
 * Something that happened to a peer. A {@link Kind#TRANSITION} changes liveness, usability or
 * both; {@link #from*()} and {@link #to*()} say which. Immutable.
 *
 * <p>The {@link PeerRegistry} stamps every event it publishes with a {@link #sequence()} that
 * strictly increases per peer, and may hand a lagging listener one event that stands for several
 * ({@link #count()} &gt; 1, see {@link #coalesced()}) or a replay of a peer that was already
 * there when the listener subscribed ({@link #replayed()}). {@code docs/events.md} gives the
 * rules.
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
 * @param sequence the registry's per-peer sequence number, 1 or more once published; 0 on an
 *        event that was built but not published yet
 * @param count how many published events this one stands for: 1 normally, more when a lagging
 *        listener's events were coalesced, 0 for a replay
 */
public record PeerEvent(Kind kind, String peer, Liveness fromLiveness, Liveness toLiveness,
                        Usability fromUsability, Usability toUsability, String reason, Instant timestamp,
                        PeerState state, long sequence, int count) {

    /** What kind of event. */
    public enum Kind {
        /**
         * The peer was added to the registry — or, for a listener that subscribed later, it was
         * already there ({@link PeerEvent#replayed()}). The first event a listener gets for a peer.
         */
        ADDED,
        /** The peer was removed; no more events follow for it (unless its name is added again). */
        REMOVED,
        /** Liveness and/or usability changed. */
        TRANSITION,
        /**
         * The peer's epoch changed: it restarted, and its history was reset. Like a TRANSITION,
         * {@code from*}/{@code to*} say what the restart changed (e.g. DEAD → ALIVE after a crash
         * and restart; usability → UNKNOWN until the new process proves itself) and the state is
         * the resulting one; no separate TRANSITION follows for the same change.
         */
        RESTARTED
    }

    /** The canonical constructor; checks that the required fields are there and the numbers are not negative. */
    public PeerEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(reason, "reason");
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence : " + sequence + " (expected: >= 0)");
        }
        if (count < 0) {
            throw new IllegalArgumentException("count : " + count + " (expected: >= 0)");
        }
    }

    /**
     * An event not published yet: sequence 0 (the registry stamps it), count 1. The form
     * publishers use.
     */
    public PeerEvent(Kind kind, String peer, Liveness fromLiveness, Liveness toLiveness,
                     Usability fromUsability, Usability toUsability, String reason, Instant timestamp,
                     PeerState state) {
        this(kind, peer, fromLiveness, toLiveness, fromUsability, toUsability, reason, timestamp, state, 0, 1);
    }

    /** True when liveness changed. */
    public boolean livenessChanged() {
        return fromLiveness != toLiveness;
    }

    /** True when usability changed. */
    public boolean usabilityChanged() {
        return fromUsability != toUsability;
    }

    /**
     * True for the {@link Kind#ADDED} a listener gets, when it subscribes, for a peer that was
     * already registered: it repeats the sequence, {@code to} values, reason and timestamp of the
     * peer's last published event; its {@link #state()} has those values and the peer's
     * measurements as of the replay.
     */
    public boolean replayed() {
        return count == 0;
    }

    /** True when this event stands for several published events of its peer (a lagging listener's). */
    public boolean coalesced() {
        return count > 1;
    }

    /** This event as published: stamped with {@code sequence}. */
    PeerEvent withSequence(long sequence) {
        return new PeerEvent(kind, peer, fromLiveness, toLiveness, fromUsability, toUsability, reason, timestamp,
                state, sequence, count == 0 ? 1 : count);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder().append(kind).append(' ').append(peer);
        if (kind == Kind.TRANSITION || kind == Kind.RESTARTED) {
            if (livenessChanged()) {
                sb.append(' ').append(fromLiveness).append("->").append(toLiveness);
            }
            if (usabilityChanged()) {
                sb.append(' ').append(fromUsability).append("->").append(toUsability);
            }
        }
        sb.append(": ").append(reason);
        if (count == 0) {
            sb.append(" (replayed)");
        } else if (count > 1) {
            sb.append(" (").append(count).append(" events coalesced)");
        }
        return sb.toString();
    }
}
