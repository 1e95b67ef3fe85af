package dev.heartbeat.detect;

import dev.heartbeat.internal.Checks;
import dev.heartbeat.peer.Usability;

/**
 * Keeps a peer's usability from flapping: a verdict that differs from the current state must
 * repeat on {@code degradeAfter} consecutive heartbeats to make things worse, or
 * {@code recoverAfter} to make them better. Verdicts marked immediate (the peer's own status, a
 * GOODBYE) and the first verdict after UNKNOWN apply at once.
 *
 * <p>Not thread-safe; one instance per peer, and so compact: the usabilities are kept as ordinals
 * in bytes, the counts as shorts (24 bytes).
 */
public final class UsabilityHysteresis {

    /** The most heartbeats a verdict may be asked to repeat (the counts are kept as shorts: one hysteresis per peer). */
    public static final int MAX_COUNT = Short.MAX_VALUE;
    private static final Usability[] USABILITY = Usability.values();
    /** {@link #pending}'s value when no other verdict is pending. */
    private static final byte NONE = -1;

    private final short degradeAfter;
    private final short recoverAfter;
    private short pendingCount;
    /** The current usability's ordinal. */
    private byte current = (byte) Usability.UNKNOWN.ordinal();
    /** The ordinal of the usability seen on the last {@link #pendingCount} verdicts, or {@link #NONE}. */
    private byte pending = NONE;
    private String lastReason = "no verdict yet";

    /**
     * @throws IllegalArgumentException when a count is below 1 or above {@link #MAX_COUNT}
     */
    public UsabilityHysteresis(int degradeAfter, int recoverAfter) {
        check("degradeAfter", degradeAfter);
        check("recoverAfter", recoverAfter);
        this.degradeAfter = (short) degradeAfter;
        this.recoverAfter = (short) recoverAfter;
    }

    private static void check(String name, int count) {
        if (count < 1) {
            throw Checks.bad(name, count, ">= 1");
        }
        if (count > MAX_COUNT) {
            throw Checks.bad(name, count, "<= " + MAX_COUNT);
        }
    }

    /** The current, hysteresis-filtered usability. */
    public Usability current() {
        return USABILITY[current];
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
        Usability now = current();
        if (u == now) {
            pending = NONE;
            pendingCount = 0;
            return false;
        }
        if (now == Usability.UNKNOWN || u == Usability.UNKNOWN || (v.immediate() && worse(u, now))) {
            return move(u, v.reason());
        }
        if (u.ordinal() == pending) {
            pendingCount++; // at most the count needed (then it moves): within a short
        } else {
            pending = (byte) u.ordinal();
            pendingCount = 1;
        }
        int needed = worse(u, now) ? degradeAfter : recoverAfter;
        if (pendingCount >= needed) {
            String reason = v.reason();
            return move(u, needed > 1 ? reason + " for " + needed + " heartbeats" : reason);
        }
        return false;
    }

    /** Forces a state (peer removed, dead, restarted). Returns true when it changed. */
    public boolean force(Usability u, String reason) {
        if (u == current()) {
            return false;
        }
        return move(u, reason);
    }

    private boolean move(Usability u, String reason) {
        current = (byte) u.ordinal();
        pending = NONE;
        pendingCount = 0;
        lastReason = reason;
        return true;
    }

    private static boolean worse(Usability a, Usability b) {
        return a.ordinal() > b.ordinal();
    }
}
