package dev.heartbeat.engine;

import dev.heartbeat.peer.FrameRejection;

/**
 * Our own record of the PINGs we sent to one peer, and the matching of PONGs against it. A PONG
 * counts only when it echoes the sequence <em>and</em> the send time of a PING we still have
 * outstanding; RTT is measured from our record, never from the time a peer echoes (a peer could
 * echo anything). Remembers the last {@value #WINDOW} PINGs; a PING that falls out of the window
 * unanswered, or that is still unanswered when a later one is answered, counts as missed.
 *
 * <p>Compact, because a monitor keeps one per peer: PINGs are recorded with consecutive sequences,
 * so slot {@code seq % WINDOW} holds the last one sent with that remainder and its sequence is
 * implied by the last one sent; a slot's state is one bit in one of three masks. All that is
 * stored per PING is our send time, and that as 32 bits: the time since the PING before it
 * (unsigned, exact to the nanosecond up to 4.29 s); the full 64-bit time of the last PING sent is
 * kept, and any remembered PING's send time is that minus the gaps after it — the same exact
 * 64-bit value as before, so a PONG must still echo all 64 bits of it. At the first gap of 2³² ns
 * or more (an interval over 4.29 s, or a stall of the monitor that long) the window widens to
 * 64-bit send times for good.
 *
 * <p>Not thread-safe: confined to the peer's thread. Allocates nothing after construction but the
 * 64-bit table, once, if it widens.
 *
 * <p>It extends the peer's {@link RttWindow} (the RTTs of the answers it matched), and
 * {@link PeerMonitor} extends it, to save the object headers and references of separate members
 * (a monitor keeps one of each per peer); a tracker made on its own works alone.
 */
class EchoTracker extends RttWindow {

    /** PINGs remembered (a power of two). */
    static final int WINDOW = 32;
    private static final int MASK = WINDOW - 1;
    /** Weight of one PING in the loss average: about the last 32 PINGs count. */
    private static final double LOSS_ALPHA = 1.0 / 32;

    /** Slot {@code s % WINDOW}: our send time of PING s minus that of PING s − 1 (0 for a skipped one), unsigned. */
    private final int[] gapBefore = new int[WINDOW];
    /** Our send time of the last PING sent. */
    private long lastSentAt;
    /** Once a gap did not fit in 32 bits: the send times themselves, by slot; null until then. */
    private long[] wide;
    /** Bit i: slot i's PING is outstanding, was answered, or was counted as missed; none set: the slot is empty. */
    private int outstanding;
    private int answered;
    private int missed;
    private boolean anySent;
    private int lastSent;
    private boolean anyMatched;
    private int lastMatched;
    private long matchedSentAt;
    private double lossRate;
    /** PINGs missed since {@link #takeMisses()} was last called. */
    private int untakenMisses;

    /**
     * Missed sequences reported by the last {@link #recordSent} or {@link #match}, for observers:
     * bit k of the mask is sequence {@code missedBase + k}. One call's misses all lie within one
     * window of {@value #WINDOW} sequences, so 32 bits hold them (instead of an int[32] per peer).
     */
    private int missedBase;
    private int missedMask;

    /**
     * Records that PING {@code seq} was sent at {@code now}; the slot it reuses may report a miss.
     * Sequences are recorded in order, one apart (a monitor numbers the PINGs it sent); should one
     * be skipped, the slots in between are emptied, their outstanding PINGs counted as missed.
     */
    void recordSent(int seq, long now) {
        missedMask = 0;
        if (anySent) {
            for (int s = lastSent + 1, k = 0; seq - s > 0 && k < WINDOW; s++, k++) {
                int j = s & MASK;
                if ((outstanding & bit(j)) != 0) {
                    miss(j, s - WINDOW);
                }
                clear(j);
                gapBefore[j] = 0;
            }
        }
        int i = seq & MASK;
        if ((outstanding & bit(i)) != 0) {
            miss(i, seq - WINDOW);
        }
        clear(i);
        store(i, now);
        outstanding |= bit(i);
        anySent = true;
        lastSent = seq;
    }

    /** Records {@code now} as slot {@code i}'s send time: the last PING sent. */
    private void store(int i, long now) {
        long gap = anySent ? now - lastSentAt : 0;
        if (wide == null && (gap < 0 || gap > 0xFFFF_FFFFL)) {
            long[] times = new long[WINDOW];
            for (int k = 0; k < WINDOW; k++) {
                times[(lastSent - k) & MASK] = sentAt(lastSent - k); // exact: the gaps so far fit
            }
            wide = times;
        }
        if (wide != null) {
            wide[i] = now;
        } else {
            gapBefore[i] = (int) gap;
        }
        lastSentAt = now;
    }

    /**
     * Our exact send time of PING {@code seq}, one of the last {@value #WINDOW} sent (for a slot
     * emptied by a skip: the send time of the PING before it).
     */
    private long sentAt(int seq) {
        if (wide != null) {
            return wide[seq & MASK];
        }
        long t = lastSentAt;
        for (int s = lastSent; s - seq > 0; s--) {
            t -= Integer.toUnsignedLong(gapBefore[s & MASK]);
        }
        return t;
    }

