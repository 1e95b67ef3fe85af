package dev.heartbeat.peer;

import static dev.heartbeat.peer.Events.added;
import static dev.heartbeat.peer.Events.removed;
import static dev.heartbeat.peer.Events.restarted;
import static dev.heartbeat.peer.Events.transition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.heartbeat.peer.Events.ManualExecutor;
import dev.heartbeat.peer.Events.Recorder;
import dev.heartbeat.peer.PeerEvent.Kind;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The coalescing rules, on a lane whose deliveries the test runs by hand. */
class CoalescingTest {

    private final ManualExecutor executor = new ManualExecutor();
    private final Recorder got = new Recorder();

    private PeerRegistry registry(int laneCapacity) {
        PeerRegistry r = PeerRegistry.builder().dispatcher(executor).laneCapacity(laneCapacity).build();
        r.addListener(got);
        return r;
    }

    @Test
    void theMergedKindFollowsTheTable() {
        Kind[] order = {Kind.ADDED, Kind.TRANSITION, Kind.RESTARTED, Kind.REMOVED};
        Kind[][] expected = {
            // next: ADDED, TRANSITION, RESTARTED, REMOVED
            {Kind.ADDED, Kind.ADDED, Kind.ADDED, Kind.REMOVED},                       // pending ADDED
            {Kind.TRANSITION, Kind.TRANSITION, Kind.RESTARTED, Kind.REMOVED},         // pending TRANSITION
            {Kind.RESTARTED, Kind.RESTARTED, Kind.RESTARTED, Kind.REMOVED},           // pending RESTARTED
        };
        for (int p = 0; p < expected.length; p++) {
            for (int n = 0; n < order.length; n++) {
                assertThat(Coalescing.mergedKind(order[p], order[n])).as(order[p] + " then " + order[n])
                        .isEqualTo(expected[p][n]);
            }
        }
        assertThatThrownBy(() -> Coalescing.mergedKind(Kind.REMOVED, Kind.ADDED))
                .hasMessage("pending : REMOVED (expected: a kind that can absorb later events)");
    }

    /** A lagging breaker or pool must still see a peer go down, however many flaps are merged. */
    @Test
    void aStepDownIsNeverHiddenByTheRecoveryThatFollows() {
        PeerRegistry r = registry(1);
        r.publish(added("a"));
        r.publish(transition("a", Liveness.UNKNOWN, Liveness.ALIVE, "up"));
        for (int i = 0; i < 100; i++) {
            r.publish(transition("a", Liveness.ALIVE, Liveness.DEAD, "down " + i));
            r.publish(transition("a", Liveness.DEAD, Liveness.ALIVE, "up " + i));
            assertThat(r.pendingEvents()).isLessThanOrEqualTo(1 + 3);
        }
        executor.runAll();
        List<PeerEvent> events = got.events();
        assertThat(events).anyMatch(e -> e.toLiveness() == Liveness.DEAD);
        assertThat(events.get(events.size() - 1).toLiveness()).isEqualTo(Liveness.ALIVE);
        assertThat(events.stream().mapToInt(PeerEvent::count).sum()).isEqualTo(2 + 200);
        // the same for usability: UNUSABLE is a step down too
        PeerRegistry u = registry(1);
        got.clear();
        u.publish(added("b"));
        u.publish(new PeerEvent(Kind.TRANSITION, "b", Liveness.ALIVE, Liveness.ALIVE, Usability.USABLE,
                Usability.UNUSABLE, "draining", java.time.Instant.EPOCH, null));
        u.publish(new PeerEvent(Kind.TRANSITION, "b", Liveness.ALIVE, Liveness.ALIVE, Usability.UNUSABLE,
                Usability.USABLE, "serving", java.time.Instant.EPOCH, null));
        executor.runAll();
        assertThat(got.events()).anyMatch(e -> e.toUsability() == Usability.UNUSABLE);
    }

    @Test
    void belowTheCapacityEveryEventIsDeliveredAsItIs() {
        PeerRegistry r = registry(8);
        r.publish(added("a"));
        r.publish(transition("a", Liveness.UNKNOWN, Liveness.ALIVE, "t1"));
        r.publish(transition("a", Liveness.ALIVE, Liveness.SUSPECT, "t2"));
        executor.runAll();
        assertThat(got.events()).extracting(PeerEvent::kind, PeerEvent::sequence, PeerEvent::count)
                .containsExactly(tuple(Kind.ADDED, 1L, 1), tuple(Kind.TRANSITION, 2L, 1), tuple(Kind.TRANSITION, 3L, 1));
        assertThat(r.coalescedEvents()).isZero();
    }

