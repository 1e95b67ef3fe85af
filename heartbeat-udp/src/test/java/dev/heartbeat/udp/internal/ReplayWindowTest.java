package dev.heartbeat.udp.internal;

import static dev.heartbeat.udp.internal.ReplayWindow.Verdict.ACCEPTED;
import static dev.heartbeat.udp.internal.ReplayWindow.Verdict.DUPLICATE;
import static dev.heartbeat.udp.internal.ReplayWindow.Verdict.FULL;
import static dev.heartbeat.udp.internal.ReplayWindow.Verdict.STALE_EPOCH;
import static dev.heartbeat.udp.internal.ReplayWindow.Verdict.TOO_OLD;
import static org.assertj.core.api.Assertions.assertThat;

import dev.heartbeat.protocol.Frame;
import dev.heartbeat.protocol.FrameCodec;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The replay window on scripted time: lanes, wrap-around, stale epochs, memory bounds; a thread's
 * cache of senders changes no verdict; the bitmap's shifts against a model.
 */
class ReplayWindowTest {

    private static final long MS = 1_000_000L;
    private static final InetSocketAddress FROM = InetSocketAddress.createUnresolved("127.0.0.1", 1);

    private final ReplayWindow w = new ReplayWindow(4, 100 * MS, 1000 * MS);

    private static ByteBuffer ping(String nodeId) {
        ByteBuffer b = ByteBuffer.allocate(FrameCodec.MAX_FRAME_LENGTH);
        FrameCodec.encode(new Frame().ping(1, 0, 0, nodeId, 100), b);
        b.flip();
        return b;
    }

    private ReplayWindow.Verdict offer(long epoch, int seq, String node, long nowMs) {
        return w.accept(epoch, seq, ping(node), 0, FROM, 50, nowMs * MS);
    }

    @Test
    void newSequencesPassDuplicatesAndOldOnesDoNot() {
        assertThat(offer(1, 1000, "m", 0)).isEqualTo(ACCEPTED);
        assertThat(offer(1, 1000, "m", 0)).isEqualTo(DUPLICATE);
        assertThat(offer(1, 1002, "m", 0)).isEqualTo(ACCEPTED);
        assertThat(offer(1, 1001, "m", 0)).isEqualTo(ACCEPTED);   // late but new: reordering is fine
        assertThat(offer(1, 1001, "m", 0)).isEqualTo(DUPLICATE);
        for (int s = 1003; s < 1003 + 400; s++) {
            assertThat(offer(1, s, "m", 0)).isEqualTo(ACCEPTED);
        }
        assertThat(offer(1, 1402 - ReplayWindow.WINDOW + 1, "m", 0)).isEqualTo(DUPLICATE); // oldest in the bitmap
        assertThat(offer(1, 1402 - ReplayWindow.WINDOW, "m", 0)).isEqualTo(TOO_OLD);
        assertThat(offer(1, 1000, "m", 0)).isEqualTo(TOO_OLD);
    }

    @Test
    void sequencesWrapAroundWithSerialArithmetic() {
        assertThat(offer(2, 0xFFFF_FFFE, "m", 0)).isEqualTo(ACCEPTED);
        assertThat(offer(2, 0xFFFF_FFFF, "m", 0)).isEqualTo(ACCEPTED);
        assertThat(offer(2, 0, "m", 0)).isEqualTo(ACCEPTED);
        assertThat(offer(2, 1, "m", 0)).isEqualTo(ACCEPTED);
        assertThat(offer(2, 0xFFFF_FFFF, "m", 0)).isEqualTo(DUPLICATE);
    }

    @Test
    void aJumpBeyondTheLaneStartsANewStreamAndTwoStreamsOfOneSenderCoexist() {
        assertThat(offer(3, 10, "m", 0)).isEqualTo(ACCEPTED);
        assertThat(offer(3, 1 << 28, "m", 0)).isEqualTo(ACCEPTED);       // a second peer of the same monitor
        for (int i = 1; i <= 300; i++) {
            assertThat(offer(3, 10 + i, "m", i)).isEqualTo(ACCEPTED);
            assertThat(offer(3, (1 << 28) + i, "m", i)).isEqualTo(ACCEPTED);
        }
        assertThat(offer(3, 20, "m", 400)).isEqualTo(TOO_OLD);
        assertThat(offer(3, (1 << 28) + 20, "m", 400)).isEqualTo(TOO_OLD);
        assertThat(offer(3, 310, "m", 400)).isEqualTo(DUPLICATE);
    }

