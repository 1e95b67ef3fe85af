package dev.heartbeat.engine;

import java.security.SecureRandom;

/**
 * The monitor's PING send time as a sealed token: what goes into a PING's {@code sendTimeNanos}
 * (responders copy it unchanged into {@code echoSendTimeNanos}, docs/protocol.md), so that a
 * monitor can check an echo and recover its send time without remembering it.
 *
 * <pre>
 *   bit 63            40 39                                  0
 *      +----------------+-------------------------------------+
 *      |  tag (24 bits) |  send time, low 40 bits (ns)        |
 *      +----------------+-------------------------------------+
 *   tag = the top 24 bits of SipHash-2-4(key, time as 8 bytes LE ‖ sequence as 4 bytes LE)
 * </pre>
 *
 * <p><b>Decoding.</b> The full send time is the latest time at or before a reference (the last
 * PING sent: every PING outstanding was sent at or before it) whose low 40 bits are the token's:
 * exact for any PING sent less than 2<sup>40</sup> ns (18 min 19 s) before the last one. An
 * older one decodes to a time 2<sup>40</sup> ns too late, its tag does not verify, and its answer
 * is refused as a mismatch (it would have been counted as missed long before).
 *
 * <p><b>What the tag buys.</b> The tag is a keyed pseudo-random function of the sequence and the
 * <em>full</em> send time, with a 128-bit key that never leaves this process. A peer that did not
 * receive a PING cannot make its token: a made-up token passes with probability 2<sup>−24</sup>
 * (one in 16.8 million) per attempt, and every failed attempt is a rejected frame the monitor
 * counts. What one success buys is at most one early answer: one RTT sample that is too short
 * and one heartbeat that arrives before the PING could have been answered. A peer can always
 * answer <em>late</em> (it holds the token), never early. Replaying a real token is refused by the
 * tracker's own state, not by the seal: an answered PING's second answer is a duplicate, an older
 * one's is reordered, one out of the window is not outstanding.
 *
 * <p><b>Why these widths.</b> Forty bits of nanoseconds keep RTTs exact to the nanosecond, as
 * before, and cover every outstanding PING of the default configuration (32 PINGs at 200 ms are
 * 6.4 s) and of any interval up to 30 s (the oldest of 32 PINGs went out 31 intervals, give or
 * take the jitter, before the last); at longer intervals, an answer to a PING sent over 18 minutes
 * before the last one is refused. Twenty-four bits of tag make a blind
 * forgery cost millions of frames per expected success, each of which is seen and counted; to
 * squeeze an early answer in, a peer would have to land one in the time the PING is in flight.
 *
 * <p><b>The key.</b> One random key per process, not per {@link HeartbeatMonitor}: the key only
 * has to stay unknown to peers, and it never leaves the process. A token is bound to the sequence
 * of the PING, and sequences start at random per peer ({@link Epochs}), so a token one peer
 * received names a sequence no other peer of any monitor has outstanding, but by a chance of about
 * 2<sup>−26</sup> (and two colluding peers could still only answer late). A per-process key costs
 * no field anywhere.
 *
 * <p>SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF", 2012) is written
 * here from the paper's specification: a 12-byte input is two 64-bit words, the second holding the
 * input's length in its top byte; two compression rounds per word, four finalization rounds.
 * Thread-safe and allocation-free: it is a pure function of final fields.
 */
final class EchoSeal {

    /** Bits of the send time a token carries. */
    static final int TIME_BITS = 40;
    /** Bits of tag: the rest of the 64. */
    static final int TAG_BITS = Long.SIZE - TIME_BITS;
    /** The low {@link #TIME_BITS} of a token: the send time's. */
    static final long TIME_MASK = (1L << TIME_BITS) - 1;

    /** The process's seal: a random key drawn once. */
    static final EchoSeal PROCESS = random();

    private final long k0;
    private final long k1;

    /** A seal with the given 128-bit key: {@code k0} is its first 8 bytes read little-endian, {@code k1} the last 8. */
    EchoSeal(long k0, long k1) {
        this.k0 = k0;
        this.k1 = k1;
    }

    /** A seal with a key from a {@link SecureRandom}. */
    static EchoSeal random() {
        SecureRandom r = new SecureRandom();
        return new EchoSeal(r.nextLong(), r.nextLong());
    }

    /** The token to send as the {@code sendTimeNanos} of PING {@code seq} sent at {@code sendTime}. */
    long seal(int seq, long sendTime) {
        return (tag(seq, sendTime) & ~TIME_MASK) | (sendTime & TIME_MASK);
    }

    /**
     * The send time {@code token} stands for if it was sent at or before {@code latest} and less
     * than 2<sup>40</sup> ns before it: the latest such time with the token's low 40 bits. Says
     * nothing about whether the token is genuine: see {@link #verifies}.
     */
    static long sendTime(long token, long latest) {
        return latest - ((latest - token) & TIME_MASK);
    }

    /** True when {@code token} is the one {@link #seal} makes for PING {@code seq} sent at {@code sendTime}. */
    boolean verifies(int seq, long token, long sendTime) {
        return seal(seq, sendTime) == token;
    }

    /** SipHash-2-4 of the 12 bytes {@code time} (little-endian) then {@code seq} (little-endian). */
    long tag(int seq, long time) {
        return sipHash24(k0, k1, time, (12L << 56) | Integer.toUnsignedLong(seq));
    }

    /**
     * SipHash-2-4 of a message of 8 to 15 bytes: {@code m0} is its first 8 bytes read
     * little-endian, {@code last} its remaining bytes read little-endian with the message's length
     * (mod 256) in the top byte, as the paper pads the last block.
     */
    static long sipHash24(long k0, long k1, long m0, long last) {
        long v0 = k0 ^ 0x736f6d6570736575L;
        long v1 = k1 ^ 0x646f72616e646f6dL;
        long v2 = k0 ^ 0x6c7967656e657261L;
        long v3 = k1 ^ 0x7465646279746573L;
        // Three passes of one round function: the two message words (2 rounds each: the "2" of
        // 2-4), then the finalization (v2 ^= 0xff, 4 rounds: the "4"), where m is 0.
        for (int pass = 0; pass < 3; pass++) {
            long m = pass == 0 ? m0 : pass == 1 ? last : 0;
            int rounds;
            if (pass < 2) {
                v3 ^= m;
                rounds = 2;
            } else {
                v2 ^= 0xff;
                rounds = 4;
            }
            for (int r = 0; r < rounds; r++) {
                v0 += v1;
                v1 = Long.rotateLeft(v1, 13);
                v1 ^= v0;
                v0 = Long.rotateLeft(v0, 32);
                v2 += v3;
                v3 = Long.rotateLeft(v3, 16);
                v3 ^= v2;
                v0 += v3;
                v3 = Long.rotateLeft(v3, 21);
                v3 ^= v0;
                v2 += v1;
                v1 = Long.rotateLeft(v1, 17);
                v1 ^= v2;
                v2 = Long.rotateLeft(v2, 32);
            }
            v0 ^= m;
        }
        return v0 ^ v1 ^ v2 ^ v3;
    }
}