    @Test
    void overTheCapacityTransitionsMergeFirstFromLastTo() {
        PeerRegistry r = registry(2);
        r.publish(added("a"));
        r.publish(transition("a", Liveness.UNKNOWN, Liveness.ALIVE, "t1"));
        r.publish(transition("a", Liveness.ALIVE, Liveness.SUSPECT, "t2"));
        r.publish(transition("a", Liveness.SUSPECT, Liveness.DEAD, "t3"));
        assertThat(r.pendingEvents()).isEqualTo(2);
        executor.runAll();
        List<PeerEvent> events = got.events();
        assertThat(events).hasSize(2);
        PeerEvent merged = events.get(1);
        assertThat(merged.kind()).isEqualTo(Kind.TRANSITION);
        assertThat(merged.fromLiveness()).isEqualTo(Liveness.UNKNOWN);
        assertThat(merged.toLiveness()).isEqualTo(Liveness.DEAD);
        assertThat(merged.reason()).isEqualTo("t3");
        assertThat(merged.state().reason()).isEqualTo("t3");
        assertThat(merged.sequence()).isEqualTo(4);
        assertThat(merged.count()).isEqualTo(3);
        assertThat(merged.coalesced()).isTrue();
        assertThat(merged.toString()).isEqualTo("TRANSITION a UNKNOWN->DEAD: t3 (3 events coalesced)");
        assertThat(r.coalescedEvents()).isEqualTo(2);
    }

    @Test
    void addedThenTransitionsThenRemovedBecomesRemovedNeverALoneTransition() {
        PeerRegistry r = registry(1);
        r.publish(added("filler"));
        r.publish(added("a"));
        r.publish(transition("a", Liveness.UNKNOWN, Liveness.ALIVE, "up"));
        assertThat(r.pendingEvents()).isEqualTo(2);
        r.publish(removed("a", Liveness.ALIVE));
        executor.runAll();
        PeerEvent last = got.byPeer().get("a").get(0);
        assertThat(got.byPeer().get("a")).hasSize(1);
        assertThat(last.kind()).isEqualTo(Kind.REMOVED);
        assertThat(last.count()).isEqualTo(3);
        assertThat(last.fromLiveness()).isEqualTo(Liveness.UNKNOWN);
        assertThat(last.sequence()).as("filler took 1, then a: 2, 3, 4").isEqualTo(4);
    }

    @Test
    void addedAbsorbsLaterTransitionsAndStaysAdded() {
        PeerRegistry r = registry(1);
        r.publish(added("filler"));
        r.publish(added("a"));
        r.publish(transition("a", Liveness.UNKNOWN, Liveness.ALIVE, "up"));
        r.publish(restarted("a", Liveness.ALIVE, Usability.USABLE, "epoch changed"));
        executor.runAll();
        PeerEvent only = got.byPeer().get("a").get(0);
        assertThat(got.byPeer().get("a")).hasSize(1);
        assertThat(only.kind()).isEqualTo(Kind.ADDED);
        assertThat(only.fromLiveness()).isEqualTo(Liveness.UNKNOWN);
        assertThat(only.toLiveness()).isEqualTo(Liveness.ALIVE);
        assertThat(only.reason()).isEqualTo("epoch changed");
        assertThat(only.count()).isEqualTo(3);
    }

    @Test
    void aRestartMergedWithLaterTransitionsStaysVisibleAndCarriesTheResultingState() {
        PeerRegistry r = registry(2);
        r.publish(added("a"));
        r.publish(transition("a", Liveness.UNKNOWN, Liveness.ALIVE, "up"));
        r.publish(restarted("a", Liveness.ALIVE, Usability.USABLE, "epoch changed"));
        r.publish(transition("a", Liveness.ALIVE, Liveness.SUSPECT, "late"));
        executor.runAll();
        List<PeerEvent> events = got.byPeer().get("a");
        assertThat(events).extracting(PeerEvent::kind).containsExactly(Kind.ADDED, Kind.RESTARTED);
        PeerEvent restart = events.get(1);
        assertThat(restart.fromLiveness()).isEqualTo(Liveness.UNKNOWN);
        assertThat(restart.toLiveness()).isEqualTo(Liveness.SUSPECT);
        assertThat(restart.state().liveness()).isEqualTo(Liveness.SUSPECT);
        assertThat(restart.count()).isEqualTo(3);
        assertThat(restart.sequence()).isEqualTo(4);
    }

