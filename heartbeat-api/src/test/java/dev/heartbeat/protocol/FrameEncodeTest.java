package dev.heartbeat.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Encoder preconditions: clear errors that name the parameter, its value and the rule; no partial writes. */
class FrameEncodeTest {

    static ByteBuffer roomy() {
        return ByteBuffer.allocate(2 * FrameCodec.MAX_FRAME_LENGTH);
    }

    @Test
    void emptyFrame() {
        assertThatThrownBy(() -> FrameCodec.encode(new Frame(), roomy()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("frame : empty");
    }

    @Test
    void emptyNodeId() {
        Frame f = new Frame().ping(1, 0, 0, "", 100);
        assertThatThrownBy(() -> FrameCodec.encode(f, roomy()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("nodeId : '' is 0 UTF-8 bytes (expected: 1..255)");
    }

    @Test
    void nodeIdOver255Bytes() {
        String ascii = "n".repeat(256);
        assertThatThrownBy(() -> FrameCodec.encode(new Frame().ping(1, 0, 0, ascii, 100), roomy()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nodeId : ").hasMessageContaining("is 256 UTF-8 bytes (expected: 1..255)");
        // 86 euro signs are 86 chars but 258 bytes: the limit is in bytes
        String euros = "€".repeat(86);
        assertThatThrownBy(() -> FrameCodec.encode(new Frame().ping(1, 0, 0, euros, 100), roomy()))
                .hasMessageContaining("is 258 UTF-8 bytes");
        String emoji = "\uD83D\uDC93".repeat(64); // 64 × 4 = 256 bytes
        assertThatThrownBy(() -> FrameCodec.encode(new Frame().ping(1, 0, 0, emoji, 100), roomy()))
                .hasMessageContaining("is 256 UTF-8 bytes");
    }

    @Test
    void nodeIdOfExactly255BytesIsFine() throws FrameDecodeException {
        for (String id : new String[] {"n".repeat(255), "€".repeat(85), "\uD83D\uDC93".repeat(63) + "abc"}) {
            byte[] b = TestFrames.encode(new Frame().ping(1, 0, 0, id, 100));
            assertThat(b).hasSize(35 + 255);
            assertThat(TestFrames.decode(b).nodeId()).isEqualTo(id);
        }
    }

    @Test
    void unpairedSurrogateIsRefusedNotSilentlyReplaced() {
        // documented in docs/protocol.md (Conventions): UTF-8 cannot carry it; the JDK would write '?'
        assertThatThrownBy(() -> FrameCodec.encode(new Frame().ping(1, 0, 0, "a\uD800b", 1), roomy()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("nodeId : 'a\uD800b' contains an unpaired surrogate (expected: valid Unicode text)");
        assertThatThrownBy(() -> LoadReport.builder().custom("x\uDC00", 1))
                .hasMessage("custom metric name : 'x\uDC00' contains an unpaired surrogate (expected: valid Unicode text)");
        assertThatThrownBy(() -> FrameCodec.checkNodeId(""))
                .hasMessage("nodeId : '' is 0 UTF-8 bytes (expected: 1..255)");
    }

    @Test
    void epochZero() {
        assertThatThrownBy(() -> FrameCodec.encode(new Frame().goodbye(0, 0, 0, "n", 0), roomy()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("epoch : 0 (expected: non-zero)");
    }

    @Test
    void negativeMillis() {
        assertThatThrownBy(() -> FrameCodec.encode(new Frame().ping(1, 0, 0, "n", -1), roomy()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("intervalMillis : -1 (expected: >= 0)");
        Frame pong = new Frame().pong(1, 0, 0, "n", 0, 0, ServingStatus.SERVING, -5, LoadReport.UNKNOWN);
        assertThatThrownBy(() -> FrameCodec.encode(pong, roomy()))
                .hasMessage("minIntervalMillis : -5 (expected: >= 0)");
        Frame bye = new Frame().goodbye(1, 0, 0, "n", Integer.MIN_VALUE);
        assertThatThrownBy(() -> FrameCodec.encode(bye, roomy()))
                .hasMessage("comeBackAfterMillis : -2147483648 (expected: >= 0)");
    }

    @Test
    void largestFrameThePublicApiCanBuildFits() throws FrameDecodeException {
        LoadReport.Builder load = LoadReport.builder();
        for (int i = 0; i < LoadReport.MAX_CUSTOM_METRICS; i++) {
            load.custom(String.format("%032d", i), i);
        }
        Frame f = new Frame().pong(1, 0, 0, "n".repeat(255), 0, 0, ServingStatus.SERVING, 0, load.build());
        byte[] b = TestFrames.encode(f);
        assertThat(b).hasSize(982); // docs/protocol.md: 71 + 255 + 16 × (9 + 32)
        TestFrames.assertSameFields(TestFrames.decode(b), f, "largest pong");
    }

    @Test
    void frameOver1024Bytes() {
        // Only reachable through the package-private (decoder) constructor: 20 metrics of 32 bytes.
        String[] names = new String[20];
        double[] values = new double[20];
        for (int i = 0; i < names.length; i++) {
            names[i] = String.format("%032d", i);
        }
        LoadReport big = new LoadReport(0.5, 0.5, 1, 1, 1, 0, 1, names, values);
        Frame f = new Frame().pong(1, 0, 0, "n".repeat(255), 0, 0, ServingStatus.SERVING, 0, big);
        ByteBuffer dst = roomy();
        assertThatThrownBy(() -> FrameCodec.encode(f, dst))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("frame length : 1146 bytes (expected: <= 1024");
        assertThat(dst.position()).isZero();
    }

    @Test
    void tooSmallBufferLeavesItUntouched() {
        Frame f = TestFrames.samplePong();
        int length = TestFrames.encode(f).length;
        ByteBuffer dst = ByteBuffer.allocate(length + 9);
        dst.position(10); // length - 1 bytes free
        assertThatThrownBy(() -> FrameCodec.encode(f, dst))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("buffer : " + (length - 1) + " bytes free (expected: >= " + length + " for this frame)");
        assertThat(dst.position()).isEqualTo(10);
        assertThat(dst.limit()).isEqualTo(length + 9);
        assertThat(dst.array()).containsOnly(0);

        ByteBuffer limited = ByteBuffer.allocate(1024).limit(length - 1);
        assertThatThrownBy(() -> FrameCodec.encode(f, limited)).hasMessageStartingWith("buffer : ");
        assertThat(limited.position()).isZero();

        ByteBuffer exact = ByteBuffer.allocate(length);
        assertThat(FrameCodec.encode(f, exact)).isEqualTo(length);
        assertThat(exact.hasRemaining()).isFalse();
    }

    @Test
    void failedEncodeKeepsTheFramesPreviousLength() {
        Frame f = TestFrames.samplePing();
        int length = TestFrames.encode(f).length;
        f.ping(1, 0, 0, "", 0);
        assertThatThrownBy(() -> FrameCodec.encode(f, roomy())).isInstanceOf(IllegalArgumentException.class);
        assertThat(f.length()).isEqualTo(length);
    }

    @Test
    void encodeWritesAtThePositionAndAdvancesIt() {
        byte[] expected = TestFrames.encode(TestFrames.samplePing());
        ByteBuffer dst = ByteBuffer.allocate(100);
        dst.put(new byte[] {9, 9, 9});
        assertThat(FrameCodec.encode(TestFrames.samplePing(), dst)).isEqualTo(expected.length);
        assertThat(dst.position()).isEqualTo(3 + expected.length);
        assertThat(Arrays.copyOfRange(dst.array(), 0, 3)).containsExactly(9, 9, 9);
        assertThat(Arrays.copyOfRange(dst.array(), 3, 3 + expected.length)).isEqualTo(expected);
        assertThat(dst.array()[3 + expected.length]).isZero();
    }

    @Test
    void unknownLoadReportIsUsable() throws FrameDecodeException {
        // regression: UNKNOWN used to be built before the empty-array constants were initialised
        assertThat(LoadReport.UNKNOWN.customCount()).isZero();
        assertThat(LoadReport.UNKNOWN.customMetrics()).isEmpty();
        assertThat(LoadReport.UNKNOWN).isEqualTo(LoadReport.builder().build());
        assertThat(LoadReport.UNKNOWN.hashCode()).isEqualTo(LoadReport.builder().build().hashCode());
        assertThat(LoadReport.UNKNOWN.toString()).contains("cpu=?");
        Frame f = TestFrames.samplePong(LoadReport.UNKNOWN);
        assertThat(TestFrames.decode(TestFrames.encode(f)).load()).isEqualTo(LoadReport.UNKNOWN);
    }
}
