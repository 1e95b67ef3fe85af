package dev.heartbeat.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.Peer;
import dev.heartbeat.peer.PeerEvent;
import dev.heartbeat.peer.PeerRegistry;
import dev.heartbeat.peer.Usability;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Fallback mode against a plain server that does not speak the protocol. */
class KeepaliveFallbackTest {

    private final List<PeerEvent> events = Tcp.events();
    private final PeerRegistry registry = PeerRegistry.create(Runnable::run);
    private final KeepaliveFallback fallback = KeepaliveFallback.builder(registry).detectWithin(Duration.ofSeconds(5)).build();

    {
        registry.addListener(events::add);
    }

    @AfterEach
    void tearDown() {
        fallback.close();
        registry.close();
    }

    @Test
    void livenessFollowsTheConnectionAndUsabilityStaysUnknown() throws Exception {
        try (ServerSocket ss = new ServerSocket(0)) {
            Peer db = fallback.watch("db", "127.0.0.1:" + ss.getLocalPort());
            try (Socket s = ss.accept()) {
                // a database greets in its own protocol: the fallback must not call that an error
                s.getOutputStream().write("5.7.44-log\0mysql_native_password\0".getBytes(StandardCharsets.US_ASCII));
                await().atMost(Duration.ofSeconds(5)).until(() -> db.liveness() == Liveness.ALIVE);
                assertThat(db.usability()).isEqualTo(Usability.UNKNOWN);
                assertThat(db.available()).isFalse();
                assertThat(db.state().reason()).contains("keepalive only");
                assertThat(registry.peer("db")).containsSame(db);
            }
            // (the link reconnects at once into the listen backlog, so look at the events, not the state)
            await().atMost(Duration.ofSeconds(5)).until(() -> events.stream().anyMatch(e -> e.toLiveness() == Liveness.DEAD));
            assertThat(events.stream().filter(e -> e.toLiveness() == Liveness.DEAD).findFirst().get().reason())
                    .contains("closed by peer");
            try (Socket again = ss.accept()) {
                await().atMost(Duration.ofSeconds(5)).until(() -> db.liveness() == Liveness.ALIVE);
            }
        }
        assertThat(events).extracting(PeerEvent::kind).startsWith(PeerEvent.Kind.ADDED);
        assertThat(events).filteredOn(e -> e.kind() == PeerEvent.Kind.TRANSITION).extracting(PeerEvent::toLiveness)
                .startsWith(Liveness.ALIVE, Liveness.DEAD, Liveness.ALIVE);
        assertThat(events).allMatch(e -> e.toUsability() == Usability.UNKNOWN);
        assertThat(events.get(0).reason()).contains("idle=2s", "intvl=1s", "cnt=3");
    }

    @Test
    void refusedPeerIsDeadAndUnwatchRemovesIt() throws Exception {
        int port;
        try (ServerSocket ss = new ServerSocket(0)) {
            port = ss.getLocalPort();
        }
        Peer p = fallback.watch("gone", "127.0.0.1:" + port);
        await().atMost(Duration.ofSeconds(5)).until(() -> p.liveness() == Liveness.DEAD);
        assertThat(p.state().reason()).containsIgnoringCase("refused");
        assertThat(fallback.unwatch("gone")).isTrue();
        assertThat(fallback.unwatch("gone")).isFalse();
        assertThat(registry.peer("gone")).isEmpty();
        assertThat(events.get(events.size() - 1).kind()).isEqualTo(PeerEvent.Kind.REMOVED);
    }

    @Test
    void badAddressRegistersNothing() {
        assertThatThrownBy(() -> fallback.watch("x", "nohost")).hasMessageContaining("has no port");
        assertThat(registry.size()).isZero();
        assertThat(events).isEmpty();
    }
}
