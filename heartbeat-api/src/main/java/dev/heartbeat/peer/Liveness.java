package dev.heartbeat.peer;

/**
 * Is the peer alive — does the process answer, and does the path to it work?
 *
 * <p>Legal transitions (anything else is a bug and throws):
 * <pre>
 * UNKNOWN ─► ALIVE ─► SUSPECT ─► DEAD
 *    │         ▲  ◄──────┘        │
 *    │         └──────────────────┘   (a heartbeat arrives again)
 *    └──────────────────────────► DEAD (never answered, refused, reset)
 *              ALIVE ───────────► DEAD (connection reset or closed: no need to wait)
 * </pre>
 */
public enum Liveness {
    /** Nothing heard yet. */
    UNKNOWN,
    /** Heartbeats arrive as expected. */
    ALIVE,
    /** Heartbeats are late; extra probes are being sent. Still routable, with care. */
    SUSPECT,
    /** The peer is considered down. */
    DEAD;

    /** True when moving from this state to {@code to} is a legal transition. */
    public boolean canMoveTo(Liveness to) {
        switch (this) {
            case UNKNOWN:
                return to == ALIVE || to == DEAD;
            case ALIVE:
                return to == SUSPECT || to == DEAD;
            case SUSPECT:
                return to == ALIVE || to == DEAD;
            case DEAD:
                return to == ALIVE;
            default:
                return false;
        }
    }

    /**
     * Checks a transition.
     *
     * @throws IllegalStateException naming both states when the transition is not legal
     */
    public void checkMoveTo(Liveness to) {
        if (!canMoveTo(to)) {
            throw new IllegalStateException("liveness transition " + this + " -> " + to + " is not legal");
        }
    }
}
