package dev.heartbeat.internal;

/**
 * The one rate limit for log lines that a peer or a client can trigger at will (bad frames,
 * refused connections, dropped events): loud on the 1st, 2nd, 4th, 8th… occurrence of a counted
 * condition, quiet otherwise, so a flood costs a few dozen lines, not millions, while the counter
 * the caller keeps (and exposes) holds the total. Internal use only.
 */
public final class LogLimit {

    private LogLimit() {
    }

    /** True when the {@code count}-th occurrence (1-based) should be logged loudly. */
    public static boolean loud(long count) {
        return count > 0 && Long.bitCount(count) == 1;
    }
}
