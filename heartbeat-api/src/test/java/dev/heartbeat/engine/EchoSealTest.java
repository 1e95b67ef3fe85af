package dev.heartbeat.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The sealed send time: SipHash-2-4 against known outputs, then sealing, decoding and verifying. */
class EchoSealTest {

    /** The key of the SipHash paper's example, bytes 00..0f, as two little-endian words. */
    static final long K0 = 0x0706050403020100L;
    static final long K1 = 0x0f0e0d0c0b0a0908L;

    @Test
    void sipHashMatchesThePapersExampleAndOtherKnownOutputs() {
        // Appendix A of the paper: the 15 bytes 00..0e give a129ca6149be45e5.
        assertThat(EchoSeal.sipHash24(K0, K1, 0x0706050403020100L, 0x0f0e0d0c0b0a0908L)).isEqualTo(0xa129ca6149be45e5L);
        // The 8 bytes 00..07 (the reference implementation's vector 8): 62 24 93 9a 79 f5 f5 93.
        assertThat(EchoSeal.sipHash24(K0, K1, 0x0706050403020100L, 8L << 56)).isEqualTo(0x93f5f5799a932462L);
        // Our 12-byte input, checked with OpenSSL's SIPHASH MAC (size 8): time ef cd ab 89 67 45 23 01, seq ef cd ab 89.
        assertThat(new EchoSeal(K0, K1).tag(0x89abcdef, 0x0123456789abcdefL)).isEqualTo(0x377ea45f644f0253L);
        assertThat(new EchoSeal(K0, K1).tag(0, 0)).isEqualTo(0xcda01f60ffc85be6L);
    }

    @Test
    void aTokenCarriesTheLow40BitsOfTheTimeAndDecodesExactlyWithin2To40NanosecondsBeforeTheReference() {
        EchoSeal seal = new EchoSeal(K0, K1);
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < 10_000; i++) {
            long sent = r.nextLong();
            int seq = r.nextInt();
            long token = seal.seal(seq, sent);
            assertThat(token & EchoSeal.TIME_MASK).isEqualTo(sent & EchoSeal.TIME_MASK);
            assertThat(token >>> EchoSeal.TIME_BITS).isEqualTo(seal.tag(seq, sent) >>> EchoSeal.TIME_BITS);
            long latest = sent + r.nextLong(1L << EchoSeal.TIME_BITS); // anything from 0 to 2^40 − 1 later
            assertThat(EchoSeal.sendTime(token, latest)).isEqualTo(sent);
            assertThat(seal.verifies(seq, token, sent)).isTrue();
            // 2^40 ns or more later: the decoded time is 2^40 ns too late, and does not verify.
            long tooLate = sent + (1L << EchoSeal.TIME_BITS) + r.nextLong(1L << EchoSeal.TIME_BITS);
            assertThat(EchoSeal.sendTime(token, tooLate)).isEqualTo(sent + (1L << EchoSeal.TIME_BITS));
        }
        // Across the wrap of the low 40 bits, and of the long itself.
        for (long sent : new long[] {(1L << 40) - 1, 1L << 40, 5 * (1L << 40) - 3, -1, Long.MIN_VALUE, Long.MAX_VALUE}) {
            long token = seal.seal(9, sent);
            assertThat(EchoSeal.sendTime(token, sent + 2)).isEqualTo(sent);
            assertThat(EchoSeal.sendTime(token, sent)).isEqualTo(sent);
            assertThat(seal.verifies(9, token, sent)).isTrue();
        }
    }

    @Test
    void aTokenVerifiesOnlyForItsSequenceItsTimeAndItsKey() {
        EchoSeal seal = new EchoSeal(K0, K1);
        long sent = 123_456_789_012L;
        long token = seal.seal(41, sent);
        assertThat(seal.verifies(42, token, sent)).isFalse();
        assertThat(seal.verifies(41, token, sent + 1)).isFalse();
        for (int b = 0; b < 64; b++) {
            long forged = token ^ (1L << b);
            assertThat(seal.verifies(41, forged, EchoSeal.sendTime(forged, sent + 1000))).as("bit %d", b).isFalse();
        }
        EchoSeal other = new EchoSeal(K0 + 1, K1);
        assertThat(other.verifies(41, token, sent)).isFalse();
        assertThat(seal.verifies(41, other.seal(41, sent), sent)).isFalse();
        assertThat(EchoSeal.PROCESS.verifies(41, EchoSeal.PROCESS.seal(41, sent), sent)).isTrue();
    }

    /** About one made-up token in 2^24 passes; over 2^22 random ones, expect a quarter of one. */
    @Test
    void madeUpTokensPassAtTheRateTheTagWidthPromises() {
        EchoSeal seal = new EchoSeal(K0, K1);
        SplittableRandom r = new SplittableRandom(11);
        int passed = 0;
        for (int i = 0; i < 1 << 22; i++) {
            long token = r.nextLong();
            if (seal.verifies(7, token, EchoSeal.sendTime(token, 1L << 50))) {
                passed++;
            }
        }
        assertThat(passed).isLessThanOrEqualTo(3);
    }
}
