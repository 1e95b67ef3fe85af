package dev.heartbeat.tcp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.heartbeat.engine.spi.ReconnectBackoff;
import dev.heartbeat.testing.VirtualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The reconnect schedule on virtual time. */
class ReconnectLoopTest {

    private static final Duration BASE = Duration.ofMillis(100);
    private static final Duration CAP = Duration.ofSeconds(2);
    private static final Duration STABLE = Duration.ofSeconds(5);

    private final VirtualScheduler scheduler = new VirtualScheduler();
    private final List<Long> dials = new ArrayList<>();
    private final List<Long> delays = new ArrayList<>();

    /** A loop that records its dials and its chosen delays, with a seeded backoff. */
    private ReconnectLoop loop(long seed) {
        return loop(() -> new ReconnectBackoff(BASE, CAP, STABLE, new Random(seed)));
    }

    private ReconnectLoop loop(Supplier<ReconnectBackoff> backoffs) {
        return new ReconnectLoop(scheduler) {
            @Override
            protected void dial() {
                dials.add(scheduler.ticker().nanoTime());
            }

            @Override
            protected ReconnectBackoff newBackoff() {
                return backoffs.get();
            }

            @Override
            public long lost() {
                long d = super.lost();
                if (d >= 0) {
                    delays.add(d);
                }
                return d;
            }
        };
    }

    @Test
    void failedAttemptsFollowTheSeededFullJitterSchedule() {
        ReconnectLoop loop = loop(7);
        long t0 = scheduler.ticker().nanoTime();
        loop.start();
        for (int i = 0; i < 10; i++) {
            loop.lost(); // the attempt failed at once
            scheduler.advance(CAP.plusMillis(1)); // long enough for any delay
        }
        ReconnectBackoff ref = new ReconnectBackoff(BASE, CAP, STABLE, new Random(7));
        assertThat(dials.get(0)).isEqualTo(t0);
        long failedAt = t0;
        for (int i = 0; i < 10; i++) {
            long window = ref.windowNanos();
            long d = ref.nextDelayNanos();
            assertThat(delays.get(i)).as("delay %d", i).isEqualTo(d).isBetween(0L, window);
            assertThat(dials.get(i + 1)).as("dial %d", i + 1).isEqualTo(failedAt + d);
            failedAt = failedAt + CAP.plusMillis(1).toNanos();
        }
        assertThat(ref.windowNanos()).isEqualTo(CAP.toNanos()); // capped after a few doublings
    }

    @Test
    void aBackoffMadeAtTheFirstLossGivesTheSameSchedule() {
        List<ReconnectBackoff> made = new ArrayList<>();
        ReconnectLoop loop = loop(() -> {
            ReconnectBackoff b = new ReconnectBackoff(BASE, CAP, STABLE, new Random(7));
            made.add(b);
            return b;
        });
        loop.start();
        loop.connected();
        assertThat(made).as("nothing lost yet: no backoff").isEmpty();
        assertThat(loop.attempts()).isZero();
        ReconnectBackoff ref = new ReconnectBackoff(BASE, CAP, STABLE, new Random(7));
        for (int i = 0; i < 4; i++) {
            assertThat(loop.lost()).as("delay %d", i).isEqualTo(ref.nextDelayNanos());
            scheduler.advance(CAP.plusMillis(1));
        }
        assertThat(made).hasSize(1);
        assertThat(loop.attempts()).isEqualTo(4);
        assertThat(dials).hasSize(5);
    }

    @Test
    void manyLinksSpreadOutInsteadOfStampeding() {
        // 200 links lose the same responder at the same instant: their first retries spread over the window.
        long[] first = new long[200];
        Random shared = new Random(99);
        for (int i = 0; i < first.length; i++) {
            ReconnectBackoff b = new ReconnectBackoff(BASE, CAP, STABLE, shared);
            b.nextDelayNanos();
            first[i] = b.nextDelayNanos(); // second window: [0, 200 ms]
        }
        long distinctTenMs = java.util.Arrays.stream(first).map(n -> n / 10_000_000).distinct().count();
        assertThat(distinctTenMs).as("10 ms buckets used of 21").isGreaterThanOrEqualTo(15);
    }

