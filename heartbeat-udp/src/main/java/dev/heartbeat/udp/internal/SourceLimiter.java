package dev.heartbeat.udp.internal;

import java.net.InetAddress;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The responder's per-source reply rate limit: one {@link TokenBucket} per source IP address (not
 * per port: a flood that changes ports is still one source). Memory is bounded: at most
 * {@code maxSources} addresses get a bucket of their own; sources beyond that share one
 * <em>overflow</em> bucket, so a flood from many (spoofed) addresses can make the responder send
 * at most one source's rate in total, however many addresses it uses. Buckets of sources that
 * have been quiet long enough to be full again are swept.
 *
 * <p>Thread-safe: the map is concurrent and each bucket is used under its own lock (a source's
 * datagrams may land on several SO_REUSEPORT sockets when it sends from several ports).
 */
public final class SourceLimiter {

    private final ConcurrentHashMap<InetAddress, TokenBucket> buckets = new ConcurrentHashMap<>();
    private final int maxSources;
    private final long periodNanos;
    private final int burst;
    private final TokenBucket overflow;

    public SourceLimiter(double perSecond, int burst, int maxSources, long now) {
        this.periodNanos = TokenBucket.periodOf(perSecond);
        this.burst = burst;
        this.maxSources = maxSources;
        this.overflow = new TokenBucket(periodNanos, burst, now);
    }

    /** The bucket of {@code source} (the shared overflow bucket when the table is full). */
    public TokenBucket bucket(InetAddress source, long now) {
        TokenBucket b = buckets.get(source);
        if (b != null) {
            return b;
        }
        if (buckets.size() >= maxSources) {
            return overflow;
        }
        return buckets.computeIfAbsent(source, k -> new TokenBucket(periodNanos, burst, now));
    }

    /** True when a reply to {@code bucket}'s source may go out now; takes nothing. */
    public static boolean available(TokenBucket bucket, long now) {
        synchronized (bucket) {
            return bucket.available(now);
        }
    }

    /** Takes one reply from {@code bucket}; false when over the rate (another thread took the last one). */
    public static boolean take(TokenBucket bucket, long now) {
        synchronized (bucket) {
            return bucket.tryTake(now);
        }
    }

    /** Forgets sources whose buckets are full again (quiet for at least burst × period). */
    public int sweep(long now) {
        int removed = 0;
        for (Iterator<Map.Entry<InetAddress, TokenBucket>> it = buckets.entrySet().iterator(); it.hasNext(); ) {
            TokenBucket b = it.next().getValue();
            boolean full;
            synchronized (b) {
                full = b.full(now);
            }
            if (full) {
                it.remove();
                removed++;
            }
        }
        return removed;
    }

    /** Sources with a bucket of their own now. */
    public int size() {
        return buckets.size();
    }

    /** True when {@code b} is the shared bucket of the sources beyond {@code maxSources}. */
    public boolean isOverflow(TokenBucket b) {
        return b == overflow;
    }
}
