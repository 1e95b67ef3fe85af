package dev.heartbeat.engine;

import dev.heartbeat.peer.FrameRejection;

/**
 * The PINGs we sent to one peer, and the matching of PONGs against them. A PONG counts only when
 * it echoes the sequence of a PING we still have outstanding <em>and</em> that PING's sealed send
 * time: the token we put in the PING's {@code sendTimeNanos} ({@link EchoSeal}: the low 40 bits
 * of our send time and a 24-bit keyed tag over the sequence and the full time). The token tells
 * us our own send time back, and only a token we made verifies, so RTT is still measured from our
 * send time, never from a time a peer chose. Remembers the state of the last {@value #WINDOW}
 * PINGs; a PING that falls out of the window unanswered, or that is still unanswered when a later
 * one is answered, counts as missed.
 *
 * <p>Compact, because a monitor keeps one per peer: PINGs are recorded with consecutive sequences,
 * so slot {@code seq % WINDOW} holds the last one sent with that remainder and its sequence is
 * implied by the last one sent; a slot's state is one bit in one of three masks. No send time is
 * stored per PING — the token carries it — but for the few the monitor asks about without an
 * answer in hand: the first {@value #PROBES} PINGs sent after the last one answered (the next
 * answer due, and the probes that must go unanswered before DEAD: {@link #sentAfterMatched(int)}),
 * kept as 16-bit gaps, each from the PING before, rounded up ({@link RttWindow#kept(long)}: by
 * less than 1/1,024), added up from the last answered PING's send time, which its token gave
 * exactly — so the rounding never piles up from one answer to the next. They always cover every
 * PING outstanding after the last answer, up to {@value #PROBES}: those sent while more than {@value #PROBES} were
 * outstanding (a long silence, a burst of probes) were not kept, and when an answer brings them
 * among the first {@value #PROBES} they stand at the send time of the last PING sent then — an
 * upper bound that does not move with the PINGs sent later, so a probe's wait ends at most that
 * much late, never early, and never waits for probes still to come.
 *
 * <p>Not thread-safe: confined to the peer's thread. Allocates nothing.
 *
 * <p>It extends the peer's {@link RttWindow} (the RTTs of the answers it matched), and
 * {@link PeerMonitor} extends it, to save the object headers and references of separate members
 * (a monitor keeps one of each per peer); a tracker made on its own (a subclass with an empty
 * {@link #run()}, as in the tests) works alone. Abstract for the same reason as {@link RttWindow}.
 */
abstract class EchoTracker extends RttWindow {

    /** PINGs whose state is remembered (a power of two). */
    static final int WINDOW = 32;
    private static final int MASK = WINDOW - 1;
    /**
     * PINGs after the last answered one whose send times are kept: as many as the DEAD verdict can
     * ask about — the largest {@link MonitorConfig#deadAfterProbes()}, 10, with the 3 more a lossy
     * path may add ({@link PeerMonitor#confirmations(int, double, long)}).
     */
    static final int PROBES = 13;
    /**
     * The misses the last {@link #recordSent} or {@link #match} called on this thread found, for its
     * caller to report right after (before anything else runs on the thread): one holder per
     * thread, not two fields per peer — a tracker runs on its peer's thread only.
     */
    private static final ThreadLocal<Misses> MISSES = ThreadLocal.withInitial(Misses::new);

    /**
     * Missed sequences found by one call, for observers: bit k of the mask is sequence
     * {@code base + k}. One call's misses all lie within one window of {@value #WINDOW} sequences,
     * so 32 bits hold them (instead of an int[32]).
     */
    private static final class Misses {
        int base;
        int mask;
    }

    /** Weight of one PING in the loss average: about the last 32 PINGs count. */
    private static final float LOSS_ALPHA = 1f / 32;
    /** The slot, among the 16 codes of {@code gaps0..gaps3}, of {@link #fillAt}'s code. */
    private static final int FILL_SLOT = PROBES;
    /**
     * The slots of {@code covered} and {@code filled}: the kept PINGs {@code lastMatched + covered
     * + 1 ..} {@code lastMatched + filled} were not kept when sent (more than {@value #PROBES} were
     * outstanding): they stand at {@link #fillAt()}, and the ones after them, to {@link #recorded},
     * add their gaps to it. {@code covered == filled == recorded} when there are none: all add
     * their gaps from {@link #matchedSentAt}. (In the two codes left over, not in fields of their
     * own: two bytes more would cost a monitor 8.)
     */
    private static final int COVERED_SLOT = PROBES + 1;
    private static final int FILLED_SLOT = PROBES + 2;

