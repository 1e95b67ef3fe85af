package dev.heartbeat.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The responder's defaults fit the scale the project claims: a cluster of ten thousand nodes that
 * all monitor each other opens ten thousand connections to every responder, and reconnects them
 * all at once after the responder restarts (docs/benchmarks.md, "Monitor scale").
 */
class ResponderDefaultsTest {

    @Test
    void tenThousandMonitorsFitWithRoomToSpare() {
        // At the limit the idlest connection is evicted for each newcomer: 10,001 monitors under a
        // 10,000 limit would evict one another for ever.
        assertThat(TcpResponderServer.DEFAULT_MAX_CONNECTIONS).isGreaterThanOrEqualTo(3 * 10_000);
    }

    @Test
    void theBacklogHoldsAReconnectStormAsFarAsTheKernelAllows() {
        // Linux's default net.core.somaxconn since 5.4; a larger backlog would be capped to it.
        assertThat(TcpResponderServer.DEFAULT_BACKLOG).isEqualTo(4096);
    }
}
