package dev.heartbeat.udp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.heartbeat.protocol.AuthResult;
import dev.heartbeat.protocol.Frame;
import dev.heartbeat.protocol.FrameCodec;
import dev.heartbeat.protocol.LoadReport;
import dev.heartbeat.protocol.ServingStatus;
import dev.heartbeat.protocol.auth.HmacKeyRing;
import dev.heartbeat.protocol.auth.HmacSha256Authenticator;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The reduced PONG: a valid v1 frame without the load, whose marker a v1 decoder skips and the UDP link reads. */
class ReducedPongTest {

    private static Frame fullPong() {
        return new Frame().pong(0x7e57c0def00dbeefL, 43, 99, "orders-eu-west-3", 7, 5_000, ServingStatus.DRAINING, 50,
                LoadReport.builder().cpu(0.5).custom("pool.active", 3).build());
    }

    @Test
    void itIsAValidFrameWithStatusAndEchoButNoLoadAndItSaysHowLongTheFullOneIs() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(FrameCodec.MAX_FRAME_LENGTH);
        int n = ReducedPong.write(fullPong(), 140, b, null, 200);
        assertThat(n).isEqualTo(71 + 16 + ReducedPong.MARKER_LENGTH);
        b.flip();
        Frame f = new Frame();
        FrameCodec.decode(b.duplicate(), f);
        assertThat(f.status()).isEqualTo(ServingStatus.DRAINING);
        assertThat(f.echoSequence()).isEqualTo(7);
        assertThat(f.echoSendTimeNanos()).isEqualTo(5_000);
        assertThat(f.minIntervalMillis()).isEqualTo(50);
        assertThat(f.load()).isEqualTo(LoadReport.UNKNOWN);
        assertThat(f.length()).isEqualTo(n);
        assertThat(ReducedPong.withheldLength(b, 0, n)).isEqualTo(140);
    }

    @Test
    void sealedItVerifies() throws Exception {
        byte[] secret = new byte[32];
        Arrays.fill(secret, (byte) 9);
        HmacSha256Authenticator auth = HmacSha256Authenticator.of(HmacKeyRing.of(4, secret));
        ByteBuffer b = ByteBuffer.allocate(FrameCodec.MAX_FRAME_LENGTH);
        int n = ReducedPong.write(fullPong(), 160, b, auth, 200);
        assertThat(n).isEqualTo(71 + 16 + ReducedPong.MARKER_LENGTH + auth.trailerLength());
        b.flip();
        Frame f = new Frame();
        FrameCodec.decode(b.duplicate(), f);
        assertThat(auth.verify(b, 0, f)).isEqualTo(AuthResult.OK);
        assertThat(ReducedPong.withheldLength(b, 0, n)).isEqualTo(160);
    }

    @Test
    void itIsNotWrittenWhenItWouldBeLongerThanAllowed() {
        ByteBuffer b = ByteBuffer.allocate(FrameCodec.MAX_FRAME_LENGTH);
        assertThat(ReducedPong.write(fullPong(), 140, b, null, 92)).isEqualTo(-1);
        assertThat(b.position()).isZero();
    }

    @Test
    void fullPongsPingsAndGarbageCarryNoMarker() {
        ByteBuffer b = ByteBuffer.allocate(FrameCodec.MAX_FRAME_LENGTH);
        int n = FrameCodec.encode(fullPong(), b);
        assertThat(ReducedPong.withheldLength(b, 0, n)).isZero();
        b.clear();
        n = FrameCodec.encode(new Frame().ping(1, 1, 1, "m", 100), b);
        assertThat(ReducedPong.withheldLength(b, 0, n)).isZero();
        ByteBuffer junk = ByteBuffer.allocate(40);
        junk.put(3, (byte) 2).put(28, (byte) 200);
        assertThat(ReducedPong.withheldLength(junk, 0, 40)).isZero();
    }
}
