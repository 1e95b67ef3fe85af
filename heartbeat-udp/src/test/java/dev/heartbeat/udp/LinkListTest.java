package dev.heartbeat.udp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.heartbeat.engine.spi.DisconnectCause;
import dev.heartbeat.engine.spi.Link;
import dev.heartbeat.engine.spi.LinkHandler;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The transport's open links are a list threaded through the links: it counts them whichever
 * order they are closed in, each once however often, and closing the transport closes them all.
 */
class LinkListTest {

    @Test
    void theTransportKeepsTrackOfItsOpenLinks() {
        AtomicInteger closedLocally = new AtomicInteger();
        LinkHandler handler = new LinkHandler() {
            @Override
            public void onConnected(Link l) {
            }

            @Override
            public void onFrame(Link l, ByteBuffer frame) {
            }

            @Override
            public void onDisconnected(Link l, DisconnectCause cause, String detail) {
                if (cause == DisconnectCause.CLOSED_LOCALLY) {
                    closedLocally.incrementAndGet();
                }
            }
        };
        UdpClientTransport t = UdpClientTransport.builder().eventLoopThreads(1).build();
        try {
            List<Link> links = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                links.add(t.open("127.0.0.1:" + (20_000 + i), handler)); // nothing answers: nothing arrives
            }
            assertThat(t.linkCount()).isEqualTo(5);
            for (int i : new int[] {2, 4, 0, 0, 2}) { // the middle, the first opened, the last opened, and twice
                links.get(i).close();
            }
            assertThat(t.linkCount()).isEqualTo(2);
            links.get(1).close();
            assertThat(t.linkCount()).isEqualTo(1);
            t.open("127.0.0.1:20009", handler);
            assertThat(t.linkCount()).isEqualTo(2);
        } finally {
            t.close();
        }
        assertThat(t.linkCount()).as("closing the transport closes its links").isZero();
        assertThat(closedLocally.get()).as("each link reported CLOSED_LOCALLY once").isEqualTo(6);
    }
}