    @Test
    void aRemovedIsNeverMergedIntoAndAComebackAfterItIsQueuedAfterIt() {
        PeerRegistry r = registry(2);
        r.publish(added("a"));
        r.publish(removed("a", Liveness.UNKNOWN));
        r.publish(added("a"));
        r.publish(transition("a", Liveness.UNKNOWN, Liveness.ALIVE, "up again"));
        executor.runAll();
        List<PeerEvent> events = got.byPeer().get("a");
        assertThat(events).extracting(PeerEvent::kind).containsExactly(Kind.ADDED, Kind.REMOVED, Kind.ADDED);
        assertThat(events.get(2).toLiveness()).isEqualTo(Liveness.ALIVE);
        assertThat(events.get(2).count()).isEqualTo(2);
        assertThat(events).extracting(PeerEvent::sequence).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void removedBackAndRemovedAgainCollapseIntoOneRemoved() {
        PeerRegistry r = registry(1);
        r.publish(added("filler"));
        for (int i = 0; i < 100; i++) {
            r.publish(added("a"));
            r.publish(transition("a", Liveness.UNKNOWN, Liveness.ALIVE, "up " + i));
            r.publish(removed("a", Liveness.ALIVE));
            assertThat(r.pendingEvents()).as("pending after cycle %d", i).isLessThanOrEqualTo(1 + 2 * 2);
        }
        executor.runAll();
        List<PeerEvent> events = got.byPeer().get("a");
        assertThat(events).extracting(PeerEvent::kind).containsExactly(Kind.REMOVED);
        assertThat(events.get(0).count()).isEqualTo(300);
        assertThat(got.published()).isEqualTo(301);
    }

    @Test
    void aLaggingLaneStaysBoundedAndEndsWithEveryPeersLatestState() {
        int capacity = 8;
        int peers = 50;
        PeerRegistry r = registry(capacity);
        Random random = new Random(42);
        Map<String, PeerEvent> lastPublished = new HashMap<>();
        Liveness[] states = Liveness.values();
        long published = 0;
        for (int p = 0; p < peers; p++) {
            r.publish(added("p" + p));
            published++;
        }
        for (int i = 0; i < 10_000; i++) {
            String peer = "p" + random.nextInt(peers);
            PeerEvent e = random.nextInt(50) == 0
                    ? restarted(peer, Liveness.ALIVE, Usability.USABLE, "restart " + i)
                    : transition(peer, Liveness.ALIVE, states[random.nextInt(states.length)], "t" + i);
            r.publish(e);
            lastPublished.put(peer, e);
            published++;
            assertThat(r.pendingEvents()).isLessThanOrEqualTo(capacity + 2 * peers);
        }
        executor.runAll();
        Map<String, List<PeerEvent>> byPeer = got.byPeer();
        assertThat(byPeer).hasSize(peers);
        for (Map.Entry<String, PeerEvent> last : lastPublished.entrySet()) {
            List<PeerEvent> seen = byPeer.get(last.getKey());
            PeerEvent final_ = seen.get(seen.size() - 1);
            assertThat(final_.reason()).isEqualTo(last.getValue().reason());
            assertThat(final_.toLiveness()).isEqualTo(last.getValue().toLiveness());
            assertThat(final_.state()).isEqualTo(last.getValue().state());
            assertThat(seen).extracting(PeerEvent::sequence).isSorted().doesNotHaveDuplicates();
            for (int i = 1; i < seen.size(); i++) {
                assertThat(seen.get(i).sequence()).isEqualTo(seen.get(i - 1).sequence() + seen.get(i).count());
            }
        }
        assertThat(got.published()).isEqualTo(published);
        assertThat(r.coalescedEvents()).isEqualTo(published - got.size());
        assertThat(r.droppedEvents()).isZero();
    }

    private static org.assertj.core.groups.Tuple tuple(Object... values) {
        return org.assertj.core.groups.Tuple.tuple(values);
    }
}
