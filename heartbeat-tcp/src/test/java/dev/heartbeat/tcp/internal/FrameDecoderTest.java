package dev.heartbeat.tcp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.heartbeat.protocol.Frame;
import dev.heartbeat.protocol.FrameCodec;
import dev.heartbeat.protocol.FrameDecodeException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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
                .isInstanceOf(CorruptedFrameException.class).hasMessageStartingWith("this port speaks another protocol (HTTP?)");
        ch.writeInbound(Unpooled.wrappedBuffer(ping(3))); // everything after the error is discarded
        assertThat(ch.<Object>readInbound()).isNull();
    }

    @Test
    void oversizedLengthIsRefusedAtTheHeader() {
        byte[] h = ping(1);
        h[6] = 0x04;
        h[7] = 0x01; // 1025
        assertThatThrownBy(() -> ch.writeInbound(Unpooled.wrappedBuffer(h, 0, 8)))
                .isInstanceOf(TooLongFrameException.class).hasMessage("frame length 1025 (expected: 36..1024 bytes)");
    }

    @Test
    void undersizedLengthAndUnknownVersionAreRefused() {
        byte[] h = ping(1);
        h[6] = 0;
        h[7] = 8;
        assertThatThrownBy(() -> ch.writeInbound(Unpooled.wrappedBuffer(h, 0, 8)))
                .isInstanceOf(CorruptedFrameException.class).hasMessage("frame length 8 (expected: 36..1024 bytes)");
        EmbeddedChannel other = new EmbeddedChannel(new FrameDecoder());
        byte[] v = ping(1);
        v[2] = 2;
        assertThatThrownBy(() -> other.writeInbound(Unpooled.wrappedBuffer(v)))
                .isInstanceOf(CorruptedFrameException.class).hasMessage("version 2 (expected: 1)");
        other.finishAndReleaseAll();
    }

    @Test
    void anSshBannerIsNamedAsAnotherProtocol() {
        byte[] banner = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> ch.writeInbound(Unpooled.wrappedBuffer(banner)))
                .isInstanceOf(CorruptedFrameException.class)
                .hasMessage("this port speaks another protocol (SSH?): it sent \"SSH-2.0-OpenSSH_9.2p1 Debian-2+d\"... "
                        + "(expected: a heartbeat frame, magic 0x4842 \"HB\")")
                .satisfies(e -> assertThat(FrameDecoder.reasonOf(e)).isEqualTo(FrameDecodeException.Reason.BAD_MAGIC));
    }

    @Test
    void otherProtocolsAreGuessedFromAsFewAsTwoBytes() {
        assertThat(FrameDecoder.guess(bytes("SS"))).isEqualTo("SSH");
        assertThat(FrameDecoder.guess(bytes("GET / HTTP/1.1"))).isEqualTo("HTTP");
        assertThat(FrameDecoder.guess(bytes("HTTP/1.1 400 Bad Request"))).isEqualTo("HTTP");
        assertThat(FrameDecoder.guess(new byte[] {0x16, 0x03, 0x01})).isEqualTo("TLS");
        assertThat(FrameDecoder.guess(bytes("220 mail ESMTP"))).isEqualTo("SMTP or FTP");
        assertThat(FrameDecoder.guess(bytes("-ERR unknown command"))).isEqualTo("Redis");
        assertThat(FrameDecoder.guess(bytes("GE"))).isEqualTo("HTTP");
        assertThat(FrameDecoder.guess(bytes("zz"))).isNull();
        assertThat(FrameDecoder.guess(bytes("S"))).isNull(); // one byte says nothing
    }

    @Test
    void aStrangersBytesAreQuotedEscaped() {
        byte[] hostile = {0x1b, '[', '2', 'J', 0x07, 0, '\r', '\n', '"', (byte) 0xe2, (byte) 0x80, (byte) 0xae};
        assertThatThrownBy(() -> ch.writeInbound(Unpooled.wrappedBuffer(hostile)))
                .hasMessage("magic 0x1b5b (expected: a heartbeat frame, magic 0x4842 \"HB\"): "
                        + "it sent \"\\x1b[2J\\x07\\x00\\r\\n\\\"\\xe2\\x80\\xae\"")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContainPattern("[\\x00-\\x1f\\x7f-\\uffff]"));
    }

    @Test
    void everyRefusalHasAReason() {
        EmbeddedChannel other = new EmbeddedChannel(new FrameDecoder());
        byte[] h = ping(1);
        h[6] = 0x04;
        h[7] = 0x01;
        assertThatThrownBy(() -> other.writeInbound(Unpooled.wrappedBuffer(h, 0, 8)))
                .satisfies(e -> assertThat(FrameDecoder.reasonOf(e)).isEqualTo(FrameDecodeException.Reason.TOO_LARGE));
        other.finishAndReleaseAll();
        assertThat(FrameDecoder.reasonOf(new RuntimeException("other"))).isNull();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