    /** Our send time of the last PING sent: every outstanding PING was sent at or before it. */
    private long lastSentAt;
    /**
     * Our send time of the last answered PING; before the first answer, of the first PING sent. A
     * lower bound of the send time of any PING still to be answered, and the start of the kept
     * send times.
     */
    private long matchedSentAt;
    /**
     * 16 codes of 16 bits ({@link RttWindow#encode}), four to a field, slot 0 in the low bits of
     * {@code gaps0}: slot j − 1 holds our send time of PING {@code lastMatched + j} minus that of
     * {@code lastMatched + j − 1} (rounded up), for j = 1..{@link #recorded}; slot
     * {@value #FILL_SLOT} the time the PINGs not kept stand at, as {@link #fillAt()} minus
     * {@link #matchedSentAt} (rounded up); the last two {@code covered} and {@code filled}.
     */
    private long gaps0;
    private long gaps1;
    private long gaps2;
    private long gaps3;
    /** Bit i: slot i's PING is outstanding, was answered, or was counted as missed; none set: the slot is empty. */
    private int outstanding;
    private int answered;
    private int missed;
    /**
     * The last PING sent; before the first, the one before the first to be sent (0 unless
     * {@link #firstSequence} set it): {@link #nextSequence()} follows from it.
     */
    private int lastSent;
    /** The last PING answered; before the first answer, the one before the first PING sent. */
    private int lastMatched;
    /**
     * {@link #missRate()}: written on the peer's thread only, volatile so that a monitor's readers
     * on other threads may read it as the peer's published loss rate (no copy of it kept per peer).
     */
    private volatile float lossRate;
    /**
     * PINGs missed since {@link #takeMisses()} was last called, up to 127 (a monitor takes them
     * after each PING it sends: at most the {@value #WINDOW} outstanding and one more).
     */
    private byte untakenMisses;

    private boolean anySent;
    private boolean anyMatched;
    /** PINGs {@code lastMatched + 1 ..} {@code lastMatched + recorded} have their send times kept (0..{@value #PROBES}). */
    private byte recorded;


    /**
     * The seal of the tokens: the process's ({@link EchoSeal#PROCESS}). Tests override it to fix
     * the key.
     */
    EchoSeal echoSeal() {
        return EchoSeal.PROCESS;
    }

    /** The token to send as the {@code sendTimeNanos} of PING {@code seq} sent at {@code now}. */
    long sealSendTime(int seq, long now) {
        return echoSeal().seal(seq, now);
    }

    /**
     * Records that PING {@code seq} was sent at {@code now}; the slot it reuses may report a miss.
     * Sequences are recorded in order, one apart (a monitor numbers the PINGs it sent); should one
     * be skipped, the slots in between are emptied, their outstanding PINGs counted as missed.
     */
    void recordSent(int seq, long now) {
        Misses found = MISSES.get();
        found.mask = 0;
        if (anySent) {
            for (int s = lastSent + 1, k = 0; seq - s > 0 && k < WINDOW; s++, k++) {
                int j = s & MASK;
                if ((outstanding & bit(j)) != 0) {
                    miss(j, s - WINDOW, found);
                }
                clear(j);
            }
        } else {
            lastMatched = seq - 1;
            matchedSentAt = now; // until the first answer: no answered PING can have been sent earlier
        }
        int i = seq & MASK;
        if ((outstanding & bit(i)) != 0) {
            miss(i, seq - WINDOW, found);
        }
        clear(i);
        outstanding |= bit(i);
        keepSendTime(seq, now);
        anySent = true;
        lastSent = seq;
        lastSentAt = now;
    }

    /**
     * Keeps {@code now} as PING {@code seq}'s send time when it is among the first {@value #PROBES}
     * after the last answered one (the kept ones reach the last sent, {@code seq − 1}, unless
     * {@value #PROBES} are kept already). Sequences skipped before it, never sent, are kept at its
     * time. A ticker that went back counts as no gap (a time later than ours, never earlier).
     */
    private void keepSendTime(int seq, long now) {
        int r = recorded;
        int j = seq - lastMatched;
        if (r >= PROBES || j <= r) {
            return; // all kept already (or sequences that wrapped round: none kept until the next answer)
        }
        int last = Math.min(j, PROBES);
        // The PING before, lastMatched + r, is the last sent (before the first PING: it is the first).
        setGapCode(r, encode(anySent ? now - lastSentAt : 0));
        for (int g = r + 1; g < last; g++) {
            setGapCode(g, 0);
        }
        if (gapCode(COVERED_SLOT) == r) {
            setGapCode(COVERED_SLOT, last);
            setGapCode(FILLED_SLOT, last);
        }
        recorded = (byte) last;
    }

    private int gapCode(int slot) {
        long word = slot < 8 ? (slot < 4 ? gaps0 : gaps1) : (slot < 12 ? gaps2 : gaps3);
        return (int) (word >>> ((slot & 3) << 4)) & 0xFFFF;
    }

