package dev.heartbeat.engine;

import dev.heartbeat.peer.FrameRejection;

/**
 * Our own record of the PINGs we sent to one peer, and the matching of PONGs against it. A PONG
 * counts only when it echoes the sequence <em>and</em> the send time of a PING we still have
 * outstanding; RTT is measured from our record, never from the time a peer echoes (a peer could
 * echo anything). Remembers the last {@value #WINDOW} PINGs; a PING that falls out of the window
 * unanswered, or that is still unanswered when a later one is answered, counts as missed.
 *
 * <p>Not thread-safe: confined to the peer's thread. Allocates nothing after construction.
 */
final class EchoTracker {

    /** PINGs remembered (a power of two). */
    static final int WINDOW = 32;
    private static final int MASK = WINDOW - 1;
    /** Weight of one PING in the loss average: about the last 32 PINGs count. */
    private static final double LOSS_ALPHA = 1.0 / 32;

    private final int[] seqs = new int[WINDOW];
    private final long[] sentAt = new long[WINDOW];
    /** 0: empty slot; 1: outstanding; 2: answered; 3: counted as missed. */
    private final byte[] slot = new byte[WINDOW];
    private boolean anySent;
    private int lastSent;
    private boolean anyMatched;
    private int lastMatched;
    private long matchedSentAt;
    private double lossRate;
    private long misses;

    /**
     * Missed sequences reported by the last {@link #recordSent} or {@link #match}, for observers:
     * bit k of the mask is sequence {@code missedBase + k}. One call's misses all lie within one
     * window of {@value #WINDOW} sequences, so 32 bits hold them (instead of an int[32] per peer).
     */
    private int missedBase;
    private int missedMask;

    /** Records that PING {@code seq} was sent at {@code now}; the slot it reuses may report a miss. */
    void recordSent(int seq, long now) {
        missedMask = 0;
        int i = seq & MASK;
        if (slot[i] == 1) {
            miss(i);
        }
        seqs[i] = seq;
        sentAt[i] = now;
        slot[i] = 1;
        anySent = true;
        lastSent = seq;
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
        int i = echoSeq & MASK;
        if (slot[i] == 0 || seqs[i] != echoSeq) {
            return FrameRejection.NOT_OUTSTANDING;
        }
        if (sentAt[i] != echoTime) {
            return FrameRejection.ECHO_MISMATCH;
        }
        if (slot[i] == 2) {
            return FrameRejection.DUPLICATE;
        }
        if (anyMatched && echoSeq - lastMatched < 0) {
            return FrameRejection.REORDERED; // it was counted as missed when the later one was answered
        }
        // Everything sent before it and still unanswered is missed: answers come in order.
        for (int s = anyMatched ? lastMatched + 1 : echoSeq - WINDOW + 1; echoSeq - s > 0; s++) {
            int j = s & MASK;
            if (slot[j] == 1 && seqs[j] == s) {
                miss(j);
            }
        }
        slot[i] = 2;
        anyMatched = true;
        lastMatched = echoSeq;
        matchedSentAt = sentAt[i];
        lossRate += (0 - lossRate) * LOSS_ALPHA;
        return null;
    }

    private void miss(int i) {
        slot[i] = 3;
        misses++;
        lossRate += (1 - lossRate) * LOSS_ALPHA;
        int s = seqs[i];
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
        return lastSent - next >= 0 && slot[j] != 0 && seqs[j] == next ? sentAt[j] : Long.MIN_VALUE;
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
        return sentAt[s & MASK];
    }

    /** True once a PING was sent. */
    boolean anySent() {
        return anySent;
    }

    /** The recent miss fraction, 0..1. */
    double lossRate() {
        return lossRate;
    }

    /** PINGs missed so far. */
    long misses() {
        return misses;
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
