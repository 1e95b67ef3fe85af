package dev.heartbeat.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.heartbeat.peer.Liveness;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DeadlineDetectorTest {

    private static final long MS = 1_000_000L;

    @Test
    void suspectThenDeadAtTheConfiguredSilences() {
        LivenessDetector d = DeadlineDetector.Config.of(Duration.ofMillis(300), Duration.ofMillis(600)).create(100 * MS);
        assertThat(d.assess(0)).isEqualTo(Liveness.UNKNOWN);
        d.heartbeat(1000 * MS, true);
        assertThat(d.assess(1299 * MS)).isEqualTo(Liveness.ALIVE);
        assertThat(d.assess(1300 * MS)).isEqualTo(Liveness.SUSPECT);
        assertThat(d.assess(1600 * MS)).isEqualTo(Liveness.DEAD);
        assertThat(d.explain(1600 * MS)).isEqualTo("silent 600 ms >= 600 ms");
        assertThat(d.suspicion(1300 * MS)).isEqualTo(0.5);
        d.forgive(500 * MS, 1600 * MS);
        assertThat(d.assess(1600 * MS)).isEqualTo(Liveness.ALIVE);
    }

    @Test
    void configIsValidated() {
        assertThatThrownBy(() -> DeadlineDetector.Config.of(Duration.ZERO, Duration.ofSeconds(1)))
                .hasMessage("suspectAfter : PT0S (expected: > 0)");
        assertThatThrownBy(() -> DeadlineDetector.Config.of(Duration.ofSeconds(1), Duration.ofSeconds(1)))
                .hasMessage("deadAfter : PT1S (expected: > suspectAfter PT1S)");
    }
}
