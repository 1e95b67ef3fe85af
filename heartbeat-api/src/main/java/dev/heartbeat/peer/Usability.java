package dev.heartbeat.peer;

/**
 * Can the peer actually serve? Independent of {@link Liveness}: a peer can be alive (it answers
 * heartbeats) and unusable (draining, overloaded, its workers stuck behind an exhausted pool).
 */
public enum Usability {
    /** No verdict yet (no PONG since the peer was added, restarted or came back from DEAD). */
    UNKNOWN,
    /** Send it work. */
    USABLE,
    /** It serves, but send it less (prefer others). */
    DEGRADED,
    /** Send it nothing new. */
    UNUSABLE;

    /** True for states in which the peer may be given work. */
    public boolean acceptsWork() {
        return this == USABLE || this == DEGRADED;
    }
}
