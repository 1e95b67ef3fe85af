package dev.heartbeat.udp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LoopCountersTest {

    @Test
    void countsPerSlot() {
        LoopCounters c = new LoopCounters(3);
        c.add(0, 1);
        c.add(2, 500);
        c.add(2, 8);
        assertThat(c.get(0)).isEqualTo(1);
        assertThat(c.get(1)).isZero();
        assertThat(c.get(2)).isEqualTo(508);
        assertThat(c.size()).isEqualTo(3);
    }

    @Test
    void aSizeBelowOneIsRefusedByName() {
        assertThatThrownBy(() -> new LoopCounters(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("size : 0 (expected: >= 1)");
    }
}