    @Test
    void anEpochSilentAfterItsSuccessorAppearedIsStale() {
        assertThat(offer(10, 1, "monitor-a", 0)).isEqualTo(ACCEPTED);
        assertThat(offer(11, 1, "monitor-a", 50)).isEqualTo(ACCEPTED);   // restarted: a new epoch
        assertThat(offer(10, 2, "monitor-a", 90)).isEqualTo(ACCEPTED);   // still within staleAfter: not judged yet
        assertThat(offer(10, 3, "monitor-a", 300)).isEqualTo(ACCEPTED);  // its successor appeared before its last PING
        assertThat(offer(11, 2, "monitor-a", 310)).isEqualTo(ACCEPTED);
        assertThat(offer(12, 1, "monitor-a", 320)).isEqualTo(ACCEPTED);  // another restart, after 10's last PING
        assertThat(offer(10, 4, "monitor-a", 450)).isEqualTo(STALE_EPOCH);
        assertThat(offer(10, 5, "monitor-a", 460)).isEqualTo(STALE_EPOCH); // remembered as a tombstone
        assertThat(offer(12, 2, "monitor-a", 460)).isEqualTo(ACCEPTED);
    }

    @Test
    void twoLiveMonitorsSharingANodeIdKeepTheirEpochs() {
        for (int t = 0; t < 1000; t += 50) {
            assertThat(offer(20, t, "shared", t)).isEqualTo(ACCEPTED);
            assertThat(offer(21, t, "shared", t + 1)).isEqualTo(ACCEPTED);
        }
    }

    @Test
    void theSweepRetiresStaleEpochsAndForgetsIdleSendersAndTheTableIsBounded() {
        assertThat(offer(30, 1, "a", 0)).isEqualTo(ACCEPTED);
        assertThat(offer(31, 1, "a", 10)).isEqualTo(ACCEPTED);
        assertThat(offer(32, 1, "b", 10)).isEqualTo(ACCEPTED);
        assertThat(offer(33, 1, "c", 10)).isEqualTo(ACCEPTED);
        assertThat(offer(34, 1, "d", 10)).isEqualTo(FULL);               // 4 live senders
        w.sweep(200 * MS);                                               // 30 is stale: retired
        assertThat(w.size()).isEqualTo(3);
        assertThat(offer(34, 1, "d", 200)).isEqualTo(ACCEPTED);
        assertThat(offer(30, 9, "a", 200)).isEqualTo(STALE_EPOCH);
        w.sweep(1300 * MS);                                              // everyone silent for 1 s: forgotten
        assertThat(w.size()).isZero();
    }

    @Test
    void aCacheOfSendersChangesNoVerdict() {
        // Same script into a window used without a cache and one used with one: retirements,
        // displaced epochs (10 epochs of one node id, 8 kept), forgotten senders, a full table.
        ReplayWindow plain = new ReplayWindow(6, 100 * MS, 1000 * MS);
        ReplayWindow cached = new ReplayWindow(6, 100 * MS, 1000 * MS);
        ReplayWindow.Cache cache = new ReplayWindow.Cache();
        Random r = new Random(14);
        int[] next = new int[14];
        long now = 0;
        List<ReplayWindow.Verdict> seen = new ArrayList<>();
        for (int step = 0; step < 20_000; step++) {
            int e = r.nextInt(next.length);
            String node = e < 10 ? "one-node" : "node-" + e;
            int seq = r.nextInt(10) == 0 ? next[e] - r.nextInt(300) : ++next[e]; // some replays, some too old
            now += r.nextInt(100) == 0 ? r.nextInt(1500) * MS : r.nextInt(20) * MS;
            ByteBuffer ping = ping(node);
            ReplayWindow.Verdict expected = plain.accept(e + 1, seq, ping, 0, FROM, 50, now);
            ReplayWindow.Verdict actual = cached.accept(cache, e + 1, seq, ping, 0, FROM, 50, now);
            assertThat(actual).as("step %d, epoch %d, seq %d", step, e + 1, seq).isEqualTo(expected);
            seen.add(actual);
            if (r.nextInt(500) == 0) {
                plain.sweep(now);
                cached.sweep(now);
            }
        }
        assertThat(seen).contains(ACCEPTED, DUPLICATE, TOO_OLD, STALE_EPOCH, FULL);
    }

    @Test
    void theBitmapShiftsLikeAModelForEveryStep() {
        // Steps of 1..70 cross the 64-bit words both ways (the d < 64 path and the general one).
        Random r = new Random(64);
        Set<Integer> accepted = new HashSet<>();
        int high = 5_000;
        assertThat(offer(40, high, "m", 0)).isEqualTo(ACCEPTED);
        accepted.add(high);
        for (int i = 0; i < 5_000; i++) {
            if (r.nextBoolean()) {
                high += 1 + r.nextInt(70);
                assertThat(offer(40, high, "m", 0)).isEqualTo(ACCEPTED);
                accepted.add(high);
            } else {
                int seq = high - r.nextInt(ReplayWindow.WINDOW + 40);
                if (seq < 5_000) {
                    continue; // below the lane's first sequence: another stream's, not this model's
                }
                ReplayWindow.Verdict expected = high - seq >= ReplayWindow.WINDOW ? TOO_OLD
                        : accepted.contains(seq) ? DUPLICATE : ACCEPTED;
                assertThat(offer(40, seq, "m", 0)).as("seq %d below %d", high - seq, high).isEqualTo(expected);
                if (expected == ACCEPTED) {
                    accepted.add(seq);
                }
            }
        }
    }
}
