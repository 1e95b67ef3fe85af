package dev.heartbeat.engine;

/**
 * Jitter draws from one {@code long} of state that the caller keeps (a monitor keeps it in each
 * peer's own fields, not in an object per peer): SplitMix64 (Steele, Lea &amp; Flood, <i>Fast
 * Splittable Pseudorandom Number Generators</i>, OOPSLA 2014) with the golden-ratio increment, so
 * a state seeded with {@code seed} and advanced by {@link #next} yields exactly the doubles
 * {@code new java.util.SplittableRandom(seed).nextDouble()} yields. Not thread-safe, like the
 * state it works on: confined to the peer's thread.
 *
 * <pre>
 *   state = Jitter.next(state);
 *   double d = Jitter.unit(state);   // uniform in [0, 1)
 * </pre>
 */
final class Jitter {

    /** The increment: 2^64 divided by the golden ratio, odd. */
    private static final long GAMMA = 0x9e3779b97f4a7c15L;

    private Jitter() {
    }

    /** The state after {@code state}: advanced by the increment. */
    static long next(long state) {
        return state + GAMMA;
    }

    /** The 64-bit value of an (advanced) state: mixed by the variant-13 finaliser. */
    static long value(long state) {
        long z = state;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** The draw of an (advanced) state, uniform in [0, 1), from the top 53 bits of its value. */
    static double unit(long state) {
        return (value(state) >>> 11) * 0x1.0p-53;
    }
}