    private void setGapCode(int slot, int code) {
        int at = (slot & 3) << 4;
        long mask = ~(0xFFFFL << at);
        long bits = (long) code << at;
        switch (slot >> 2) {
            case 0 -> gaps0 = gaps0 & mask | bits;
            case 1 -> gaps1 = gaps1 & mask | bits;
            case 2 -> gaps2 = gaps2 & mask | bits;
            default -> gaps3 = gaps3 & mask | bits;
        }
    }

    /** The time the PINGs not kept stand at (meaningful when {@code filled > covered}). */
    private long fillAt() {
        return matchedSentAt + decode(gapCode(FILL_SLOT));
    }

    /**
     * Our kept send time of PING {@code lastMatched + k}, {@code 1 <= k <= recorded}: never earlier
     * than ours, later by less than 1/1,024 of the time since the last answered PING was sent (or,
     * for one not kept when sent, at the last send time when an answer brought it among the kept).
     */
    private long keptSendTime(int k) {
        long t;
        int from;
        int filled = gapCode(FILLED_SLOT);
        if (k <= gapCode(COVERED_SLOT)) {
            t = matchedSentAt;
            from = 1;
        } else {
            t = fillAt();
            from = filled + 1;
        }
        for (int j = from; j <= k; j++) {
            t += decode(gapCode(j - 1));
        }
        return t;
    }

    /**
     * Matches a PONG that echoes {@code echoSeq} and the token {@code echoToken}.
     *
     * @return null when it answers an outstanding PING ({@link #matchedSentAt()} then holds our
     *     send time, decoded from the token), else why it does not
     */
    FrameRejection match(int echoSeq, long echoToken) {
        Misses found = MISSES.get();
        found.mask = 0;
        if (!anySent || lastSent - echoSeq < 0 || lastSent - echoSeq >= WINDOW) {
            return FrameRejection.NOT_OUTSTANDING;
        }
        int i = echoSeq & MASK; // within the window: the slot holds echoSeq, if anything
        if (((outstanding | answered | missed) & bit(i)) == 0) {
            return FrameRejection.NOT_OUTSTANDING;
        }
        long sentAt = EchoSeal.sendTime(echoToken, lastSentAt);
        if (echoSeq - lastMatched > 0 && sentAt - matchedSentAt < 0) {
            // Sent after the last answered PING (or the first PING), so not before it: a forged
            // time is refused here whatever its tag, before the tag is even computed.
            return FrameRejection.ECHO_MISMATCH;
        }
        if (!echoSeal().verifies(echoSeq, echoToken, sentAt)) {
            return FrameRejection.ECHO_MISMATCH; // not a token we made for this PING (or sent 18 min before the last)
        }
        if ((answered & bit(i)) != 0) {
            return FrameRejection.DUPLICATE; // a real token, replayed
        }
        if (anyMatched && echoSeq - lastMatched < 0) {
            return FrameRejection.REORDERED; // it was counted as missed when the later one was answered
        }
        // Everything sent before it and still unanswered is missed: answers come in order.
        for (int s = anyMatched ? lastMatched + 1 : echoSeq - WINDOW + 1; echoSeq - s > 0; s++) {
            int j = s & MASK;
            if ((outstanding & bit(j)) != 0 && lastSent - s < WINDOW) {
                miss(j, s, found);
            }
        }
        clear(i);
        answered |= bit(i);
        moveKeptTimes(echoSeq, sentAt);
        anyMatched = true;
        lastMatched = echoSeq;
        matchedSentAt = sentAt;
        lossRate += (0 - lossRate) * LOSS_ALPHA;
        return null;
    }

