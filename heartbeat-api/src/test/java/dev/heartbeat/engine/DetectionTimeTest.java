package dev.heartbeat.engine;

import dev.heartbeat.testing.InMemoryNetwork;

import static org.assertj.core.api.Assertions.assertThat;

import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.Peer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Detection time of a frozen peer at the defaults, with the fault at a random point of the ping
 * cycle (a fixed phase would show only the best or the worst case). Virtual time: the numbers are
 * properties of the algorithm, identical on every machine.
 */
class DetectionTimeTest {

    @Test
    void frozenPeerDetectionTimeAtDefaultsIsWithinAFewIntervals() {
        Random phase = new Random(2026);
        int runs = 200;
        long[] ms = new long[runs];
        for (int i = 0; i < runs; i++) {
            try (Harness h = new Harness(MonitorConfig.ofDefaults(), i)) {
                InMemoryNetwork.Endpoint e = h.responder("b");
                Peer b = h.monitor.addPeer("b");
                h.run(Duration.ofSeconds(5).plusMillis(phase.nextInt(200)));
                e.freeze();
                ms[i] = h.runUntil(b, Liveness.DEAD, Duration.ofSeconds(5)).toMillis();
            }
        }
        Arrays.sort(ms);
        long p50 = ms[runs / 2];
        long p99 = ms[runs * 99 / 100];
        System.out.printf("frozen peer, defaults (interval 200 ms): min %d ms, p50 %d ms, p99 %d ms, max %d ms%n",
                ms[0], p50, p99, ms[runs - 1]);
        assertThat(ms[runs - 1]).isLessThan(MonitorConfig.DEFAULT_INTERVAL.toMillis() * 6);
    }
}
