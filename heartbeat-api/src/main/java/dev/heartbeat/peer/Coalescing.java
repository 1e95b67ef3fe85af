package dev.heartbeat.peer;

import dev.heartbeat.peer.PeerEvent.Kind;

/**
 * The rules by which a lagging listener's pending events of one peer merge into one. Pure
 * functions; {@link ListenerLane} decides when to apply them. The rules, as a table of
 * (pending event, next event) → merged kind:
 *
 * <pre>
 *  pending \ next │ ADDED       TRANSITION   RESTARTED    REMOVED
 * ────────────────┼──────────────────────────────────────────────────
 *  ADDED          │ ADDED       ADDED        ADDED        REMOVED
 *  TRANSITION     │ TRANSITION  TRANSITION   RESTARTED    REMOVED
 *  RESTARTED      │ RESTARTED   RESTARTED    RESTARTED    REMOVED
 *  REMOVED        │ (never merged: the next event is queued after it)
 * </pre>
 *
 * <p>The merged event keeps the pending event's {@code from} values and takes everything else
 * (the {@code to} values, reason, timestamp, state, sequence) from the next one; its count is
 * the sum of both. Two REMOVED of the same name merge only through {@link #removedTwice}, when
 * everything between them was merged away. Internal to the registry.
 */
final class Coalescing {

    private Coalescing() {
    }

    /**
     * True when {@code e} leaves the peer down — DEAD, or UNUSABLE — so that a consumer acting on
     * it (opening a breaker, dropping pooled connections) must see it. A lane never merges a later
     * recovery into such an event: the step down stays an event of its own, so that at most two
     * pending events (the step down and what followed) stand for any run of flaps.
     */
    static boolean endsDown(PeerEvent e) {
        return e.toLiveness() == Liveness.DEAD || e.toUsability() == Usability.UNUSABLE;
    }

    /** The kind of {@code pending} merged with {@code next}; {@code pending} must not be REMOVED. */
    static Kind mergedKind(Kind pending, Kind next) {
        if (pending == Kind.REMOVED) {
            throw new IllegalArgumentException("pending : REMOVED (expected: a kind that can absorb later events)");
        }
        if (next == Kind.REMOVED) {
            return Kind.REMOVED;
        }
        if (pending == Kind.ADDED) {
            return Kind.ADDED;
        }
        if (pending == Kind.RESTARTED || next == Kind.RESTARTED) {
            return Kind.RESTARTED;
        }
        return Kind.TRANSITION;
    }

    /** {@code pending} followed by {@code next}, as one event; {@code pending} must not be REMOVED. */
    static PeerEvent merge(PeerEvent pending, PeerEvent next) {
        return merged(mergedKind(pending.kind(), next.kind()), pending, next);
    }

    /**
     * Two REMOVED of one peer with nothing pending between them (the peer came back and went
     * again while the listener lagged): one REMOVED that stands for all of it.
     */
    static PeerEvent removedTwice(PeerEvent first, PeerEvent second) {
        if (first.kind() != Kind.REMOVED || second.kind() != Kind.REMOVED) {
            throw new IllegalArgumentException("kinds : " + first.kind() + ", " + second.kind()
                    + " (expected: REMOVED, REMOVED)");
        }
        return merged(Kind.REMOVED, first, second);
    }

    private static PeerEvent merged(Kind kind, PeerEvent pending, PeerEvent next) {
        return new PeerEvent(kind, next.peer(), pending.fromLiveness(), next.toLiveness(), pending.fromUsability(),
                next.toUsability(), next.reason(), next.timestamp(), next.state() != null ? next.state() : pending.state(),
                next.sequence(), saturatedSum(pending.count(), next.count()));
    }

    private static int saturatedSum(int a, int b) {
        long s = (long) a + b;
        return s > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) s;
    }
}
