package dev.heartbeat.tcp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.heartbeat.engine.spi.SerialScheduler;
import dev.heartbeat.engine.spi.TimerEntry;
import io.netty.channel.DefaultEventLoop;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Timer entries (a peer is one) on an event loop's scheduler: with the loop's timer queue, and without. */
class EventLoopSchedulerTest {

    private static final long MS = 1_000_000;

    private final DefaultEventLoop loop = new DefaultEventLoop();

    @AfterEach
    void shutDown() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** An entry that records its runs, and whether they ran on the loop. */
    private final class Recorder extends TimerEntry {
        volatile int runs;
        volatile long ranAt;
        volatile boolean onLoop = true;

        @Override
        public void run() {
            runs++;
            ranAt = System.nanoTime();
            onLoop &= loop.inEventLoop();
        }
    }

    /** Arms {@code a} for 5 ms then 30 ms, arms and cancels {@code b}: a runs once, no earlier than 30 ms, and b never. */
    private void rearmAndCancel(SerialScheduler s) {
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        long[] armedAt = new long[1];
        loop.execute(() -> {
            armedAt[0] = System.nanoTime();
            s.arm(a, 5 * MS);
            s.arm(a, 30 * MS); // later: replaces the 5 ms deadline
            s.arm(b, 1 * MS);
            s.cancel(b);
            s.cancel(b); // idempotent
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> a.runs == 1);
        assertThat(a.ranAt - armedAt[0]).isGreaterThanOrEqualTo(30 * MS);
        assertThat(a.onLoop).isTrue();
        assertThat(b.runs).isZero(); // its deadline passed long before a's
    }

    @Test
    void entriesOnTheLoopsTimerQueueRunOncePerArmOnTheLoopAndCancelStopsThem() {
        rearmAndCancel(EventLoopScheduler.withTimerQueue(loop));
    }

    @Test
    void withoutATimerQueueEntriesTakeTheSchedulersDefaultPath() {
        rearmAndCancel(EventLoopScheduler.of(loop));
    }
}
