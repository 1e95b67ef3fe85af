package dev.heartbeat.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.PeerEvent;
import dev.heartbeat.peer.PeerState;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** What a monitored peer keeps of its published events and snapshots, and what it hands out. */
class PeerSnapshotsTest {

    @Test
    void theFirstVerdictCompletesWithItsSnapshotAndLaterCallersGetTheStateThen() {
        try (Scripted s = new Scripted()) {
            CompletableFuture<PeerState> early = s.peer.firstVerdict().toCompletableFuture();
            assertThat(early).isNotDone();
            s.answer(s.lastPing(), 7);
            PeerEvent verdict = s.last();
            assertThat(verdict.toLiveness()).isEqualTo(Liveness.ALIVE);
            assertThat(early).isCompletedWithValue(verdict.state());

            s.runUntil(Liveness.DEAD, Duration.ofSeconds(30));   // no more answers
            CompletableFuture<PeerState> late = s.peer.firstVerdict().toCompletableFuture();
            assertThat(late).isCompletedWithValueMatching(st -> st.liveness() == Liveness.DEAD);
            assertThat(early.join().liveness()).isEqualTo(Liveness.ALIVE);

            assertThat(s.monitor.removePeer("b")).isTrue();      // removed after its verdict: still a value
            assertThat(s.peer.firstVerdict().toCompletableFuture()).isCompletedWithValueMatching(
                    st -> st.name().equals("b"));
            assertThat(early).isCompletedWithValue(verdict.state());
        }
    }
}
