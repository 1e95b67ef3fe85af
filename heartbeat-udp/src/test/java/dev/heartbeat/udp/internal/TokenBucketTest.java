package dev.heartbeat.udp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** The bucket and the per-source limiter on scripted time. */
class TokenBucketTest {

    private static final long MS = 1_000_000L;

    @Test
    void burstThenRate() {
        TokenBucket b = new TokenBucket(TokenBucket.periodOf(100), 5, 0); // 100/s: one per 10 ms
        for (int i = 0; i < 5; i++) {
            assertThat(b.tryTake(0)).isTrue();
        }
        assertThat(b.tryTake(0)).isFalse();
        assertThat(b.available(9 * MS)).isFalse();
        assertThat(b.tryTake(10 * MS)).isTrue();
        assertThat(b.full(10 * MS)).isFalse();
        assertThat(b.full(60 * MS)).isTrue();
    }

    @Test
    void sourcesBeyondTheTableShareOneBucketAndQuietOnesAreSwept() throws Exception {
        SourceLimiter l = new SourceLimiter(100, 2, 2, 0);
        TokenBucket a = l.bucket(InetAddress.getByName("127.0.0.1"), 0);
        TokenBucket b = l.bucket(InetAddress.getByName("127.0.0.2"), 0);
        TokenBucket c = l.bucket(InetAddress.getByName("127.0.0.3"), 0);
        TokenBucket d = l.bucket(InetAddress.getByName("127.0.0.4"), 0);
        assertThat(a).isNotSameAs(b);
        assertThat(l.isOverflow(c)).isTrue();
        assertThat(c).isSameAs(d);
        assertThat(SourceLimiter.take(a, 0)).isTrue();
        assertThat(l.sweep(1 * MS)).isEqualTo(1);                    // b was never used: full, forgotten
        assertThat(l.sweep(100 * MS)).isEqualTo(1);                  // a refilled
        assertThat(l.size()).isZero();
    }
}
