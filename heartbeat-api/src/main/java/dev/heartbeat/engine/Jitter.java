package dev.heartbeat.engine;

/**
 * A peer's stream of jitter draws: SplitMix64 (Steele, Lea &amp; Flood, <i>Fast Splittable
 * Pseudorandom Number Generators</i>, OOPSLA 2014) with the golden-ratio increment, so it yields
 * exactly the doubles {@code new java.util.SplittableRandom(seed).nextDouble()} yields — in one
 * 24-byte object instead of the 48 bytes a {@code SplittableRandom} takes (a monitor keeps one per
 * peer). Not thread-safe: confined to the peer's thread.
 */
final class Jitter {

    /** The increment: 2^64 divided by the golden ratio, odd. */
    private static final long GAMMA = 0x9e3779b97f4a7c15L;

    private long state;

    Jitter(long seed) {
        this.state = seed;
    }

    /** The next draw, uniform in [0, 1), from the top 53 bits of the next 64-bit value. */
    double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** The next 64-bit value: the state advanced by the increment, then mixed (the variant-13 finaliser). */
    long nextLong() {
        long z = state += GAMMA;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
