package dev.heartbeat.tcp.internal;

import dev.heartbeat.protocol.FrameCodec;
import dev.heartbeat.protocol.FrameDecodeException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
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
 * a {@link StreamRejectedException} (a {@link CorruptedFrameException} with its
 * {@link FrameDecodeException.Reason}) or a {@link TooLongFrameException} (both
 * {@link io.netty.handler.codec.DecoderException}s, which the connection handlers treat as a
 * protocol error and close); every byte after it is discarded, so one bad stream raises one error.
 * A stream that starts like another protocol's greeting is named: "this port speaks another
 * protocol (SSH?): it sent "SSH-2.0-OpenSSH_9.2p1\r\n" ...", its first bytes quoted and escaped.
 *
 * <p>Buffer ownership: each frame is emitted as a retained slice of the cumulation; the next
 * handler owns it and must release it. Not sharable: one instance per channel. A handler that
 * frames for itself (a monitor's link: one handler per channel, no decoder context) uses the same
 * cut through {@link #frameLength(ByteBuf)}.
 */
public final class FrameDecoder extends ByteToMessageDecoder {

    private static final int HEADER = FrameCodec.LENGTH_FIELD_OFFSET + FrameCodec.LENGTH_FIELD_SIZE;
    /** How many of a stranger's first bytes an error message quotes. */
    static final int QUOTED_BYTES = 32;

    /**
     * What other protocols say first, to name the protocol of a port that does not speak ours
     * (a monitor pointed at an SSH port reads the server's banner; a browser pointed at a
     * responder sends a request line). Checked against as many bytes as have arrived.
     */
    private static final String[][] STRANGERS = {
        {"SSH-", "SSH"},
        {"HTTP/", "HTTP"},
        {"GET ", "HTTP"},
        {"POST ", "HTTP"},
        {"PUT ", "HTTP"},
        {"HEAD ", "HTTP"},
        {"DELETE ", "HTTP"},
        {"OPTIONS ", "HTTP"},
        {"PATCH ", "HTTP"},
        {"CONNECT ", "HTTP"},
        {"PRI * HTTP/2", "HTTP/2"},
        {"\026\003", "TLS"},
        {"\025\003", "TLS"},
        {"220", "SMTP or FTP"},
        {"+OK", "POP3"},
        {"* OK", "IMAP"},
        {"-ERR", "Redis"},
        {"-NOAUTH", "Redis"},
        {"RFB ", "VNC"},
        {"AMQP", "AMQP"},
    };

    private boolean failed;

    /**
     * A stream this decoder refused, with the {@link FrameDecodeException.Reason} a program can
     * count it under ({@link #reasonOf(Throwable)}).
     */
    public static final class StreamRejectedException extends CorruptedFrameException {
        private static final long serialVersionUID = 1L;
        private final transient FrameDecodeException.Reason reason;

        StreamRejectedException(FrameDecodeException.Reason reason, String message) {
            super(message);
            this.reason = reason;
        }

        public FrameDecodeException.Reason reason() {
            return reason;
        }
    }

    /**
     * The reason a decoding failure on a stream falls under: the framer's own, the codec's, or
     * null when {@code t} is not one of them.
     */
    public static FrameDecodeException.Reason reasonOf(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof StreamRejectedException) {
                return ((StreamRejectedException) c).reason();
            }
            if (c instanceof TooLongFrameException) {
                return FrameDecodeException.Reason.TOO_LARGE;
            }
            if (c instanceof FrameDecodeException) {
                return ((FrameDecodeException) c).reason();
            }
        }
        return null;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        while (true) {
            int length;
            try {
                length = frameLength(in);
            } catch (DecoderException e) {
                fail(in);
                throw e;
            }
            if (length == 0) {
                return;
            }
            out.add(in.readRetainedSlice(length));
        }
    }

    /**
     * The cut itself, for a handler that frames without a decoder of its own in the pipeline: the
     * length of the frame at {@code in}'s reader index when all of its bytes have arrived, 0 when
     * more are needed. Reads nothing (the indices are unchanged).
     *
     * @throws StreamRejectedException when the bytes cannot start a frame (bad magic, version or
     *     length); every later byte of the stream is garbage too
     * @throws TooLongFrameException when the length field is over {@value FrameCodec#MAX_FRAME_LENGTH}
     */
    public static int frameLength(ByteBuf in) {
        if (in.readableBytes() < 2) {
            return 0;
        }
        int start = in.readerIndex();
        int magic = in.getUnsignedShort(start);
        if (magic != FrameCodec.MAGIC) {
            throw new StreamRejectedException(FrameDecodeException.Reason.BAD_MAGIC, strangerMessage(in, magic));
        }
        if (in.readableBytes() < HEADER) {
            return 0;
        }
        int version = in.getUnsignedByte(start + 2);
        if (version != FrameCodec.VERSION) {
            throw new StreamRejectedException(FrameDecodeException.Reason.UNSUPPORTED_VERSION, "version " + version
                    + " (expected: " + FrameCodec.VERSION + ")");
        }
        int length = in.getUnsignedShort(start + FrameCodec.LENGTH_FIELD_OFFSET);
        if (length > FrameCodec.MAX_FRAME_LENGTH) {
            throw new TooLongFrameException("frame length " + length + " (expected: " + FrameCodec.MIN_FRAME_LENGTH
                    + ".." + FrameCodec.MAX_FRAME_LENGTH + " bytes)");
        }
        if (length < FrameCodec.MIN_FRAME_LENGTH) {
            throw new StreamRejectedException(FrameDecodeException.Reason.LENGTH_MISMATCH, "frame length " + length
                    + " (expected: " + FrameCodec.MIN_FRAME_LENGTH + ".." + FrameCodec.MAX_FRAME_LENGTH + " bytes)");
        }
        return in.readableBytes() < length ? 0 : length;
    }

    /**
     * "this port speaks another protocol (SSH?): it sent "SSH-2.0-OpenSSH_9.2"" when the first
     * bytes look like a known protocol, else the magic and the rule; either way with the first
     * bytes quoted, escaped (they come from a stranger and end up in logs and terminals).
     */
    static String strangerMessage(ByteBuf in, int magic) {
        int n = Math.min(in.readableBytes(), QUOTED_BYTES);
        byte[] first = new byte[n];
        in.getBytes(in.readerIndex(), first);
        String guess = guess(first);
        String sent = "it sent \"" + quote(first) + "\"" + (in.readableBytes() > n ? "..." : "");
        String rule = "expected: a heartbeat frame, magic 0x" + Integer.toHexString(FrameCodec.MAGIC) + " \"HB\"";
        if (guess != null) {
            return "this port speaks another protocol (" + guess + "?): " + sent + " (" + rule + ")";
        }
        return String.format(java.util.Locale.ROOT, "magic 0x%04x (%s): %s", magic, rule, sent);
    }

    /** The protocol whose greeting agrees with every byte that arrived, or null. */
    static String guess(byte[] first) {
        for (String[] s : STRANGERS) {
            String sig = s[0];
            int n = Math.min(sig.length(), first.length);
            boolean match = n >= 2;
            for (int i = 0; i < n && match; i++) {
                match = (first[i] & 0xff) == sig.charAt(i);
            }
            if (match) {
                return s[1];
            }
        }
        return null;
    }

    /** Printable ASCII as is; everything else (controls, escapes, non-ASCII) as \xNN, \r, \n, \t. */
    static String quote(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length * 2);
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\t') {
                sb.append("\\t");
            } else if (c == '\\' || c == '"') {
                sb.append('\\').append((char) c);
            } else if (c >= 0x20 && c < 0x7f) {
                sb.append((char) c);
            } else {
                sb.append(String.format(java.util.Locale.ROOT, "\\x%02x", c));
            }
        }
        return sb.toString();
    }

    private void fail(ByteBuf in) {
        failed = true;
        in.skipBytes(in.readableBytes());
    }
}
