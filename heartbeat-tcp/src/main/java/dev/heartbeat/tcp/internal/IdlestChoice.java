package dev.heartbeat.tcp.internal;

/**
 * Which connection to give up when a server is full: the one that has been quiet longest (the
 * longest since its last PING; since it was accepted when it never sent one). A client that pings
 * keeps its slot; a client that took slots and went quiet loses them first. Ties go to the first
 * found. Pure, so it runs on an injected time in tests.
 */
public final class IdlestChoice {

    /** What the choice needs to know about a connection. */
    public interface Candidate {
        /** Ticker time of its last PING, or of its accept when it has sent none. */
        long lastActiveNanos();

        /** False when it is already closing or already chosen. */
        boolean evictable();
    }

    private IdlestChoice() {
    }

    /**
     * The evictable candidate quiet for longest at {@code now}, or null when there is none.
     * O(n): one pass, no allocation beyond the iterator.
     */
    public static <T extends Candidate> T idlest(Iterable<T> candidates, long now) {
        T best = null;
        long bestIdle = Long.MIN_VALUE;
        for (T c : candidates) {
            if (!c.evictable()) {
                continue;
            }
            long idle = now - c.lastActiveNanos(); // differences only: a ticker may be negative
            if (best == null || idle > bestIdle) {
                best = c;
                bestIdle = idle;
            }
        }
        return best;
    }
}
