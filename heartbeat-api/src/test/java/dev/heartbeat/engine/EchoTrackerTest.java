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
 * The compact echo window (implied sequences, state bits) against a plain model of the rules it
 * implements: a map from sequence to send time and state, the last {@value EchoTracker#WINDOW}
 * PINGs remembered, answers in order.
 */
class EchoTrackerTest {

    /** The rules, written as plainly as possible: what the tracker must decide, PONG by PONG. */
    private static final class Model {
        static final int OUTSTANDING = 1;
        static final int ANSWERED = 2;
        static final int MISSED = 3;
        final Map<Integer, long[]> sent = new HashMap<>(); // seq -> {sentAt, state}
        boolean anySent;
        int lastSent;
        boolean anyMatched;
        int lastMatched;
        long matchedSentAt;
        final List<Integer> missed = new ArrayList<>();

        void recordSent(int seq, long now) {
            missed.clear();
            long[] old = sent.remove(seq - EchoTracker.WINDOW);
            if (old != null && old[1] == OUTSTANDING) {
                missed.add(seq - EchoTracker.WINDOW);
            }
            sent.put(seq, new long[] {now, OUTSTANDING});
            anySent = true;
            lastSent = seq;
        }

        FrameRejection match(int echoSeq, long echoTime) {
            missed.clear();
            long[] e = sent.get(echoSeq);
            if (!anySent || e == null || lastSent - echoSeq >= EchoTracker.WINDOW || lastSent - echoSeq < 0) {
                return FrameRejection.NOT_OUTSTANDING;
            }
            if (e[0] != echoTime) {
                return FrameRejection.ECHO_MISMATCH;
            }
            if (e[1] == ANSWERED) {
                return FrameRejection.DUPLICATE;
            }
            if (anyMatched && echoSeq - lastMatched < 0) {
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
            lastMatched = echoSeq;
            matchedSentAt = e[0];
            return null;
        }

        long sentAfterMatched() {
            if (!anyMatched) {
                return Long.MIN_VALUE;
            }
            long[] e = sent.get(lastMatched + 1);
            return e == null || lastSent - (lastMatched + 1) >= EchoTracker.WINDOW ? Long.MIN_VALUE : e[0];
        }
    }

    @Test
    void decidesLikeThePlainModelOverRandomTraffic() {
        decidesLikeThePlainModel(false);
    }

    /** Gaps between PINGs of 2³² ns and more (and a clock step back) widen the window to 64-bit times. */
    @Test
    void decidesLikeThePlainModelWhenGapsOutgrowThirtyTwoBits() {
        decidesLikeThePlainModel(true);
    }

    /** A PONG whose echoed time has our send time's low 32 bits but not its high ones is refused. */
    @Test
    void refusesAnEchoThatMatchesOnlyTheLow32BitsOfOurSendTime() {
        EchoTracker t = new EchoTracker();
        long start = 7_000_000_000L;
        for (int seq = 0; seq < 8; seq++) {
            t.recordSent(seq, start + seq * 1_000_000_000L);
        }
        long sent = start + 5 * 1_000_000_000L;
        assertThat(t.match(5, sent + (1L << 32))).isEqualTo(FrameRejection.ECHO_MISMATCH);
        assertThat(t.match(5, sent - (1L << 32))).isEqualTo(FrameRejection.ECHO_MISMATCH);
        assertThat(t.match(5, sent ^ (1L << 40))).isEqualTo(FrameRejection.ECHO_MISMATCH);
        assertThat(t.match(5, sent)).isNull();
        assertThat(t.matchedSentAt()).isEqualTo(sent);
        assertThat(t.sentAfterMatched()).isEqualTo(start + 6 * 1_000_000_000L);
        assertThat(t.sentAfterMatched(2)).isEqualTo(start + 7 * 1_000_000_000L);
    }

    private static void decidesLikeThePlainModel(boolean wideGaps) {
        for (long seed = 1; seed <= 20; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            EchoTracker t = new EchoTracker();
            Model m = new Model();
            int seq = seed % 2 == 0 ? Integer.MAX_VALUE - 40 : r.nextInt(); // also across the sign wrap
            long now = 1_000;
            for (int step = 0; step < 5_000; step++) {
                now += wideGaps && r.nextInt(500) == 0 ? (r.nextInt(8) == 0 ? -5_000 : r.nextLong(1L << 34)) : 1 + r.nextInt(1_000);
                if (!m.anySent || r.nextInt(3) == 0) {
                    t.recordSent(seq, now);
                    m.recordSent(seq, now);
                    seq++;
                } else {
                    int echo = m.lastSent - r.nextInt(40) + 2; // sometimes ahead, sometimes out of the window
                    long[] e = m.sent.get(echo);
                    long time = e != null && r.nextInt(10) != 0 ? e[0] : now - r.nextInt(100_000);
                    FrameRejection expected = m.match(echo, time);
                    assertThat(t.match(echo, time)).as("seed %d step %d echo %d", seed, step, echo).isEqualTo(expected);
                    if (expected == null) {
                        assertThat(t.matchedSentAt()).isEqualTo(m.matchedSentAt);
                    }
                }
                List<Integer> got = new ArrayList<>();
                for (int k = 0; k < t.missedCount(); k++) {
                    got.add(t.missedSequence(k));
                }
                assertThat(got).as("seed %d step %d misses", seed, step).isEqualTo(m.missed);
                assertThat(t.sentAfterMatched()).isEqualTo(m.sentAfterMatched());
            }
        }
    }
}
