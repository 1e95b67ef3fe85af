package dev.heartbeat.tcp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.heartbeat.protocol.Frame;
import dev.heartbeat.protocol.FrameCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The stream framer through EmbeddedChannel. */
class FrameDecoderTest {

    private final EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder());

    @AfterEach
    void tearDown() {
        ch.finishAndReleaseAll();
    }

    private static byte[] ping(int seq) {
        ByteBuffer b = ByteBuffer.allocate(FrameCodec.MAX_FRAME_LENGTH);
        FrameCodec.encode(new Frame().ping(1, seq, 0, "n", 100), b);
        byte[] out = new byte[b.flip().remaining()];
        b.get(out);
        return out;
    }

    private int readSequence() throws Exception {
        ByteBuf f = ch.readInbound();
        assertThat(f).isNotNull();
        try {
            Frame frame = new Frame();
            FrameCodec.decode(f.nioBuffer(), frame);
            return frame.sequence();
        } finally {
            f.release();
        }
    }

    @Test
    void cutsFramesWhateverTheReadBoundaries() throws Exception {
        byte[] a = ping(1);
        byte[] b = ping(2);
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        for (byte x : both) { // one byte per read: the worst segmentation
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {x}));
        }
        assertThat(readSequence()).isEqualTo(1);
        assertThat(readSequence()).isEqualTo(2);
        assertThat(ch.<Object>readInbound()).isNull();
        ch.writeInbound(Unpooled.wrappedBuffer(both)); // two in one read
        assertThat(readSequence()).isEqualTo(1);
        assertThat(readSequence()).isEqualTo(2);
    }

    @Test
    void badMagicIsRefusedAfterTwoBytes() {
        assertThatThrownBy(() -> ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {'G', 'E'})))
                .isInstanceOf(CorruptedFrameException.class).hasMessageContaining("magic 0x4745");
        ch.writeInbound(Unpooled.wrappedBuffer(ping(3))); // everything after the error is discarded
        assertThat(ch.<Object>readInbound()).isNull();
    }

    @Test
    void oversizedLengthIsRefusedAtTheHeader() {
        byte[] h = ping(1);
        h[6] = 0x04;
        h[7] = 0x01; // 1025
        assertThatThrownBy(() -> ch.writeInbound(Unpooled.wrappedBuffer(h, 0, 8)))
                .isInstanceOf(TooLongFrameException.class).hasMessage("frame length : 1025 bytes (expected: <= 1024)");
    }

    @Test
    void undersizedLengthAndUnknownVersionAreRefused() {
        byte[] h = ping(1);
        h[6] = 0;
        h[7] = 8;
        assertThatThrownBy(() -> ch.writeInbound(Unpooled.wrappedBuffer(h, 0, 8)))
                .isInstanceOf(CorruptedFrameException.class).hasMessageContaining("expected: >= 36");
        EmbeddedChannel other = new EmbeddedChannel(new FrameDecoder());
        byte[] v = ping(1);
        v[2] = 2;
        assertThatThrownBy(() -> other.writeInbound(Unpooled.wrappedBuffer(v)))
                .isInstanceOf(CorruptedFrameException.class).hasMessageContaining("version 2");
        other.finishAndReleaseAll();
    }
}