    /**
     * Re-anchors the kept send times on {@code echoSeq}, the new last answered PING, sent at
     * {@code sentAt} (exactly: its token said so), and makes them cover the PINGs outstanding after
     * it again, up to {@value #PROBES}: the ones that were not kept (sent while more than
     * {@value #PROBES} were outstanding) stand at the last send time, at or after theirs. Without
     * that, the kept times would never come back while two or more PINGs stay in flight (a path
     * of two intervals or more), and every wait would be counted from the latest PING sent, which
     * moves on with each probe.
     */
    private void moveKeptTimes(int echoSeq, long sentAt) {
        int d = echoSeq - lastMatched; // >= 1: answers come in order
        int r = recorded;
        int c = gapCode(COVERED_SLOT);
        int f = gapCode(FILLED_SLOT);
        long fill = fillAt();
        if (d <= 0 || d > r) {
            r = 0; // none after it sent yet (the next is kept when sent), or none of those kept
            c = 0;
            f = 0;
        } else {
            for (int j = 0; j < r - d; j++) {
                setGapCode(j, gapCode(j + d));
            }
            r -= d;
            if (d <= c) {
                c -= d; // from the exact sentAt: the gaps still add up to at or after ours
                f -= d;
            } else if (d < f) {
                c = 0; // it was not kept: the rest of those not kept still stand at fillAt
                f -= d;
            } else {
                c = r; // past those not kept: the gaps after them add up from the exact sentAt
                f = r;
            }
        }
        int want = Math.min(PROBES, lastSent - echoSeq); // outstanding after it: 0..WINDOW − 1
        if (r < want) {
            // The ones not kept, and any kept after them, stand at the last send time: the kept
            // ones before them as they were.
            fill = lastSentAt;
            f = want;
            r = want;
        }
        if (f > c) {
            setGapCode(FILL_SLOT, encode(fill - sentAt)); // fill is at or after sentAt: sent after it
        }
        recorded = (byte) r;
        setGapCode(COVERED_SLOT, c);
        setGapCode(FILLED_SLOT, f);
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

    /** Counts slot {@code i}'s outstanding PING, sequence {@code s}, as missed, and adds it to the call's {@code found}. */
    private void miss(int i, int s, Misses found) {
        outstanding &= ~bit(i);
        missed |= bit(i);
        if (untakenMisses < Byte.MAX_VALUE) {
            untakenMisses++;
        }
        lossRate += (1 - lossRate) * LOSS_ALPHA;
        if (found.mask == 0) {
            found.base = s;
        }
        int k = s - found.base; // ascending within one call, less than WINDOW apart
        if (k >= 0 && k < WINDOW) {
            found.mask |= 1 << k;
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
     * {@link #sentAfterMatched(int) sentAfterMatched(1)}: our send time of the PING sent right
     * after the one the last successful {@link #match} answered (the answer the monitor waits for
     * next is the answer to that PING), or {@link Long#MIN_VALUE} when it was not sent yet.
     */
    long sentAfterMatched() {
        return sentAfterMatched(1);
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
     * {@link #match} answered, or {@link Long#MIN_VALUE} when it was not sent yet. For the first
     * {@value #PROBES}: ours to less than 1/1,024 of the time since the answered one was sent, rounded
     * up (exact below 2,048 ns), unless it was sent while more than {@value #PROBES} PINGs were
     * outstanding — then the send time of the last
     * PING sent when an answer made it one of the first {@value #PROBES} (later than ours, never
     * earlier, and fixed: PINGs sent since do not move it). Past them: the send time of the last
     * PING sent.
     */
    long sentAfterMatched(int k) {
        if (!anyMatched || k > lastSent - lastMatched) {
            return Long.MIN_VALUE;
        }
        return k <= recorded ? keptSendTime(k) : lastSentAt;
    }

    /**
     * Sets the sequence of the first PING to be sent (a monitor starts at a random one); call it
     * before any is sent. Without it, the first is 1.
     */
    void firstSequence(int seq) {
        lastSent = seq - 1;
    }

    /**
     * The sequence of the next PING for a sender that numbers them one apart, as a monitor does:
     * one after the last sent, or the first one — the tracker keeps it, so its owner needs no
     * counter of its own.
     */
    int nextSequence() {
        return lastSent + 1;
    }

    /** True once a PING was sent. */
    boolean anySent() {
        return anySent;
    }

    /** The recent miss fraction, 0..1; from any thread (the latest the peer's thread wrote). */
    double missRate() {
        return lossRate;
    }

    /** PINGs missed since the last call (since the first PING, at the first call), at most 127. */
    int takeMisses() {
        int n = untakenMisses;
        untakenMisses = 0;
        return n;
    }

    /**
     * The misses the last {@link #recordSent} or {@link #match} on this thread found: the first
     * missed sequence in the high 32 bits, and in the low 32 a mask whose bit k is that sequence
     * plus k (0: none). Read right after the call: the next call on this thread, this tracker's or
     * another's, replaces it.
     */
    static long lastMisses() {
        Misses m = MISSES.get();
        return (long) m.base << 32 | (m.mask & 0xFFFF_FFFFL);
    }

    /** How many misses the last call found; their sequences are {@link #missedSequence(int)}. */
    int missedCount() {
        return Integer.bitCount((int) lastMisses());
    }

    /** The {@code k}-th (from 0, ascending) missed sequence of the last call. */
    int missedSequence(int k) {
        return missedSequence(lastMisses(), k);
    }

    /** The {@code k}-th (from 0, ascending) missed sequence of {@link #lastMisses()} {@code misses}. */
    static int missedSequence(long misses, int k) {
        int m = (int) misses;
        for (int j = 0; j < k; j++) {
            m &= m - 1; // drop the lowest set bit
        }
        return (int) (misses >>> 32) + Integer.numberOfTrailingZeros(m);
    }
}