    @Test
    void aStableConnectionResetsTheBackoff() {
        ReconnectLoop loop = loop(3);
        loop.start();
        for (int i = 0; i < 5; i++) {
            loop.lost();
            scheduler.advance(CAP);
        }
        assertThat(loop.attempts()).isEqualTo(5);
        loop.connected();
        scheduler.advance(STABLE);
        loop.lost();
        assertThat(loop.attempts()).as("reset, then this attempt").isEqualTo(1);
        assertThat(delays.get(delays.size() - 1)).isLessThanOrEqualTo(BASE.toNanos());
    }

    @Test
    void aShortLivedConnectionKeepsBackingOff() {
        ReconnectLoop loop = loop(3);
        loop.start();
        for (int i = 0; i < 3; i++) {
            loop.lost();
            scheduler.advance(CAP);
        }
        loop.connected();
        scheduler.advance(Duration.ofSeconds(1));
        loop.lost();
        assertThat(loop.attempts()).isEqualTo(4);
    }

    @Test
    void stopCancelsThePendingAttempt() {
        ReconnectLoop loop = loop(1);
        loop.start();
        loop.lost();
        loop.stop();
        scheduler.advance(CAP);
        assertThat(dials).hasSize(1);
        assertThat(loop.lost()).isEqualTo(-1);
    }

    /** A connect under way is cancelled by stop() until the subclass says it is over, and only then. */
    @Test
    void stopCancelsTheConnectUnderWayUntilItIsOver() {
        List<String> cancels = new ArrayList<>();
        ReconnectLoop loop = loop(1);
        loop.start();
        dev.heartbeat.engine.spi.Cancellable first = () -> cancels.add("first");
        loop.attempting(first);
        loop.attempted(first); // it connected
        dev.heartbeat.engine.spi.Cancellable second = () -> cancels.add("second");
        loop.attempting(second);
        loop.attempted(first); // a late word about the first attempt changes nothing
        loop.stop();
        assertThat(cancels).containsExactly("second");
        loop.stop();
        assertThat(cancels).as("once").containsExactly("second");
    }

    /** A cancel that reports the attempt over at once (as a Netty connect future does) leaves nothing pending. */
    @Test
    void aCancelThatReportsBackAtOnceIsSafe() {
        List<String> cancels = new ArrayList<>();
        ReconnectLoop loop = loop(1);
        loop.start();
        dev.heartbeat.engine.spi.Cancellable[] attempt = new dev.heartbeat.engine.spi.Cancellable[1];
        attempt[0] = () -> {
            cancels.add("cancelled");
            loop.attempted(attempt[0]);
        };
        loop.attempting(attempt[0]);
        loop.stop();
        scheduler.advance(CAP);
        assertThat(cancels).containsExactly("cancelled");
        assertThat(dials).hasSize(1);
    }

    /**
     * A loss while an attempt is pending: the attempt is cancelled, and its cancel reports the
     * attempt failed at once (a connect future's listener, which schedules the next dial itself).
     * One loss makes one redial and one step of the backoff, not two.
     */
    @Test
    void aLossWhoseCancelledAttemptReportsItsOwnFailureRedialsOnce() {
        ReconnectLoop loop = loop(5);
        loop.start();
        dev.heartbeat.engine.spi.Cancellable[] attempt = new dev.heartbeat.engine.spi.Cancellable[1];
        attempt[0] = () -> {
            loop.attempted(attempt[0]);
            loop.lost(); // the failed connect's report, from inside the cancel
        };
        loop.attempting(attempt[0]);
        assertThat(loop.lost()).as("the cancel's report chose the delay").isEqualTo(-1);
        ReconnectBackoff ref = new ReconnectBackoff(BASE, CAP, STABLE, new Random(5));
        assertThat(delays).containsExactly(ref.nextDelayNanos());
        assertThat(loop.attempts()).isEqualTo(1);
        scheduler.advance(CAP.multipliedBy(3));
        assertThat(dials).as("the first dial and one redial").hasSize(2);
    }

    /** A cancel that stops the loop: the loss schedules nothing and leaves the backoff alone. */
    @Test
    void aLossWhoseCancelStopsTheLoopSchedulesNothing() {
        ReconnectLoop loop = loop(5);
        loop.start();
        loop.attempting(loop::stop);
        assertThat(loop.lost()).isEqualTo(-1);
        assertThat(loop.attempts()).isZero();
        scheduler.advance(CAP.multipliedBy(3));
        assertThat(dials).hasSize(1);
    }
}
