package dev.heartbeat.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.PeerEvent;
import dev.heartbeat.peer.PeerState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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

    @Test
    void theSnapshotsSinceIsTheLastEventsTimestamp() {
        try (Scripted s = new Scripted()) {
            assertThat(s.peer.state().since()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
            s.answer(s.lastPing(), 7);
            assertThat(s.peer.state().since()).isEqualTo(s.last().timestamp()).isEqualTo(s.last().state().since());
        }
    }

    @Test
    void aSinceThatDoesNotFitInNanosecondsIsKeptAsItsInstant() {
        Instant far = Instant.parse("2300-01-01T00:00:00Z");
        try (Scripted s = new Scripted(MonitorConfig.ofDefaults(), null,
                java.time.Clock.fixed(far, java.time.ZoneOffset.UTC))) {
            assertThat(s.peer.state().since()).isEqualTo(far);
            s.answer(s.lastPing(), 7);
            assertThat(s.last().toLiveness()).isEqualTo(Liveness.ALIVE);
            assertThat(s.peer.state().since()).isEqualTo(far).isEqualTo(s.last().timestamp());
        }
    }

    @Test
    void anRttThatDoesNotFitInAnIntIsKeptExactly() {
        try (Scripted s = new Scripted()) {
            long slow = Duration.ofMillis(2_500).toNanos();           // above 2^31 ns: kept beside the peer
            s.answerAfter(s.lastPing(), Duration.ofNanos(slow), 7);
            assertThat(s.peer.rttNanos()).isEqualTo(slow);
            assertThat(s.peer.state().rttNanos()).isEqualTo(slow);
            assertThat(s.last().state().rttNanos()).isEqualTo(slow);

            s.answerAfter(s.nextPing(), Duration.ofNanos(Integer.MAX_VALUE), 7); // the largest kept in the field
            assertThat(s.peer.rttNanos()).isEqualTo(Integer.MAX_VALUE);
            s.answerAfter(s.nextPing(), Duration.ofMillis(2), 7);     // back to a usual one
            assertThat(s.peer.rttNanos()).isEqualTo(2_000_000);
            assertThat(s.peer.state().rttNanos()).isEqualTo(2_000_000);
        }
    }

    @Test
    void aLateListenerIsReplayedTheLastEventWithTheMeasurementsOfNow() {
        try (Scripted s = new Scripted()) {
            s.answerAfter(s.lastPing(), Duration.ofMillis(1), 7);
            for (int i = 0; i < 10; i++) {                    // more answers, slower: new RTTs, maybe events
                s.answerAfter(s.nextPing(), Duration.ofMillis(2), 7);
            }
            PeerEvent last = s.last();
            assertThat(last.state().rttNanos()).as("the RTT when the last event was published").isEqualTo(1_000_000);
            assertThat(s.peer.rttNanos()).isEqualTo(2_000_000);
            List<PeerEvent> late = new ArrayList<>();
            s.monitor.registry().addListener(late::add);   // synchronous registry: replayed right here
            assertThat(late).singleElement().satisfies(replay -> {
                assertThat(replay.replayed()).isTrue();
                assertThat(replay.kind()).isEqualTo(PeerEvent.Kind.ADDED);
                assertThat(replay.sequence()).isEqualTo(last.sequence());
                assertThat(replay.reason()).isSameAs(last.reason());
                assertThat(replay.timestamp()).isEqualTo(last.timestamp());
                assertThat(replay.toLiveness()).isEqualTo(last.toLiveness()).isEqualTo(Liveness.ALIVE);
                assertThat(replay.toUsability()).isEqualTo(last.toUsability());
                PeerState st = replay.state();
                assertThat(st.liveness()).isEqualTo(last.toLiveness());
                assertThat(st.usability()).isEqualTo(last.toUsability());
                assertThat(st.reason()).isSameAs(last.reason());
                assertThat(st.since()).isEqualTo(last.timestamp());
                assertThat(st.rttNanos()).isEqualTo(2_000_000);    // now, not when the event was published
                assertThat(st.rttBaselineNanos()).isEqualTo(s.peer.rttBaselineNanos());
                assertThat(st.epoch()).isEqualTo(7);
                assertThat(st.load()).isSameAs(s.peer.load());
                assertThat(st.address()).isEqualTo("b:1");
            });
        }
    }

    @Test
    void sinceIsKeptExactlyAsNanosecondsOrAsTheInstantWhenThatDoesNotFit() {
        for (Instant at : new Instant[] {Instant.EPOCH, Instant.parse("2026-11-30T12:00:00.123456789Z"),
                Instant.parse("1969-12-31T23:59:59.999999999Z"), Instant.parse("1677-09-21T00:12:44Z"),
                Instant.parse("2262-04-11T23:47:16.854775807Z")}) {
            long n = PeerMonitor.epochNanos(at);
            assertThat(n).as("%s", at).isNotEqualTo(PeerMonitor.FAR);
            assertThat(PeerMonitor.instantOf(n)).isEqualTo(at);
        }
        for (Instant far : new Instant[] {Instant.MIN, Instant.MAX, Instant.parse("2262-04-11T23:47:16.854775808Z"),
                Instant.parse("1677-09-21T00:12:43.145224192Z") /* Long.MIN_VALUE ns: the mark itself */}) {
            assertThat(PeerMonitor.epochNanos(far)).as("%s", far).isEqualTo(PeerMonitor.FAR);
        }
    }
}
