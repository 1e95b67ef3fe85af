package dev.heartbeat.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The RTT window's minimum and maximum over its last samples, exact whatever the samples' size. */
class RttWindowTest {

    @Test
    void minimumAndMaximumOfTheLastSamplesExactlyAlsoPastTwoSeconds() {
        SplittableRandom r = new SplittableRandom(14);
        RttWindow w = new RttWindow();
        Deque<Long> last = new ArrayDeque<>();
        assertThat(w.rttBaseline()).isEqualTo(-1);
        assertThat(w.maxRtt()).isEqualTo(-1);
        for (int i = 0; i < 2_000; i++) {
            // small RTTs first; from sample 1,000 on, some over Integer.MAX_VALUE nanoseconds (2.1 s)
            long rtt = i < 1_000 ? 100_000 + r.nextInt(5_000_000) : r.nextLong(1_000_000, 5_000_000_000L);
            w.addRtt(rtt);
            last.addLast(rtt);
            if (last.size() > RttWindow.SIZE) {
                last.removeFirst();
            }
            assertThat(w.rttBaseline()).as("min after sample %d", i).isEqualTo(last.stream().mapToLong(Long::longValue).min().getAsLong());
            assertThat(w.maxRtt()).as("max after sample %d", i).isEqualTo(last.stream().mapToLong(Long::longValue).max().getAsLong());
        }
        w.resetRtts();
        assertThat(w.rttBaseline()).isEqualTo(-1);
        w.addRtt(7);
        assertThat(w.maxRtt()).isEqualTo(7);
    }
}
