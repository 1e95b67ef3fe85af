package dev.heartbeat.tcp.internal;

import dev.heartbeat.protocol.FrameCodec;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;

/**
 * Cuts a TCP byte stream into heartbeat frames using the frame's own length field. A frame
 * carries its total length (magic to last byte) as a big-endian u16 at offset 6, so the stream
 * needs no extra prefix:
 *
 * <pre>
 * BEFORE (one read, 2 frames + the start of a third)          AFTER
 * +----+--+--+----+------+-----...   +----+...   +----+--      +--------------+ +------------+
 * | HB |v |t |flag|len=58| 50 more |  | HB |...   | HB |..  =>  | frame 1 (58) | | frame 2 …  |
 * +----+--+--+----+------+-----...   +----+...   +----+--      +--------------+ +------------+
 *  0    2  3  4    6      8                                    (the third waits for more bytes)
 * </pre>
 *
 * It is the same cut a {@code LengthFieldBasedFrameDecoder(1024, 6, 2, -8, 0)} makes, plus two
 * early checks that let garbage be refused after 2 or 8 bytes instead of after a whole bogus
 * length: the magic {@code "HB"} must come first, the version must be {@value FrameCodec#VERSION}, and the length must lie in
 * [{@value FrameCodec#MIN_FRAME_LENGTH}, {@value FrameCodec#MAX_FRAME_LENGTH}]. A violation throws
 * {@link CorruptedFrameException} or {@link TooLongFrameException} (both
 * {@link io.netty.handler.codec.DecoderException}s, which the connection handlers treat as a
 * protocol error and close); every byte after it is discarded, so one bad stream raises one error.
 *
 * <p>Buffer ownership: each frame is emitted as a retained slice of the cumulation; the next
 * handler owns it and must release it. Not sharable: one instance per channel.
 */
public final class FrameDecoder extends ByteToMessageDecoder {

    private static final int HEADER = FrameCodec.LENGTH_FIELD_OFFSET + FrameCodec.LENGTH_FIELD_SIZE;
    private boolean failed;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        while (in.readableBytes() >= 2) {
            int start = in.readerIndex();
            int magic = in.getUnsignedShort(start);
            if (magic != FrameCodec.MAGIC) {
                fail(in);
                throw new CorruptedFrameException(String.format("magic 0x%04x (expected 0x%04x \"HB\")", magic,
                        FrameCodec.MAGIC));
            }
            if (in.readableBytes() < HEADER) {
                return;
            }
            int version = in.getUnsignedByte(start + 2);
            if (version != FrameCodec.VERSION) {
                fail(in);
                throw new CorruptedFrameException("version " + version + " (this decoder speaks " + FrameCodec.VERSION + ")");
            }
            int length = in.getUnsignedShort(start + FrameCodec.LENGTH_FIELD_OFFSET);
            if (length > FrameCodec.MAX_FRAME_LENGTH) {
                fail(in);
                throw new TooLongFrameException("frame length : " + length + " bytes (expected: <= "
                        + FrameCodec.MAX_FRAME_LENGTH + ")");
            }
            if (length < FrameCodec.MIN_FRAME_LENGTH) {
                fail(in);
                throw new CorruptedFrameException("frame length : " + length + " bytes (expected: >= "
                        + FrameCodec.MIN_FRAME_LENGTH + ")");
            }
            if (in.readableBytes() < length) {
                return;
            }
            out.add(in.readRetainedSlice(length));
        }
    }

    private void fail(ByteBuf in) {
        failed = true;
        in.skipBytes(in.readableBytes());
    }
}
