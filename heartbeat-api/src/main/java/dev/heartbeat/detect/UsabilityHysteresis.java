package dev.heartbeat.detect;

import dev.heartbeat.internal.Checks;
import dev.heartbeat.peer.Usability;

/**
 * Keeps a peer's usability from flapping: a verdict that differs from the current state must
 * repeat on {@code degradeAfter} consecutive heartbeats to make things worse, or
 * {@code recoverAfter} to make them better. Verdicts marked immediate (the peer's own status, a
 * GOODBYE) and the first verdict after UNKNOWN apply at once.
 *
 * <p>The rule is stateless and shared by every peer of one configuration; each peer keeps its own
 * state as one {@code int} ({@link #INITIAL} to begin with) that {@link #offer} and {@link #force}
 * return updated — no object per peer. The state packs the current usability, the usability of
 * the streak under way and the streak's length:
 * <pre>
 *  bits 31..16        15..8                          7..0
 * +-----------------+------------------------------+----------------------+
 * | count (0..32767)| pending ordinal (0xFF: none) | current ordinal      |
 * +-----------------+------------------------------+----------------------+
 * </pre>
 * Right after a change, no streak is pending and the count is how many heartbeats the change took
 * (0 when it applied at once): {@link #reason(int, UsabilityVerdict)} says so.
 *
 * <pre>{@code
 * int state = UsabilityHysteresis.INITIAL;
 * int next = hysteresis.offer(state, verdict);
 * if (UsabilityHysteresis.changed(state, next)) {
 *     publish(UsabilityHysteresis.current(next), UsabilityHysteresis.reason(next, verdict));
 * }
 * state = next;
 * }</pre>
 *
 * <p>Immutable and thread-safe; a state is confined to its peer's thread like the rest of it.
 */
public final class UsabilityHysteresis {

    /** The most heartbeats a verdict may be asked to repeat (the count is 16 bits of the state). */
    public static final int MAX_COUNT = Short.MAX_VALUE;
    /** The pending ordinal when no streak is under way. */
    private static final int NONE = 0xFF;
    /** The state before any verdict: UNKNOWN, no streak. */
    public static final int INITIAL = pack(Usability.UNKNOWN.ordinal(), NONE, 0);
    private static final Usability[] USABILITY = Usability.values();

    private final int degradeAfter;
    private final int recoverAfter;

    /**
     * @throws IllegalArgumentException when a count is below 1 or above {@link #MAX_COUNT}
     */
    public UsabilityHysteresis(int degradeAfter, int recoverAfter) {
        check("degradeAfter", degradeAfter);
        check("recoverAfter", recoverAfter);
        this.degradeAfter = degradeAfter;
        this.recoverAfter = recoverAfter;
    }

    private static void check(String name, int count) {
        if (count < 1) {
            throw Checks.bad(name, count, ">= 1");
        }
        if (count > MAX_COUNT) {
            throw Checks.bad(name, count, "<= " + MAX_COUNT);
        }
    }

    private static int pack(int current, int pending, int count) {
        return count << 16 | pending << 8 | current;
    }

    /** The current, hysteresis-filtered usability of {@code state}. */
    public static Usability current(int state) {
        return USABILITY[state & 0xFF];
    }

    /** True when the current usability of {@code after} is not that of {@code before}. */
    public static boolean changed(int before, int after) {
        return ((before ^ after) & 0xFF) != 0;
    }

    /**
     * Offers one verdict to a peer whose state is {@code state}.
     *
     * @return the peer's new state; when its usability changed ({@link #changed}), the reason is
     *     {@link #reason(int, UsabilityVerdict) reason(newState, v)}
     */
    public int offer(int state, UsabilityVerdict v) {
        Usability u = v.usability();
        Usability now = current(state);
        if (u == now) {
            return pack(now.ordinal(), NONE, 0);
        }
        if (now == Usability.UNKNOWN || u == Usability.UNKNOWN || (v.immediate() && worse(u, now))) {
            return pack(u.ordinal(), NONE, 0);
        }
        int pending = state >>> 8 & 0xFF;
        int count = pending == u.ordinal() ? (state >>> 16) + 1 : 1; // at most the count needed (then it moves)
        int needed = worse(u, now) ? degradeAfter : recoverAfter;
        if (count >= needed) {
            return pack(u.ordinal(), NONE, needed);
        }
        return pack(now.ordinal(), u.ordinal(), count);
    }

    /**
     * Why the offer of {@code v} that returned {@code state} changed the usability: the verdict's
     * reason, with the number of heartbeats it took when more than one. Meaningful only right after
     * such an offer.
     */
    public static String reason(int state, UsabilityVerdict v) {
        int took = state >>> 16;
        String reason = v.reason();
        return took > 1 ? reason + " for " + took + " heartbeats" : reason;
    }

    /**
     * Forces a usability (peer removed, dead, restarted); the caller has the reason.
     *
     * @return the new state: {@code u}, no streak ({@code state} itself when {@code u} is current)
     */
    public static int force(int state, Usability u) {
        return u == current(state) ? state : pack(u.ordinal(), NONE, 0);
    }

    private static boolean worse(Usability a, Usability b) {
        return a.ordinal() > b.ordinal();
    }

    @Override
    public String toString() {
        return "UsabilityHysteresis{degradeAfter=" + degradeAfter + ", recoverAfter=" + recoverAfter + "}";
    }
}
