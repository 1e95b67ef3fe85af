package dev.heartbeat.engine;

/**
 * The reasons of a peer's common steady states, as constants shared by all peers. A peer keeps its
 * last reason (and the registry keeps the same reference) for as long as the state lasts; at
 * thousands of peers, a text formatted per peer ("first heartbeat, rtt 0.3 ms; status SERVING")
 * costs more heap than most of the peer's other state. So the reasons of the states nearly every
 * peer is in — its first answer, with the usability that answer gave — are shared constants, and
 * the figures (RTT, status) are left to the snapshot's own fields ({@code PeerState.rttNanos()},
 * {@code status()}). Reasons that name a cause (a refusal, a lost connection, a φ crossing, a
 * silence that ended) are rare and stay formatted.
 */
final class Reasons {

    /** A peer's first answer, the state most peers stay in. */
    static final String FIRST_HEARTBEAT = "first heartbeat";
    /** The first answer of a peer that was judged DEAD before it ever answered (it started after us). */
    static final String ANSWERING_FIRST_HEARTBEAT = "answering (first heartbeat)";

    /** Liveness reasons that have shared joins with {@link #USABILITY}. */
    private static final String[] LIVENESS = {FIRST_HEARTBEAT, ANSWERING_FIRST_HEARTBEAT};
    /**
     * The usability reasons of the default policy that carry no figures: the peer's own status. A
     * verdict's reason is compared by value, so a custom policy that says the same words shares
     * the same text.
     */
    private static final String[] USABILITY = {
        "status SERVING", "status DEGRADED", "status DRAINING", "status NOT_SERVING", "healthy"};
    /** {@code JOINED[i][j]} is {@code LIVENESS[i] + "; " + USABILITY[j]}, made once. */
    private static final String[][] JOINED = new String[LIVENESS.length][USABILITY.length];

    static {
        for (int i = 0; i < LIVENESS.length; i++) {
            for (int j = 0; j < USABILITY.length; j++) {
                JOINED[i][j] = LIVENESS[i] + "; " + USABILITY[j];
            }
        }
    }

    private Reasons() {
    }

    /**
     * A liveness reason and a usability reason in one, "{@code liveness}; {@code usability}": a
     * shared constant when both are common steady-state reasons, else a new string (on a
     * transition only, never per heartbeat).
     */
    static String join(String liveness, String usability) {
        int i = indexOf(LIVENESS, liveness);
        int j = i < 0 ? -1 : indexOf(USABILITY, usability);
        return j < 0 ? liveness + "; " + usability : JOINED[i][j];
    }

    private static int indexOf(String[] texts, String s) {
        for (int i = 0; i < texts.length; i++) {
            if (texts[i].equals(s)) {
                return i;
            }
        }
        return -1;
    }
}
