package dev.heartbeat.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.heartbeat.peer.FrameRejection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The compact echo window (implied sequences, state bits, sealed send times, a few kept send
 * times) against a plain model of the rules it implements: a map from sequence to send time and
 * state, the last {@value EchoTracker#WINDOW} PINGs remembered, answers in order.
 */
class EchoTrackerTest {

    static final EchoSeal SEAL = new EchoSeal(0x243f6a8885a308d3L, 0x13198a2e03707344L);
    static final long RANGE = 1L << EchoSeal.TIME_BITS;

    /** A tracker sealing with {@code seal} instead of the process's key. */
    static EchoTracker tracker(EchoSeal seal) {
        return new EchoTracker() {
            @Override
            EchoSeal echoSeal() {
                return seal;
            }

            @Override
            public void run() {
            }
        };
    }

    /** A tracker on its own (no peer around it: its timer's task does nothing). */
    static EchoTracker tracker() {
        return new EchoTracker() {
            @Override
            public void run() {
            }
        };
    }

    /** The rules, written as plainly as possible: what the tracker must decide, PONG by PONG. */
    private static final class Model {
        static final int OUTSTANDING = 1;
        static final int ANSWERED = 2;
        static final int MISSED = 3;
        final Map<Integer, long[]> sent = new HashMap<>(); // seq -> {sentAt, state}
        /**
         * The send times the tracker keeps, of PINGs anchor + 1, anchor + 2, …: each the gap from the
         * one before it, rounded up as the RTT window rounds; null for one that was not kept when
         * sent and stands at {@link #fillAt}.
         */
        final List<Long> kept = new ArrayList<>();
        long fillAt;
        boolean anySent;
        int lastSent;
        long lastSentAt;
        boolean anyMatched;
        int anchor; // the last answered; before one, the one before the first sent
        long matchedSentAt; // of the last answered; before one, of the first sent
        final List<Integer> missed = new ArrayList<>();

        void recordSent(int seq, long now) {
            missed.clear();
            long[] old = sent.remove(seq - EchoTracker.WINDOW);
            if (old != null && old[1] == OUTSTANDING) {
                missed.add(seq - EchoTracker.WINDOW);
            }
            if (!anySent) {
                anchor = seq - 1;
                matchedSentAt = now;
            }
            // Kept: the first PROBES after the anchor, each as the gap from the one before (the
            // first PING: none; a ticker that went back: none).
            if (seq - anchor <= EchoTracker.PROBES && kept.size() == seq - anchor - 1) {
                kept.add(RttWindow.kept(anySent ? now - lastSentAt : 0));
            }
            sent.put(seq, new long[] {now, OUTSTANDING});
            anySent = true;
            lastSent = seq;
            lastSentAt = now;
        }

        FrameRejection match(int echoSeq, long token) {
            missed.clear();
            long[] e = sent.get(echoSeq);
            if (!anySent || e == null || lastSent - echoSeq >= EchoTracker.WINDOW || lastSent - echoSeq < 0) {
                return FrameRejection.NOT_OUTSTANDING;
            }
            // Genuine: the token we sealed for it, sent less than 2^40 ns before the last PING.
            if (token != SEAL.seal(echoSeq, e[0]) || lastSentAt - e[0] < 0 || lastSentAt - e[0] >= RANGE) {
                return FrameRejection.ECHO_MISMATCH;
            }
            // A PING after the last answered one (or the first) was not sent before it; only a ticker
            // that stepped back (it must not) makes a genuine one look so, and it is refused too.
            if (echoSeq - anchor > 0 && e[0] - matchedSentAt < 0) {
                return FrameRejection.ECHO_MISMATCH;
            }
            if (e[1] == ANSWERED) {
                return FrameRejection.DUPLICATE;
            }
            if (anyMatched && echoSeq - anchor < 0) {
                return FrameRejection.REORDERED;
            }
            for (int s = lastSent - EchoTracker.WINDOW + 1; echoSeq - s > 0; s++) {
                long[] o = sent.get(s);
                if (o != null && o[1] == OUTSTANDING) {
                    o[1] = MISSED;
                    missed.add(s);
                }
            }
            e[1] = ANSWERED;
            anyMatched = true;
            kept.subList(0, Math.min(echoSeq - anchor, kept.size())).clear();
            anchor = echoSeq;
            // The new rule: every PING outstanding after the answer, up to PROBES, has a kept time.
            // The ones sent while more than PROBES were outstanding (not kept), and any kept after
            // them, stand at the last send time; the gaps before them add up as they were. The time
            // they stand at is kept from the answered PING's send time, rounded up.
            int notKept = kept.indexOf(null) < 0 ? kept.size() : kept.indexOf(null);
            long fill = fillAt;
            if (kept.size() < Math.min(EchoTracker.PROBES, lastSent - echoSeq)) {
                while (kept.size() < Math.min(EchoTracker.PROBES, lastSent - echoSeq)) {
                    kept.add(null);
                }
                for (int k = notKept; k < kept.size(); k++) {
                    kept.set(k, null);
                }
                fill = lastSentAt;
            }
            fillAt = e[0] + RttWindow.kept(fill - e[0]);
            matchedSentAt = e[0];
            return null;
        }

        long sentAfterMatched(int k) {
            if (!anyMatched || k > lastSent - anchor) {
                return Long.MIN_VALUE;
            }
            if (k > kept.size()) {
                return lastSentAt;
            }
            long t = matchedSentAt; // the answered PING's: its token gave it exactly
            for (int j = 0; j < k; j++) {
                t = kept.get(j) == null ? fillAt : t + kept.get(j);
            }
            return t;
        }
    }

    @Test
    void theNextSequenceFollowsTheLastSentFromTheFirstOneSet() {
        EchoTracker plain = tracker();
        assertThat(plain.nextSequence()).isEqualTo(1);
        EchoTracker t = tracker();
        t.firstSequence(Integer.MAX_VALUE);
        assertThat(t.nextSequence()).isEqualTo(Integer.MAX_VALUE);
        assertThat(t.anySent()).isFalse();
        assertThat(t.match(Integer.MAX_VALUE - 1, 0)).as("nothing sent yet").isEqualTo(FrameRejection.NOT_OUTSTANDING);
        t.recordSent(t.nextSequence(), 10);
        assertThat(t.nextSequence()).isEqualTo(Integer.MIN_VALUE); // sequences wrap
        t.recordSent(t.nextSequence(), 20);
        assertThat(t.nextSequence()).isEqualTo(Integer.MIN_VALUE + 1);
        assertThat(t.missRate()).isZero();
    }

    @Test
    void decidesLikeThePlainModelOverRandomTraffic() {
        decidesLikeThePlainModel(false);
    }

    /** Gaps of 2³¹ ns and more, of more than 2⁴⁰ ns now and then, and a ticker that steps back. */
    @Test
    void decidesLikeThePlainModelWhenGapsAreLong() {
        decidesLikeThePlainModel(true);
    }

    private static void decidesLikeThePlainModel(boolean wideGaps) {
        for (long seed = 1; seed <= 20; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            EchoTracker t = tracker(SEAL);
            Model m = new Model();
            int seq = seed % 2 == 0 ? Integer.MAX_VALUE - 40 : r.nextInt(); // also across the sign wrap
            long now = seed % 3 == 0 ? -RANGE - 50_000 : 1_000; // and across the wrap of the token's time bits
            for (int step = 0; step < 5_000; step++) {
                if (wideGaps && r.nextInt(100) == 0) {
                    int kind = r.nextInt(10);
                    now += kind == 0 ? -5_000 : kind == 1 ? RANGE / 4 + r.nextLong(RANGE) : r.nextLong(1L << 34);
                } else {
                    now += 1 + r.nextInt(1_000);
                }
                if (!m.anySent || r.nextInt(3) == 0) {
                    int outstanding = t.sentSinceMatched();
                    long[] before = new long[EchoTracker.PROBES + 1];
                    for (int k = 1; k <= Math.min(EchoTracker.PROBES, outstanding); k++) {
                        before[k] = t.sentAfterMatched(k);
                    }
                    t.recordSent(seq, now);
                    m.recordSent(seq, now);
                    seq++;
                    // A PING sent moves none of the kept times before it (they are what the probe
                    // waits count from: moving on with each probe, a wait would never end).
                    if (t.sentSinceMatched() == outstanding + 1) {
                        for (int k = 1; k <= Math.min(EchoTracker.PROBES, outstanding); k++) {
                            assertThat(t.sentAfterMatched(k)).as("seed %d step %d k %d moved", seed, step, k)
                                    .isEqualTo(before[k]);
                        }
                    }
                } else {
                    int echo = m.lastSent - r.nextInt(40) + 2; // sometimes ahead, sometimes out of the window
                    long[] e = m.sent.get(echo);
                    long token;
                    int how = r.nextInt(10);
                    if (e == null || how == 0) {
                        token = now - r.nextInt(100_000); // a plain time, as an unsealing peer would guess
                    } else if (how == 1) {
                        token = SEAL.seal(echo, e[0]) ^ (1L << r.nextInt(64)); // a real token, one bit changed
                    } else if (how == 2) {
                        token = SEAL.seal(echo + 1, e[0]); // sealed for another PING
                    } else {
                        token = SEAL.seal(echo, e[0]);
                    }
                    FrameRejection expected = m.match(echo, token);
                    assertThat(t.match(echo, token)).as("seed %d step %d echo %d", seed, step, echo).isEqualTo(expected);
                    if (expected == null) {
                        assertThat(t.matchedSentAt()).isEqualTo(m.matchedSentAt);
                    }
                }
                List<Integer> got = new ArrayList<>();
                for (int k = 0; k < t.missedCount(); k++) {
                    got.add(t.missedSequence(k));
                }
                assertThat(got).as("seed %d step %d misses", seed, step).isEqualTo(m.missed);
                for (int k = 1; k <= EchoTracker.PROBES + 2; k++) {
                    long at = t.sentAfterMatched(k);
                    assertThat(at).as("seed %d step %d k %d", seed, step, k).isEqualTo(m.sentAfterMatched(k));
                    long[] e = m.sent.get(m.anchor + k);
                    if (at != Long.MIN_VALUE && e != null && !wideGaps) {
                        assertThat(at).as("never before our send time").isGreaterThanOrEqualTo(e[0]);
                    }
                }
                assertThat(t.sentAfterMatched()).isEqualTo(m.sentAfterMatched(1));
            }
        }
    }

    @Test
    void aModifiedTokenIsAMismatchAndAReplayedOneADuplicate() {
        EchoTracker t = tracker(SEAL);
        long start = 7_000_000_000L;
        long[] tokens = new long[8];
        for (int seq = 0; seq < 8; seq++) {
            tokens[seq] = t.sealSendTime(seq, start + seq * 1_000_000_000L);
            t.recordSent(seq, start + seq * 1_000_000_000L);
        }
        long sent = start + 5 * 1_000_000_000L;
        assertThat(tokens[5]).isEqualTo(SEAL.seal(5, sent));
        assertThat(t.match(5, sent)).as("the plain send time").isEqualTo(FrameRejection.ECHO_MISMATCH);
        for (int b = 0; b < 64; b++) {
            assertThat(t.match(5, tokens[5] ^ (1L << b))).as("bit %d", b).isEqualTo(FrameRejection.ECHO_MISMATCH);
        }
        assertThat(t.match(5, tokens[4])).as("another PING's token").isEqualTo(FrameRejection.ECHO_MISMATCH);
        assertThat(t.match(5, tokens[5])).isNull();
        assertThat(t.matchedSentAt()).isEqualTo(sent);
        assertThat(t.match(5, tokens[5])).as("replayed").isEqualTo(FrameRejection.DUPLICATE);
        assertThat(t.match(4, tokens[4])).as("answered after a later one").isEqualTo(FrameRejection.REORDERED);
        assertThat(t.match(9, tokens[5])).as("not sent yet").isEqualTo(FrameRejection.NOT_OUTSTANDING);
        // Eight PINGs were outstanding when 5 was answered, fewer than the kept ones: 6 and 7 are known.
        assertKept(t.sentAfterMatched(), start + 6 * 1_000_000_000L, start + 5 * 1_000_000_000L);
        assertKept(t.sentAfterMatched(2), start + 7 * 1_000_000_000L, start + 5 * 1_000_000_000L);
        assertThat(t.sentAfterMatched(3)).isEqualTo(Long.MIN_VALUE);
    }

    /**
     * A token that verifies for a send time before the first PING, or before the last answered one,
     * names a time at which that PING cannot have been sent: refused whatever its tag (so a peer
     * that shifts the time bits is refused for certain, not with probability 1 − 2⁻²⁴).
     */
    @Test
    void aSendTimeBeforeTheFirstPingOrTheLastAnsweredOneIsAMismatchWhateverItsTag() {
        EchoTracker t = tracker(SEAL);
        long start = 9_000_000_000L;
        t.recordSent(0, start);
        t.recordSent(1, start + 100_000_000L);
        assertThat(t.match(1, SEAL.seal(1, start - 1))).as("before the first PING").isEqualTo(FrameRejection.ECHO_MISMATCH);
        assertThat(t.match(0, SEAL.seal(0, start - 10_000_000_000L))).as("10 s before it")
                .isEqualTo(FrameRejection.ECHO_MISMATCH);
        assertThat(t.match(0, SEAL.seal(0, start))).isNull();
        t.recordSent(2, start + 200_000_000L);
        assertThat(t.match(2, SEAL.seal(2, start - 1))).as("before the last answered PING")
                .isEqualTo(FrameRejection.ECHO_MISMATCH);
        assertThat(t.match(1, SEAL.seal(1, start + 100_000_000L))).isNull();
        assertThat(t.match(2, SEAL.seal(2, start + 200_000_000L))).isNull();
    }

    @Test
    void aTokenSealedWithAnotherKeyIsAMismatch() {
        EchoTracker ours = tracker(SEAL);
        EchoTracker theirs = tracker(new EchoSeal(1, 2));
        ours.recordSent(100, 5_000);
        long foreign = theirs.sealSendTime(100, 5_000);
        assertThat(ours.match(100, foreign)).isEqualTo(FrameRejection.ECHO_MISMATCH);
        assertThat(ours.match(100, ours.sealSendTime(100, 5_000))).isNull();
    }

    /** Send times across a multiple of 2⁴⁰ ns, and a late answer just inside the token's range. */
    @Test
    void lateAnswersDecodeExactlyAcrossTheWrapOfTheTimeBitsUpTo2To40NanosecondsBack() {
        EchoTracker t = tracker(SEAL);
        long wrap = 3 * RANGE;
        long first = wrap - 1_000;
        t.recordSent(0, first);
        long second = wrap + 1_000;
        t.recordSent(1, second);
        long last = first + RANGE - 1; // PING 0 is now 2^40 − 1 ns behind the last PING sent
        t.recordSent(2, last);
        assertThat(t.match(0, SEAL.seal(0, first))).isNull();
        assertThat(t.matchedSentAt()).isEqualTo(first);
        assertThat(t.match(1, SEAL.seal(1, second))).isNull();
        assertThat(t.matchedSentAt()).isEqualTo(second);
        t.recordSent(3, last + 2); // PING 2 stays near; PING 0 would now be more than 2^40 ns back
        assertThat(t.match(2, SEAL.seal(2, last))).isNull();
        assertThat(t.matchedSentAt()).isEqualTo(last);

        EchoTracker u = tracker(SEAL);
        u.recordSent(0, first);
        u.recordSent(1, first + RANGE); // exactly 2^40 ns later: PING 0's time no longer decodes
        assertThat(u.match(0, SEAL.seal(0, first))).isEqualTo(FrameRejection.ECHO_MISMATCH);
        assertThat(u.match(1, SEAL.seal(1, first + RANGE))).isNull();
    }

    /**
     * The probes' send times survive any number of PINGs sent after them (the tracker keeps the
     * first {@value EchoTracker#PROBES} after the last answer, not the last few sent).
     */
    @Test
    void keepsTheSendTimesOfTheFirstPingsAfterTheLastAnswerHoweverManyFollow() {
        EchoTracker t = tracker(SEAL);
        t.recordSent(10, 1_000);
        assertThat(t.match(10, SEAL.seal(10, 1_000))).isNull();
        for (int k = 1; k <= 100; k++) {
            t.recordSent(10 + k, 1_000 + k * 50_000_000L);
        }
        for (int k = 1; k <= EchoTracker.PROBES; k++) {
            assertKept(t.sentAfterMatched(k), 1_000 + k * 50_000_000L, 1_000);
        }
        // Past the kept ones: the last PING sent, later than the real one (never too early).
        assertThat(t.sentAfterMatched(EchoTracker.PROBES + 1)).isEqualTo(1_000 + 100 * 50_000_000L);
        assertThat(t.sentAfterMatched(101)).isEqualTo(Long.MIN_VALUE);
        assertThat(t.sentSinceMatched()).isEqualTo(100);
    }

    /**
     * Pipelined PINGs: the ones sent before an answer came stay kept, re-anchored on it; the ones
     * sent while more than {@value EchoTracker#PROBES} were outstanding, not kept, stand at the last
     * send time when an answer brings them among the first {@value EchoTracker#PROBES} — and stay
     * there, whatever is sent later (an answer that finds more not kept moves them to its own last
     * send time: later still, never earlier).
     */
    @Test
    void anAnswerKeepsTheSendTimesOfThePingsAlreadySentAfterIt() {
        EchoTracker t = tracker(SEAL);
        for (int s = 0; s < 4; s++) {
            t.recordSent(s, 1_000 * (s + 1));
        }
        assertThat(t.match(1, SEAL.seal(1, 2_000))).isNull(); // 0 is missed
        assertThat(t.sentAfterMatched()).isEqualTo(3_000);
        assertThat(t.sentAfterMatched(2)).isEqualTo(4_000);
        t.recordSent(4, 5_000);
        assertThat(t.sentAfterMatched(3)).isEqualTo(5_000);
        // Eighteen outstanding after 1 (2..19) when the answer to 5 comes: 2..14 were kept, 15..19
        // were not. After 5: 6..14 exact, 15..18 at the last send time (19's, 20,000), and 19, the
        // fourteenth, past the kept ones: the last sent.
        for (int s = 5; s < 20; s++) {
            t.recordSent(s, 1_000 * (s + 1));
        }
        assertThat(t.match(5, SEAL.seal(5, 6_000))).isNull();
        for (int k = 1; k <= 9; k++) {
            assertThat(t.sentAfterMatched(k)).isEqualTo(1_000 * (6 + k));
        }
        for (int k = 10; k <= EchoTracker.PROBES; k++) {
            assertThat(t.sentAfterMatched(k)).as("not kept: the last sent at the answer").isEqualTo(20_000);
        }
        assertThat(t.sentAfterMatched(14)).isEqualTo(20_000);
        assertThat(t.sentAfterMatched(15)).isEqualTo(Long.MIN_VALUE);
        t.recordSent(20, 21_000);
        assertThat(t.sentAfterMatched(10)).as("not moved by a PING sent later").isEqualTo(20_000);
        assertThat(t.sentAfterMatched(14)).as("past the kept ones").isEqualTo(21_000);
        // The answer to 10: 11..14 exact; 19 was not kept, so it and the ones after the kept 11..14
        // stand at the last send time, 21,000 (later than theirs; 20, the last sent, exactly).
        assertThat(t.match(10, SEAL.seal(10, 11_000))).isNull();
        assertThat(t.sentAfterMatched(1)).isEqualTo(12_000);
        assertThat(t.sentAfterMatched(4)).isEqualTo(15_000);
        assertThat(t.sentAfterMatched(5)).isEqualTo(21_000);
        assertThat(t.sentAfterMatched(8)).isEqualTo(21_000);
        assertThat(t.sentAfterMatched(9)).isEqualTo(21_000);
        assertThat(t.sentAfterMatched(10)).isEqualTo(21_000);
        t.recordSent(21, 22_500);
        assertThat(t.sentAfterMatched(11)).as("kept again, exactly").isEqualTo(22_500);
        // An answer to the one before the last sent: the last one's time is known.
        assertThat(t.match(20, SEAL.seal(20, 21_000))).isNull();
        assertThat(t.sentAfterMatched(1)).isEqualTo(22_500);
        t.recordSent(22, 23_500);
        assertThat(t.sentAfterMatched(2)).isEqualTo(23_500);
    }

    /**
     * Three PINGs always in flight (an RTT of three intervals) after a silence that left more
     * outstanding than the kept ones: the kept times come back, from the PINGs' own send times, as
     * soon as the PINGs not kept are answered or missed — before, they never came back while two or more stayed in flight.
     */
    @Test
    void theKeptTimesComeBackWithThreePingsInFlightAfterASilence() {
        EchoTracker t = tracker(SEAL);
        long interval = 200_000_000L;
        int seq = 0;
        for (; seq < 40; seq++) { // 40 sent, none answered: a silence
            t.recordSent(seq, seq * interval);
        }
        // The answer to 37: 38 was not kept, it stands at the last send time (39's).
        assertThat(t.match(37, SEAL.seal(37, 37 * interval))).isNull();
        assertKept(t.sentAfterMatched(1), 39 * interval, 37 * interval);
        assertKept(t.sentAfterMatched(2), 39 * interval, 37 * interval);
        t.recordSent(seq, seq * interval);
        seq++;
        assertKept(t.sentAfterMatched(3), 40 * interval, 37 * interval);
        assertThat(t.match(38, SEAL.seal(38, 38 * interval))).isNull();
        assertKept(t.sentAfterMatched(1), 39 * interval, 38 * interval);
        assertKept(t.sentAfterMatched(2), 40 * interval, 38 * interval);
        t.recordSent(seq, seq * interval);
        seq++;
        for (int answered = 39; answered < 200; answered++, seq++) {
            assertThat(t.match(answered, SEAL.seal(answered, answered * interval))).isNull();
            assertThat(t.sentSinceMatched()).isEqualTo(2);
            assertKept(t.sentAfterMatched(1), (answered + 1) * interval, answered * interval);
            assertKept(t.sentAfterMatched(2), (answered + 2) * interval, answered * interval);
            t.recordSent(seq, seq * interval);
            assertKept(t.sentAfterMatched(3), seq * interval, answered * interval);
        }
        // The peer goes silent: a burst of 20 probes 50 ms apart moves none of the first three.
        assertThat(seq).isEqualTo(203); // 200, 201 and 202 in flight
        for (int p = 0; p < 20; p++, seq++) {
            t.recordSent(seq, 203 * interval + p * 50_000_000L);
        }
        assertKept(t.sentAfterMatched(1), 200 * interval, 199 * interval);
        assertKept(t.sentAfterMatched(3), 202 * interval, 199 * interval);
        assertKept(t.sentAfterMatched(4), 203 * interval, 199 * interval);
        assertKept(t.sentAfterMatched(8), 203 * interval + 4 * 50_000_000L, 199 * interval);
        assertKept(t.sentAfterMatched(EchoTracker.PROBES), 203 * interval + 9 * 50_000_000L, 199 * interval);
    }

    /** A kept time: at or after ours, later by less than 1/1,024 of the time since the answered PING was sent. */
    private static void assertKept(long kept, long ours, long answeredAt) {
        assertThat(kept).isBetween(ours, ours + (ours - answeredAt) / 1_024);
    }

    /**
     * Gaps are kept as the RTT window keeps samples: exact below 2,048 ns, above rounded up by less
     * than 1/1,024 — a kept time is never earlier than ours.
     */
    @Test
    void gapsAreRoundedUpByLessThanATenthOfAPercent() {
        EchoTracker t = tracker(SEAL);
        t.recordSent(0, 0);
        t.match(0, SEAL.seal(0, 0));
        t.recordSent(1, 10_000_000_000L); // a PING interval of 10 s
        t.recordSent(2, 20_000_000_001L);
        t.recordSent(3, 20_000_001_001L); // 1,000 ns after: exact
        assertThat(t.sentAfterMatched(1)).isBetween(10_000_000_000L, 10_000_000_000L + 10_000_000_000L / 1_024);
        assertThat(t.sentAfterMatched(2) - t.sentAfterMatched(1)).isBetween(10_000_000_001L, 10_000_000_001L + 10_000_000_001L / 1_024);
        assertThat(t.sentAfterMatched(3) - t.sentAfterMatched(2)).isEqualTo(1_000);
    }

    /**
     * Three PINGs always in flight for 100,000 answers, at jittered intervals: each answer restarts
     * the kept times from its own exact send time, so the rounding never piles up — the next PING
     * due stays within 1/1,024 of one interval of its real send time, never before it.
     */
    @Test
    void theRoundingOfTheGapsDoesNotPileUpWhilePingsStayInFlight() {
        EchoTracker t = tracker(SEAL);
        SplittableRandom r = new SplittableRandom(5);
        long[] at = new long[100_010];
        long now = 1_000_000;
        for (int s = 0; s < 3; s++) {
            at[s] = now;
            t.recordSent(s, now);
            now += 200_000_000L + r.nextInt(20_000_000);
        }
        long worst = 0;
        for (int answered = 0; answered < 100_000; answered++) {
            assertThat(t.match(answered, SEAL.seal(answered, at[answered]))).isNull();
            int s = answered + 3;
            at[s] = now;
            t.recordSent(s, now);
            now += 200_000_000L + r.nextInt(20_000_000);
            for (int k = 1; k <= 3; k++) {
                long late = t.sentAfterMatched(k) - at[answered + k];
                assertThat(late).isGreaterThanOrEqualTo(0);
                worst = Math.max(worst, late);
            }
        }
        assertThat(worst).isLessThan(3 * 220_000_000L / 1_024);
    }

    @Test
    void theMissesOfACallAreTheLastCallsOnThisThreadWhicheverTrackerMadeIt() {
        EchoTracker a = tracker();
        EchoTracker b = tracker();
        for (int seq = 1; seq <= 3; seq++) {
            a.recordSent(seq, seq * 1_000_000L);
            b.recordSent(seq, seq * 1_000_000L);
        }
        assertThat(a.match(3, a.sealSendTime(3, 3_000_000L))).isNull();
        long misses = EchoTracker.lastMisses();
        assertThat(a.missedCount()).isEqualTo(2);
        assertThat(EchoTracker.missedSequence(misses, 0)).isEqualTo(1);
        assertThat(EchoTracker.missedSequence(misses, 1)).isEqualTo(2);
        assertThat(b.match(1, b.sealSendTime(1, 1_000_000L))).isNull();
        assertThat(b.missedCount()).as("b's call found none, and replaced a's").isZero();
        assertThat(a.missedCount()).isZero();
        assertThat(EchoTracker.missedSequence(misses, 1)).as("a copy taken before stays whole").isEqualTo(2);
    }
}