    /**
     * Matches a PONG that echoes {@code echoSeq} and {@code echoTime}.
     *
     * @return null when it answers an outstanding PING ({@link #matchedSentAt()} then holds our
     *     send time), else why it does not
     */
    FrameRejection match(int echoSeq, long echoTime) {
        missedMask = 0;
        if (!anySent || lastSent - echoSeq < 0 || lastSent - echoSeq >= WINDOW) {
            return FrameRejection.NOT_OUTSTANDING;
        }
        int i = echoSeq & MASK; // within the window: the slot holds echoSeq, if anything
        if (((outstanding | answered | missed) & bit(i)) == 0) {
            return FrameRejection.NOT_OUTSTANDING;
        }
        long sentAt = sentAt(echoSeq);
        if (sentAt != echoTime) {
            return FrameRejection.ECHO_MISMATCH;
        }
        if ((answered & bit(i)) != 0) {
            return FrameRejection.DUPLICATE;
        }
        if (anyMatched && echoSeq - lastMatched < 0) {
            return FrameRejection.REORDERED; // it was counted as missed when the later one was answered
        }
        // Everything sent before it and still unanswered is missed: answers come in order.
        for (int s = anyMatched ? lastMatched + 1 : echoSeq - WINDOW + 1; echoSeq - s > 0; s++) {
            int j = s & MASK;
            if ((outstanding & bit(j)) != 0 && lastSent - s < WINDOW) {
                miss(j, s);
            }
        }
        clear(i);
        answered |= bit(i);
        anyMatched = true;
        lastMatched = echoSeq;
        matchedSentAt = sentAt;
        lossRate += (0 - lossRate) * LOSS_ALPHA;
        return null;
    }

    private static int bit(int slot) {
        return 1 << slot;
    }

    private void clear(int slot) {
        int keep = ~bit(slot);
        outstanding &= keep;
        answered &= keep;
        missed &= keep;
    }

    /** Counts slot {@code i}'s outstanding PING, sequence {@code s}, as missed. */
    private void miss(int i, int s) {
        outstanding &= ~bit(i);
        missed |= bit(i);
        untakenMisses++;
        lossRate += (1 - lossRate) * LOSS_ALPHA;
        if (missedMask == 0) {
            missedBase = s;
        }
        int k = s - missedBase; // ascending within one call, less than WINDOW apart
        if (k >= 0 && k < WINDOW) {
            missedMask |= 1 << k;
        }
    }

    /**
     * Forgets the loss history (not the outstanding PINGs): after a peer was DEAD, the PINGs lost
     * in its silence say nothing about its path now — the silence was already judged.
     */
    void resetLoss() {
        lossRate = 0;
    }

    /** Our send time of the PING the last successful {@link #match} answered. */
    long matchedSentAt() {
        return matchedSentAt;
    }

    /**
     * Our send time of the PING sent right after the one the last successful {@link #match}
     * answered, or {@link Long#MIN_VALUE} when it was not sent (yet) or fell out of the window: the
     * answer the monitor waits for next is the answer to that PING.
     */
    long sentAfterMatched() {
        if (!anyMatched) {
            return Long.MIN_VALUE;
        }
        int next = lastMatched + 1;
        int j = next & MASK;
        boolean held = lastSent - next >= 0 && lastSent - next < WINDOW
                && ((outstanding | answered | missed) & bit(j)) != 0;
        return held ? sentAt(next) : Long.MIN_VALUE;
    }

    /**
     * PINGs sent after the one the last successful {@link #match} answered: all of them are
     * unanswered so far (0 before any answer).
     */
    int sentSinceMatched() {
        return anyMatched ? lastSent - lastMatched : 0;
    }

    /**
     * Our send time of the {@code k}-th ({@code k >= 1}) PING sent after the one the last successful
     * {@link #match} answered, or {@link Long#MIN_VALUE} when it was not sent yet. When it fell out
     * of the window, the send time of the oldest PING remembered (a later one: never too early).
     */
    long sentAfterMatched(int k) {
        if (!anyMatched || k > lastSent - lastMatched) {
            return Long.MIN_VALUE;
        }
        int s = lastSent - (lastMatched + k) < WINDOW ? lastMatched + k : lastSent - WINDOW + 1;
        return sentAt(s);
    }

    /** True once a PING was sent. */
    boolean anySent() {
        return anySent;
    }

    /** The recent miss fraction, 0..1. */
    double missRate() {
        return lossRate;
    }

    /** PINGs missed since the last call (since the first PING, at the first call). */
    int takeMisses() {
        int n = untakenMisses;
        untakenMisses = 0;
        return n;
    }

    /** How many misses the last call found; their sequences are {@link #missedSequence(int)}. */
    int missedCount() {
        return Integer.bitCount(missedMask);
    }

    /** The {@code k}-th (from 0, ascending) missed sequence of the last call. */
    int missedSequence(int k) {
        int m = missedMask;
        for (int j = 0; j < k; j++) {
            m &= m - 1; // drop the lowest set bit
        }
        return missedBase + Integer.numberOfTrailingZeros(m);
    }
}
