package dev.heartbeat.udp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.heartbeat.engine.spi.DisconnectCause;
import dev.heartbeat.engine.spi.Link;
import dev.heartbeat.engine.spi.LinkHandler;
import dev.heartbeat.udp.internal.TokenBucket;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A link keeps its inbound flood guard's bucket only while datagrams come faster than the rate;
 * what it admits must be exactly what a bucket kept from the start (full) and charged one period
 * per datagram admits. Times are given, not measured.
 */
class InboundRateTest {

    @Test
    void admitsExactlyWhatABucketKeptFromTheStartAdmits() {
        for (int burst : new int[] {1, 3, 50}) {
            try (UdpClientTransport t = UdpClientTransport.builder().eventLoopThreads(1).maxInboundFrameRate(100)
                    .inboundFrameBurst(burst).build()) {
                UdpLink link = (UdpLink) t.open("127.0.0.1:9", new LinkHandler() { // port 9 (discard): nothing arrives
                    @Override
                    public void onConnected(Link l) {
                    }

                    @Override
                    public void onFrame(Link l, ByteBuffer frame) {
                    }

                    @Override
                    public void onDisconnected(Link l, DisconnectCause cause, String detail) {
                    }
                });
                SplittableRandom r = new SplittableRandom(burst);
                // The link's own time: its bucket is as one made full when the link was (now on
                // the ticker may be any long, negative too: only differences count).
                long now = link.scheduler().ticker().nanoTime();
                TokenBucket model = new TokenBucket(TokenBucket.periodOf(100), burst, now); // 10 ms a datagram
                int passed = 0;
                int dropped = 0;
                for (int i = 0; i < 20_000; i++) {
                    // Mostly faster than the rate (a flood drains even the 50-datagram burst), now and
                    // then two at once, and rarely a quiet spell that fills the bucket again.
                    int kind = r.nextInt(128);
                    now += kind == 0 ? r.nextLong(2_000_000_000L) : kind < 8 ? 0 : r.nextLong(7_000_000L);
                    boolean expected = model.tryTake(now);
                    assertThat(link.admit(now)).as("burst %d, datagram %d", burst, i).isEqualTo(expected);
                    if (expected) {
                        passed++;
                    } else {
                        dropped++;
                    }
                }
                assertThat(passed).isPositive();
                assertThat(dropped).isPositive();
                link.close();
            }
        }
    }
}
