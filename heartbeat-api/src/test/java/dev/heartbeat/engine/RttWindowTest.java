package dev.heartbeat.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The RTT window's minimum and maximum over its last samples, as kept: rounded up by less than 1/1,024. */
class RttWindowTest {

    @Test
    void minimumAndMaximumOfTheLastSamplesAsKeptAlsoPastTwoSeconds() {
        SplittableRandom r = new SplittableRandom(14);
        RttWindow w = new RttWindow() {
            @Override
            public void run() {
            }
        };
        Deque<Long> last = new ArrayDeque<>();
        assertThat(w.rttBaseline()).isEqualTo(-1);
        assertThat(w.maxRtt()).isEqualTo(-1);
        for (int i = 0; i < 3_000; i++) {
            // small RTTs first (some under the 2,048 ns kept exactly); from sample 2,000 on, some over
            // Integer.MAX_VALUE nanoseconds (2.1 s)
            long rtt = i < 1_000 ? r.nextInt(3_000) : i < 2_000 ? 100_000 + r.nextInt(5_000_000)
                    : r.nextLong(1_000_000, 5_000_000_000L);
            w.addRtt(rtt);
            last.addLast(rtt);
            if (last.size() > RttWindow.SIZE) {
                last.removeFirst();
            }
            long min = last.stream().mapToLong(Long::longValue).min().getAsLong();
            long max = last.stream().mapToLong(Long::longValue).max().getAsLong();
            assertThat(w.rttBaseline()).as("min after sample %d", i).isEqualTo(RttWindow.kept(min));
            assertThat(w.maxRtt()).as("max after sample %d", i).isEqualTo(RttWindow.kept(max));
        }
        w.resetRtts();
        assertThat(w.rttBaseline()).isEqualTo(-1);
        assertThat(w.maxRtt()).isEqualTo(-1);
        w.addRtt(7);
        assertThat(w.maxRtt()).isEqualTo(7);
        assertThat(w.rttBaseline()).isEqualTo(7);
    }

    @Test
    void aKeptSampleIsExactBelow2048NanosAndOtherwiseAtMostAThousandthAbove() {
        for (long x = 0; x < 2_048; x++) {
            assertThat(RttWindow.kept(x)).isEqualTo(x);
        }
        assertThat(RttWindow.kept(-5)).isZero();
        assertThat(RttWindow.kept(1_000_000)).isEqualTo(1_000_448); // 1954 · 2^9
        assertThat(RttWindow.kept(40_000_000)).isEqualTo(40_009_728); // 1221 · 2^15
        assertThat(RttWindow.kept(4_095)).isEqualTo(4_096); // rounding up into the next power of two
        assertThat(RttWindow.kept(1L << 40)).isEqualTo(1L << 40);
        assertThat(RttWindow.kept(Long.MAX_VALUE)).isEqualTo(1L << 62);
        SplittableRandom r = new SplittableRandom(2026);
        long previousX = -1;
        long previousKept = -1;
        for (int i = 0; i < 200_000; i++) {
            long x = i % 2 == 0 ? r.nextLong(2_048, 1L << 62) : previousX + r.nextInt(3);
            long k = RttWindow.kept(x);
            assertThat(k).as("kept(%d)", x).isGreaterThanOrEqualTo(x);
            assertThat((double) (k - x)).as("kept(%d) - x", x).isLessThan(x / 1024.0);
            assertThat(RttWindow.kept(k)).as("kept twice").isEqualTo(k);
            if (x >= previousX) {
                assertThat(k).as("order kept").isGreaterThanOrEqualTo(previousKept);
            }
            previousX = x;
            previousKept = k;
        }
    }
}
