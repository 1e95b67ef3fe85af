package dev.heartbeat.detect;

import dev.heartbeat.internal.Checks;
import dev.heartbeat.peer.Usability;

/**
 * Keeps a peer's usability from flapping: a verdict that differs from the current state must
 * repeat on {@code degradeAfter} consecutive heartbeats to make things worse, or
 * {@code recoverAfter} to make them better. Verdicts marked immediate (the peer's own status, a
 * GOODBYE) and the first verdict after UNKNOWN apply at once.
 *
 * <p>Not thread-safe; one instance per peer.
 */
public final class UsabilityHysteresis {

    private final int degradeAfter;
    private final int recoverAfter;
    private Usability current = Usability.UNKNOWN;
    private Usability pending;
    private int pendingCount;
    private String lastReason = "no verdict yet";

    /**
     * @throws IllegalArgumentException when a count is below 1
     */
    public UsabilityHysteresis(int degradeAfter, int recoverAfter) {
        if (degradeAfter < 1) {
            throw Checks.bad("degradeAfter", degradeAfter, ">= 1");
        }
        if (recoverAfter < 1) {
            throw Checks.bad("recoverAfter", recoverAfter, ">= 1");
        }
        this.degradeAfter = degradeAfter;
        this.recoverAfter = recoverAfter;
    }

    /** The current, hysteresis-filtered usability. */
    public Usability current() {
        return current;
    }

    /** Why the current state was entered. */
    public String reason() {
        return lastReason;
    }

    /**
     * Offers one verdict.
     *
     * @return true when the current usability changed (read {@link #current()} and {@link #reason()})
     */
    public boolean offer(UsabilityVerdict v) {
        Usability u = v.usability();
        if (u == current) {
            pending = null;
            pendingCount = 0;
            return false;
        }
        if (current == Usability.UNKNOWN || u == Usability.UNKNOWN || (v.immediate() && worse(u, current))) {
            return move(u, v.reason());
        }
        if (u == pending) {
            pendingCount++;
        } else {
            pending = u;
            pendingCount = 1;
        }
        int needed = worse(u, current) ? degradeAfter : recoverAfter;
        if (pendingCount >= needed) {
            String reason = v.reason();
            return move(u, needed > 1 ? reason + " for " + needed + " heartbeats" : reason);
        }
        return false;
    }

    /** Forces a state (peer removed, dead, restarted). Returns true when it changed. */
    public boolean force(Usability u, String reason) {
        if (u == current) {
            return false;
        }
        return move(u, reason);
    }

    private boolean move(Usability u, String reason) {
        current = u;
        pending = null;
        pendingCount = 0;
        lastReason = reason;
        return true;
    }

    private static boolean worse(Usability a, Usability b) {
        return a.ordinal() > b.ordinal();
    }
}
