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
import org.junit.jupiter.api.Test;

/** The replay window on scripted time: lanes, wrap-around, stale epochs, memory bounds. */
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
}
