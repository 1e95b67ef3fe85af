package dev.heartbeat.engine.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.heartbeat.testing.VirtualScheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TimerQueueTest {

    private static final long MS = 1_000_000;

    private final VirtualScheduler loop = new VirtualScheduler();
    private final TimerQueue queue = new TimerQueue(loop);

    @Test
    void timersRunInDeadlineOrderAndOnlyOnce() {
        List<String> ran = new ArrayList<>();
        Timer a = queue.newTimer(() -> ran.add("a"));
        Timer b = queue.newTimer(() -> ran.add("b"));
        Timer c = queue.newTimer(() -> ran.add("c"));
        a.arm(30 * MS);
        b.arm(10 * MS);
        c.arm(20 * MS);
        loop.advanceNanos(15 * MS);
        assertThat(ran).containsExactly("b");
        loop.advanceNanos(100 * MS);
        assertThat(ran).containsExactly("b", "c", "a");
        assertThat(queue.armed()).isZero();
        assertThat(loop.queued()).isZero(); // no wake-up left behind
    }

    @Test
    void rearmingReplacesTheDeadlineAndCancelStopsIt() {
        List<String> ran = new ArrayList<>();
        Timer a = queue.newTimer(() -> ran.add("a"));
        Timer b = queue.newTimer(() -> ran.add("b"));
        a.arm(10 * MS);
        a.arm(50 * MS); // later: not at 10 ms
        b.arm(40 * MS);
        b.cancel();
        b.cancel(); // idempotent
        loop.advanceNanos(45 * MS);
        assertThat(ran).isEmpty();
        a.arm(5 * MS); // earlier than the pending wake-up
        loop.advanceNanos(5 * MS);
        assertThat(ran).containsExactly("a");
        loop.advanceNanos(100 * MS);
        assertThat(ran).containsExactly("a");
    }

    @Test
    void aTaskMayRearmItselfAndOthersWithoutLoopingWithinOneWakeUp() {
        List<Long> at = new ArrayList<>();
        Timer[] self = new Timer[1];
        self[0] = queue.newTimer(() -> {
            at.add(loop.ticker().nanoTime());
            if (at.size() < 5) {
                self[0].arm(0); // "soon": the next wake-up, one resolution later
            }
        });
        self[0].arm(0);
        loop.advanceNanos(100 * MS);
        assertThat(at).hasSize(5);
        for (int i = 1; i < at.size(); i++) {
            assertThat(at.get(i) - at.get(i - 1)).isGreaterThanOrEqualTo(TimerQueue.RESOLUTION_NANOS);
        }
    }

    @Test
    void manyTimersAgreeWithASortedModelAndNeverRunEarlyOrMuchLate() {
        SplittableRandom r = new SplittableRandom(42);
        int n = 2000;
        long[] deadline = new long[n];
        long[] ranAt = new long[n];
        Timer[] timers = new Timer[n];
        long start = loop.ticker().nanoTime();
        for (int i = 0; i < n; i++) {
            int k = i;
            timers[i] = queue.newTimer(() -> ranAt[k] = loop.ticker().nanoTime());
            deadline[i] = start + r.nextLong(1, 2000) * MS;
            timers[i].arm(deadline[i] - start);
        }
        for (int i = 0; i < n; i += 3) { // re-arm a third, cancel a seventh
            deadline[i] = start + r.nextLong(1, 2000) * MS;
            timers[i].arm(deadline[i] - start);
        }
        for (int i = 0; i < n; i += 7) {
            timers[i].cancel();
            deadline[i] = Long.MIN_VALUE;
        }
        for (int step = 0; step < 2100; step++) {
            loop.advanceNanos(MS / 2 + r.nextLong(MS));
        }
        for (int i = 0; i < n; i++) {
            if (deadline[i] == Long.MIN_VALUE) {
                assertThat(ranAt[i]).as("cancelled timer %d", i).isZero();
            } else {
                assertThat(ranAt[i] - deadline[i]).as("lateness of timer %d", i)
                        .isBetween(0L, 2 * TimerQueue.RESOLUTION_NANOS);
            }
        }
    }

    @Test
    void theSchedulersDefaultTimerIsReArmable() {
        List<Long> at = new ArrayList<>();
        Timer t = loop.newTimer(() -> at.add(loop.ticker().nanoTime()));
        long start = loop.ticker().nanoTime();
        t.arm(10 * MS);
        t.arm(20 * MS);
        loop.advanceNanos(30 * MS);
        assertThat(at).containsExactly(start + 20 * MS);
        t.arm(5 * MS);
        t.cancel();
        loop.advanceNanos(30 * MS);
        assertThat(at).hasSize(1);
    }

    /** An entry recording when it ran (a peer is one, through its class chain). */
    private final class Recorder extends TimerEntry {
        final String name;
        final List<String> ran;
        final List<Long> at = new ArrayList<>();

        Recorder(String name, List<String> ran) {
            this.name = name;
            this.ran = ran;
        }

        @Override
        public void run() {
            ran.add(name);
            at.add(loop.ticker().nanoTime());
        }
    }

    @Test
    void entriesRunInDeadlineOrderAndOnlyOnceAmongTimers() {
        List<String> ran = new ArrayList<>();
        Recorder a = new Recorder("a", ran);
        Recorder b = new Recorder("b", ran);
        Timer c = queue.newTimer(() -> ran.add("c"));
        queue.arm(a, 30 * MS);
        queue.arm(b, 10 * MS);
        c.arm(20 * MS);
        assertThat(queue.armed()).isEqualTo(3);
        loop.advanceNanos(15 * MS);
        assertThat(ran).containsExactly("b");
        loop.advanceNanos(100 * MS);
        assertThat(ran).containsExactly("b", "c", "a");
        assertThat(queue.armed()).isZero();
        assertThat(loop.queued()).isZero(); // no wake-up left behind
    }

    @Test
    void reArmingAnEntryEarlierOrLaterReplacesItsDeadlineAndCancelStopsIt() {
        List<String> ran = new ArrayList<>();
        Recorder a = new Recorder("a", ran);
        Recorder b = new Recorder("b", ran);
        long start = loop.ticker().nanoTime();
        queue.arm(a, 10 * MS);
        queue.arm(a, 50 * MS); // later: not at 10 ms
        queue.arm(b, 40 * MS);
        queue.cancel(b);
        queue.cancel(b); // idempotent
        assertThat(queue.armed()).isEqualTo(1);
        loop.advanceNanos(45 * MS);
        assertThat(ran).isEmpty();
        queue.arm(a, 5 * MS); // earlier than the pending wake-up
        loop.advanceNanos(5 * MS);
        assertThat(a.at).containsExactly(start + 50 * MS);
        queue.arm(b, 10 * MS); // a cancelled entry may be armed again
        loop.advanceNanos(100 * MS);
        assertThat(ran).containsExactly("a", "b");
        assertThat(queue.armed()).isZero();
    }

    @Test
    void manyEntriesAgreeWithASortedModelAndNeverRunEarlyOrMuchLate() {
        SplittableRandom r = new SplittableRandom(43);
        int n = 2000;
        long[] deadline = new long[n];
        List<String> ran = new ArrayList<>();
        Recorder[] entries = new Recorder[n];
        long start = loop.ticker().nanoTime();
        for (int i = 0; i < n; i++) {
            entries[i] = new Recorder(Integer.toString(i), ran);
            deadline[i] = start + r.nextLong(1, 2000) * MS;
            queue.arm(entries[i], deadline[i] - start);
        }
        for (int i = 0; i < n; i += 3) { // re-arm a third (earlier or later), cancel a seventh
            deadline[i] = start + r.nextLong(1, 2000) * MS;
            queue.arm(entries[i], deadline[i] - start);
        }
        for (int i = 0; i < n; i += 7) {
            queue.cancel(entries[i]);
            deadline[i] = Long.MIN_VALUE;
        }
        long lastRun = Long.MIN_VALUE;
        int runs = 0;
        for (int step = 0; step < 2100; step++) {
            loop.advanceNanos(MS / 2 + r.nextLong(MS));
            for (; runs < ran.size(); runs++) { // in deadline order across wake-ups
                long d = deadline[Integer.parseInt(ran.get(runs))];
                assertThat(d).isGreaterThanOrEqualTo(lastRun);
                lastRun = d;
            }
        }
        for (int i = 0; i < n; i++) {
            if (deadline[i] == Long.MIN_VALUE) {
                assertThat(entries[i].at).as("cancelled entry %d", i).isEmpty();
            } else {
                assertThat(entries[i].at).as("entry %d", i).hasSize(1);
                assertThat(entries[i].at.get(0) - deadline[i]).as("lateness of entry %d", i)
                        .isBetween(0L, 2 * TimerQueue.RESOLUTION_NANOS);
            }
        }
        assertThat(queue.armed()).isZero();
    }

    @Test
    void theSchedulersDefaultEntryPathRunsOncePerArmAtTheLatestDeadline() {
        List<String> ran = new ArrayList<>();
        Recorder e = new Recorder("e", ran);
        long start = loop.ticker().nanoTime();
        loop.arm(e, 10 * MS);
        loop.arm(e, 20 * MS); // later: the 10 ms task finds another deadline and does nothing
        loop.advanceNanos(30 * MS);
        assertThat(e.at).containsExactly(start + 20 * MS);
        loop.arm(e, 20 * MS);
        loop.arm(e, 5 * MS); // earlier: runs at 5 ms, and the 20 ms task finds it run
        loop.advanceNanos(30 * MS);
        assertThat(e.at).containsExactly(start + 20 * MS, start + 35 * MS);
        loop.arm(e, 5 * MS);
        loop.cancel(e);
        loop.cancel(e); // idempotent
        loop.advanceNanos(30 * MS);
        assertThat(e.at).hasSize(2);
        assertThat(loop.queued()).isZero(); // superseded tasks ran out, doing nothing
    }

    @Test
    void anEntryOnTheDefaultPathMayReArmItselfWhileRunning() {
        List<Long> at = new ArrayList<>();
        TimerEntry self = new TimerEntry() {
            @Override
            public void run() {
                at.add(loop.ticker().nanoTime());
                if (at.size() < 3) {
                    loop.arm(this, 10 * MS);
                }
            }
        };
        long start = loop.ticker().nanoTime();
        loop.arm(self, 0);
        loop.advanceNanos(100 * MS);
        assertThat(at).containsExactly(start, start + 10 * MS, start + 20 * MS);
    }
}
