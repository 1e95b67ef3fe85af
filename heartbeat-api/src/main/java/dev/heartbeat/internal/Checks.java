package dev.heartbeat.internal;

import java.time.Duration;

/**
 * Argument checks with the house error format: {@code name : value (expected: rule)}. Error
 * texts are API (users grep for them), so every builder of this library uses these.
 * Internal use only.
 */
public final class Checks {

    private Checks() {
    }

    /** Fails with {@code name : value (expected: rule)}. */
    public static IllegalArgumentException bad(String name, Object value, String rule) {
        return new IllegalArgumentException(name + " : " + value + " (expected: " + rule + ")");
    }

    /** A duration &gt; 0. */
    public static Duration positive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw bad(name, d, "> 0");
        }
        return d;
    }

    /** A duration &ge; 0. */
    public static Duration nonNegative(String name, Duration d) {
        if (d == null || d.isNegative()) {
            throw bad(name, d, ">= 0");
        }
        return d;
    }

    /** A duration within [min, max]. */
    public static Duration range(String name, Duration d, Duration min, Duration max) {
        if (d == null || d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw bad(name, d, min + ".." + max);
        }
        return d;
    }

    /** An int within [min, max]. */
    public static int range(String name, int v, int min, int max) {
        if (v < min || v > max) {
            throw bad(name, v, min + ".." + max);
        }
        return v;
    }

    /** A long &ge; 0. */
    public static long nonNegative(String name, long v) {
        if (v < 0) {
            throw bad(name, v, ">= 0");
        }
        return v;
    }

    /** A fraction within [0, 1] (NaN is refused). */
    public static double fraction(String name, double v) {
        if (!(v >= 0 && v <= 1)) {
            throw bad(name, v, "0.0..1.0");
        }
        return v;
    }

    /** A finite double &gt; 0. */
    public static double positiveFinite(String name, double v) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw bad(name, v, "finite > 0");
        }
        return v;
    }
}
