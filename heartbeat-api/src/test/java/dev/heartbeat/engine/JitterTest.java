package dev.heartbeat.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The compact jitter stream draws the very numbers the SplittableRandom it replaces drew. */
class JitterTest {

    @Test
    void drawsWhatSplittableRandomDrawsForTheSameSeed() {
        SplittableRandom seeds = new SplittableRandom(2026);
        for (int s = 0; s < 100; s++) {
            long seed = s < 3 ? new long[] {0, -1, Long.MIN_VALUE}[s] : seeds.nextLong();
            SplittableRandom reference = new SplittableRandom(seed);
            Jitter j = new Jitter(seed);
            for (int i = 0; i < 1_000; i++) {
                if (i % 7 == 3) {
                    assertThat(j.nextLong()).isEqualTo(reference.nextLong());
                } else {
                    assertThat(j.nextDouble()).as("seed %d draw %d", seed, i).isEqualTo(reference.nextDouble());
                }
            }
        }
    }
}
