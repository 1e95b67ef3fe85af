package dev.heartbeat.peer;

import static dev.heartbeat.peer.Events.added;
import static org.assertj.core.api.Assertions.assertThat;

import dev.heartbeat.peer.Events.ManualExecutor;
import dev.heartbeat.peer.Events.Recorder;
import org.junit.jupiter.api.Test;

class ListenerLaneTest {

    @Test
    void aLaneEmptiedAfterABurstKeepsNoPerPeerTableSizedForIt() {
        ManualExecutor executor = new ManualExecutor();
        Recorder got = new Recorder();
        ListenerLane lane = new ListenerLane(got, 1 << 20, executor, Integer.MAX_VALUE, new PeerRegistry.Counters());
        for (int i = 0; i < 5_000; i++) {             // a replay of every peer to a new listener, say
            if (lane.offer(added("p" + i))) {
                lane.schedule();
            }
        }
        assertThat(lane.pendingPeersPeak()).isEqualTo(5_000);
        executor.runAll();
        assertThat(got.size()).isEqualTo(5_000);
        assertThat(lane.pending()).isZero();
        assertThat(lane.pendingPeersPeak()).as("the burst's index was dropped").isZero();

        for (int i = 0; i < ListenerLane.INDEX_KEPT; i++) { // a small burst: its index is kept
            if (lane.offer(added("q" + i))) {
                lane.schedule();
            }
        }
        executor.runAll();
        assertThat(got.size()).isEqualTo(5_000 + ListenerLane.INDEX_KEPT);
        assertThat(lane.pendingPeersPeak()).isEqualTo(ListenerLane.INDEX_KEPT);
        assertThat(lane.offer(added("r"))).isTrue();  // and the lane goes on as before
        lane.schedule();
        executor.runAll();
        assertThat(got.events().get(got.size() - 1).peer()).isEqualTo("r");
    }
}
