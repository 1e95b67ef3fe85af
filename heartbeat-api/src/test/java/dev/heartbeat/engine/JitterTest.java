package dev.heartbeat.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The jitter draws, from a peer's one long of state, are the very numbers the SplittableRandom they replace drew. */
class JitterTest {

    @Test
    void drawsWhatSplittableRandomDrawsForTheSameSeed() {
        SplittableRandom seeds = new SplittableRandom(2026);
        for (int s = 0; s < 100; s++) {
            long seed = s < 3 ? new long[] {0, -1, Long.MIN_VALUE}[s] : seeds.nextLong();
            SplittableRandom reference = new SplittableRandom(seed);
            long state = seed;
            for (int i = 0; i < 1_000; i++) {
                state = Jitter.next(state);
                if (i % 7 == 3) {
                    assertThat(Jitter.value(state)).isEqualTo(reference.nextLong());
                } else {
                    assertThat(Jitter.unit(state)).as("seed %d draw %d", seed, i).isEqualTo(reference.nextDouble());
                }
            }
        }
    }
}
