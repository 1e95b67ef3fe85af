package dev.heartbeat.protocol;

import static dev.heartbeat.protocol.FrameDecodeException.Reason.BAD_ENUM;
import static dev.heartbeat.protocol.FrameDecodeException.Reason.BAD_MAGIC;
import static dev.heartbeat.protocol.FrameDecodeException.Reason.BAD_UTF8;
import static dev.heartbeat.protocol.FrameDecodeException.Reason.FIELD_OUT_OF_RANGE;
import static dev.heartbeat.protocol.FrameDecodeException.Reason.LENGTH_MISMATCH;
import static dev.heartbeat.protocol.FrameDecodeException.Reason.TOO_LARGE;
import static dev.heartbeat.protocol.FrameDecodeException.Reason.TRUNCATED;
import static dev.heartbeat.protocol.FrameDecodeException.Reason.UNKNOWN_CRITICAL_EXTENSION;
import static dev.heartbeat.protocol.FrameDecodeException.Reason.UNKNOWN_TYPE;
import static dev.heartbeat.protocol.FrameDecodeException.Reason.UNSUPPORTED_VERSION;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Encodes and decodes protocol v1 frames on {@link ByteBuffer}s. Stateless and thread-safe; all
 * scratch state lives in the caller's {@link Frame}. Multi-byte integers are big-endian
 * (network order) regardless of the buffer's {@link java.nio.ByteOrder}: they are written and read
 * byte by byte with shifts.
 *
 * <pre>
 * offset size  field
 *  0      2    magic 0x48 0x42 ("HB")
 *  2      1    version (1)
 *  3      1    type: 1 PING, 2 PONG, 3 GOODBYE
 *  4      2    flags: bit 0 = authentication trailer present; other bits reserved (send 0, ignore)
 *  6      2    length: the whole frame in bytes, magic to last trailer byte (&le; {@value #MAX_FRAME_LENGTH})
 *  8      8    epoch (random per process start, never 0)
 * 16      4    sequence (unsigned, random start)
 * 20      8    send time, the sender's monotonic clock in ns
 * 28      1    node id length N (1..255)
 * 29      N    node id, UTF-8
 *  …           body of the type (see docs/protocol.md)
 *  …      2    extension area length E, then E bytes of {u16 type, u16 length, value} entries
 *  …           if flag bit 0: u8 key id, u8 tag length T (1..64), T tag bytes
 * </pre>
 *
 * <p>Decoding is strict and never trusts a length field: every read is bounds-checked against the
 * frame, and nothing is allocated in proportion to a length taken from the wire (strings are at
 * most 255 bytes and are only decoded when they differ from the previous frame's).
 *
 * <p>The seams for UDP and authentication:
 * <ul>
 *   <li>{@link #encodePadded} pads a frame to an exact size with an optional extension entry of
 *       type {@value #EXTENSION_PADDING}, which decoders skip ({@link #padTarget} picks the size);</li>
 *   <li>{@link #encode(Frame, ByteBuffer, FrameSealer)} seals a frame with a {@link FrameSealer},
 *       which appends the trailer through {@link #openTrailer}; a {@link FrameVerifier} checks it
 *       after {@link #decode};</li>
 *   <li>{@link #peek} reads type, flags, length, epoch and sequence, checking only the header.</li>
 * </ul>
 */
public final class FrameCodec {

    /** "HB". */
    public static final int MAGIC = 0x4842;
    /** The protocol version this codec speaks. */
    public static final int VERSION = 1;
    /** Hard maximum frame length in bytes; larger frames are refused by encoder and decoder. */
    public static final int MAX_FRAME_LENGTH = 1024;
    /** Bytes before the node id. */
    public static final int FIXED_HEADER_LENGTH = 29;
    /** Offset of the u16 length field, for stream framers. */
    public static final int LENGTH_FIELD_OFFSET = 6;
    /** Size of the length field, for stream framers. */
    public static final int LENGTH_FIELD_SIZE = 2;
    /** Smallest possible frame (a PING with a 1-byte node id and no extensions). */
    public static final int MIN_FRAME_LENGTH = FIXED_HEADER_LENGTH + 1 + 4 + 2;
    /** Longest node id in UTF-8 bytes. */
    public static final int MAX_NODE_ID_BYTES = 255;
    /** Flag bit: an authentication trailer ends the frame. */
    public static final int FLAG_AUTH = 0x0001;
    /** Extension types with this bit set must be understood or the frame is rejected. */
    public static final int EXTENSION_CRITICAL = 0x8000;
    /** Longest authentication tag in bytes. */
    public static final int MAX_AUTH_TAG_LENGTH = 64;
    /** Bytes of the authentication trailer before its tag: key id and tag length. */
    public static final int AUTH_TRAILER_OVERHEAD = 2;
    /**
     * Extension type of padding (optional, so every v1 decoder skips it): the value is zero bytes
     * that only make the frame longer. See {@link #encodePadded}.
     */
    public static final int EXTENSION_PADDING = 0x0001;
    /** The smallest padding: an entry with an empty value (type and length, 2 bytes each). */
    public static final int MIN_PADDING = 4;

    static final int PING_BODY = 4;
    static final int PONG_FIXED_BODY = 4 + 8 + 1 + 4;
    static final int LOAD_FIXED = 2 + 2 + 4 + 4 + 4 + 2 + 4 + 1;
    static final int GOODBYE_BODY = 4;
    static final int FRACTION_SCALE = 10_000;
    static final int U16_UNKNOWN = 0xFFFF;
    static final long U32_UNKNOWN = 0xFFFF_FFFFL;

    static final String[] NO_NAMES = new String[0];
    static final double[] NO_VALUES = new double[0];

    private FrameCodec() {
    }

    // =========================================================================================
    // Encoding
    // =========================================================================================

    /**
     * Writes {@code frame} at {@code dst}'s position and advances it: no padding, no trailer.
     *
     * @return the number of bytes written (the frame length)
     * @throws IllegalArgumentException when the frame is incomplete, a field is out of range, the
     *     frame would exceed {@value #MAX_FRAME_LENGTH} bytes, or {@code dst} has too little room;
     *     {@code dst} is then unchanged
     */
    public static int encode(Frame frame, ByteBuffer dst) {
        return encode(frame, dst, null, 0);
    }

    /**
     * Writes {@code frame} at {@code dst}'s position, sealed by {@code sealer} (an authentication
     * trailer ends the frame and flag bit 0 is set), and advances the position to the end of the
     * sealed frame. Afterwards {@code frame}'s {@link Frame#length()}, {@link Frame#flags()} and
     * {@code auth*} accessors describe the bytes written, as they would after decoding them.
     *
     * @param sealer appends the trailer; {@code null} writes an unsealed frame
     * @return the number of bytes written, trailer included
     * @throws IllegalArgumentException as {@link #encode(Frame, ByteBuffer)}, counting the trailer;
     *     {@code dst} is then unchanged
     */
    public static int encode(Frame frame, ByteBuffer dst, FrameSealer sealer) {
        return encode(frame, dst, sealer, 0);
    }

    /**
     * Writes {@code frame} padded to exactly {@code totalLength} bytes, trailer included. The
     * padding is one optional extension entry of type {@value #EXTENSION_PADDING} whose value is
     * zero bytes; every v1 decoder skips it. An entry takes at least {@value #MIN_PADDING} bytes, so
     * a frame can grow by 0 or by 4 bytes or more, never by 1..3 ({@link #padTarget} picks a valid
     * length). Used on UDP so that a PING is as large as the PONG it asks for: a responder then
     * never sends more bytes than it received (anti-amplification).
     *
     * <pre>
     * unpadded PING (44 bytes):   ... intervalMillis | 00 00                    (E = 0)
     * padded to 87 bytes:         ... intervalMillis | 00 2b | 00 01 00 27 | 39 zero bytes
     *                                                  E = 43   PADDING, L=39
     * </pre>
     *
     * @param sealer appends the trailer after the padding; {@code null} writes an unsealed frame
     * @param totalLength the exact length of the frame written, padding and trailer included
     * @return {@code totalLength}
     * @throws IllegalArgumentException when the frame is invalid (see {@link #encode(Frame, ByteBuffer)}),
     *     when {@code totalLength} is over {@value #MAX_FRAME_LENGTH}, below the frame's unpadded
     *     length ({@link #encodedLength}) or 1..3 bytes above it, or when {@code dst} has too
     *     little room; {@code dst} is then unchanged
     */
    public static int encodePadded(Frame frame, ByteBuffer dst, FrameSealer sealer, int totalLength) {
        if (totalLength > MAX_FRAME_LENGTH) {
            throw new IllegalArgumentException("totalLength : " + totalLength + " (expected: <= " + MAX_FRAME_LENGTH + ")");
        }
        int natural = encodedLength(frame, sealer);
        if (totalLength < natural) {
            throw new IllegalArgumentException("totalLength : " + totalLength + " (expected: >= " + natural
                    + ", the length of this " + frame.type() + " without padding)");
        }
        int padding = totalLength - natural;
        if (padding > 0 && padding < MIN_PADDING) {
            throw new IllegalArgumentException("totalLength : " + totalLength + " (expected: " + natural + " or >= "
                    + (natural + MIN_PADDING) + "; a padding entry takes at least " + MIN_PADDING + " bytes)");
        }
        return encode(frame, dst, sealer, padding);
    }

    /**
     * The smallest length {@link #encodePadded} accepts for {@code frame} that is at least
     * {@code atLeast}: the unpadded length when that is already enough, otherwise {@code atLeast},
     * or the unpadded length + {@value #MIN_PADDING} when {@code atLeast} is only 1..3 bytes
     * above it. A monitor pads its PING with {@code padTarget(ping, sealer, expectedPongLength)}.
     *
     * @throws IllegalArgumentException when the frame is invalid, or the result would exceed
     *     {@value #MAX_FRAME_LENGTH} bytes
     */
    public static int padTarget(Frame frame, FrameSealer sealer, int atLeast) {
        int natural = encodedLength(frame, sealer);
        int target = atLeast <= natural ? natural : Math.max(atLeast, natural + MIN_PADDING);
        if (target > MAX_FRAME_LENGTH) {
            throw new IllegalArgumentException("atLeast : " + atLeast + " (expected: <= " + MAX_FRAME_LENGTH
                    + " once padded; this " + frame.type() + " is " + natural + " bytes unpadded)");
        }
        return target;
    }

    /**
     * The length {@link #encode(Frame, ByteBuffer, FrameSealer)} would write for {@code frame}
     * (trailer included, no padding), after the same checks; writes nothing.
     *
     * @param sealer {@code null} for an unsealed frame
     * @throws IllegalArgumentException when the frame is invalid or would exceed
     *     {@value #MAX_FRAME_LENGTH} bytes
     */
    public static int encodedLength(Frame frame, FrameSealer sealer) {
        int length = checkAndMeasure(frame) + trailerLength(sealer);
        if (length > MAX_FRAME_LENGTH) {
            throw tooLong(length);
        }
        return length;
    }

    private static int trailerLength(FrameSealer sealer) {
        if (sealer == null) {
            return 0;
        }
        int n = sealer.trailerLength();
        if (n < AUTH_TRAILER_OVERHEAD + 1 || n > AUTH_TRAILER_OVERHEAD + MAX_AUTH_TAG_LENGTH) {
            throw new IllegalStateException("sealer.trailerLength() : " + n + " (expected: "
                    + (AUTH_TRAILER_OVERHEAD + 1) + ".." + (AUTH_TRAILER_OVERHEAD + MAX_AUTH_TAG_LENGTH) + ")");
        }
        return n;
    }

    private static IllegalArgumentException tooLong(int length) {
        return new IllegalArgumentException("frame length : " + length + " bytes (expected: <= "
                + MAX_FRAME_LENGTH + "; shorten the node id or the custom metrics)");
    }

    /** Validates {@code frame} and returns its unpadded, unsealed length. */
    private static int checkAndMeasure(Frame frame) {
        FrameType type = frame.type();
        if (type == null) {
            throw new IllegalArgumentException("frame : empty (expected: ping(), pong() or goodbye() first)");
        }
        int nodeBytes = checkWireString("nodeId", frame.nodeId(), MAX_NODE_ID_BYTES);
        if (frame.epoch() == 0) {
            throw new IllegalArgumentException("epoch : 0 (expected: non-zero)");
        }
        int length = FIXED_HEADER_LENGTH + nodeBytes + 2;
        switch (type) {
            case PING:
                checkMillis("intervalMillis", frame.intervalMillis());
                return length + PING_BODY;
            case PONG:
                checkMillis("minIntervalMillis", frame.minIntervalMillis());
                return length + PONG_FIXED_BODY + loadLength(frame.loadView());
            case GOODBYE:
                checkMillis("comeBackAfterMillis", frame.comeBackAfterMillis());
                return length + GOODBYE_BODY;
            default:
                throw new AssertionError(type);
        }
    }

    /** Encodes with {@code padding} extension bytes (0 or >= MIN_PADDING) and an optional trailer. */
    private static int encode(Frame frame, ByteBuffer dst, FrameSealer sealer, int padding) {
        int unsealed = checkAndMeasure(frame) + padding;
        int trailer = trailerLength(sealer);
        int length = unsealed + trailer;
        if (length > MAX_FRAME_LENGTH) {
            throw tooLong(length);
        }
        if (dst.remaining() < length) {
            throw new IllegalArgumentException("buffer : " + dst.remaining() + " bytes free (expected: >= "
                    + length + " for this frame)");
        }
        FrameType type = frame.type();
        String nodeId = frame.nodeId();
        int start = dst.position();
        int p = start;
        p = u16(dst, p, MAGIC);
        p = u8(dst, p, VERSION);
        p = u8(dst, p, type.code());
        p = u16(dst, p, 0);
        p = u16(dst, p, unsealed);
        p = u64(dst, p, frame.epoch());
        p = u32(dst, p, frame.sequence());
        p = u64(dst, p, frame.sendTimeNanos());
        p = u8(dst, p, utf8Length(nodeId));
        p = utf8(dst, p, nodeId);
        switch (type) {
            case PING:
                p = u32(dst, p, frame.intervalMillis());
                break;
            case PONG:
                p = u32(dst, p, frame.echoSequence());
                p = u64(dst, p, frame.echoSendTimeNanos());
                p = u8(dst, p, frame.status().code());
                p = u32(dst, p, frame.minIntervalMillis());
                p = writeLoad(dst, p, frame.loadView());
                break;
            case GOODBYE:
                p = u32(dst, p, frame.comeBackAfterMillis());
                break;
            default:
                throw new AssertionError(type);
        }
        p = u16(dst, p, padding); // the extension area: empty, or one padding entry
        if (padding > 0) {
            p = u16(dst, p, EXTENSION_PADDING);
            p = u16(dst, p, padding - MIN_PADDING);
            for (int valueEnd = p + padding - MIN_PADDING; p < valueEnd; p++) {
                dst.put(p, (byte) 0);
            }
        }
        assert p - start == unsealed : p - start + " != " + unsealed;
        if (sealer == null) {
            dst.position(p);
            frame.sealed(0, -1, -1, 0);
            frame.length(length);
            return length;
        }
        dst.position(p);
        try {
            sealer.seal(dst, start);
        } catch (RuntimeException e) {
            dst.position(start);
            throw e;
        }
        int written = dst.position() - start;
        if (written != length || peekLength(dst, start) != length || (rd16(dst, start + 4) & FLAG_AUTH) == 0) {
            dst.position(start);
            throw new IllegalStateException("sealer " + sealer.getClass().getName() + " wrote a " + written
                    + "-byte frame (expected: " + length + " bytes with flag bit 0 set; use FrameCodec.openTrailer)");
        }
        int tagOffset = unsealed + AUTH_TRAILER_OVERHEAD;
        frame.sealed(FLAG_AUTH, rd8(dst, start + unsealed), tagOffset, length - tagOffset);
        frame.length(length);
        return length;
    }

    /**
     * For {@link FrameSealer} implementations: turns the unsealed frame that occupies
     * {@code buf[frameStart, buf.position())} into a sealed one, minus the tag bytes. It sets flag
     * bit 0, adds {@code 2 + tagLength} to the length field, writes the key id and tag length at
     * the position, and moves the position to the end of the sealed frame. The caller then
     * computes its tag over {@code buf[frameStart, tagOffset)} (every byte before the tag, with
     * the final flags and length) and writes it at {@code buf[tagOffset, tagOffset + tagLength)}.
     *
     * <pre>
     * before:  | frame (flags 0, length L) |
     * after:   | frame (flags 1, length L+2+T) | keyId | T | T bytes for the tag |
     *                                                        ^ returned tag offset (absolute)
     * </pre>
     *
     * @return the absolute index in {@code buf} of the first tag byte
     * @throws IllegalArgumentException when the key id or tag length is out of range, the bytes
     *     before the position are not one unsealed frame, the sealed frame would exceed
     *     {@value #MAX_FRAME_LENGTH} bytes, or {@code buf} has too little room; {@code buf} is then
     *     unchanged
     */
    public static int openTrailer(ByteBuffer buf, int frameStart, int keyId, int tagLength) {
        if (keyId < 0 || keyId > 255) {
            throw new IllegalArgumentException("keyId : " + keyId + " (expected: 0..255)");
        }
        if (tagLength < 1 || tagLength > MAX_AUTH_TAG_LENGTH) {
            throw new IllegalArgumentException("tagLength : " + tagLength + " (expected: 1.." + MAX_AUTH_TAG_LENGTH + ")");
        }
        int end = buf.position();
        int unsealed = end - frameStart;
        if (frameStart < 0 || unsealed < MIN_FRAME_LENGTH || rd16(buf, frameStart) != MAGIC
                || peekLength(buf, frameStart) != unsealed || (rd16(buf, frameStart + 4) & FLAG_AUTH) != 0) {
            throw new IllegalArgumentException("frame : bytes " + frameStart + ".." + end
                    + " (expected: one unsealed frame, encoded by FrameCodec, ending at the buffer's position)");
        }
        int sealed = unsealed + AUTH_TRAILER_OVERHEAD + tagLength;
        if (sealed > MAX_FRAME_LENGTH) {
            throw tooLong(sealed);
        }
        if (buf.limit() - end < AUTH_TRAILER_OVERHEAD + tagLength) {
            throw new IllegalArgumentException("buffer : " + (buf.limit() - end) + " bytes free (expected: >= "
                    + (AUTH_TRAILER_OVERHEAD + tagLength) + " for the trailer)");
        }
        u16(buf, frameStart + 4, rd16(buf, frameStart + 4) | FLAG_AUTH);
        u16(buf, frameStart + LENGTH_FIELD_OFFSET, sealed);
        u8(buf, end, keyId);
        u8(buf, end + 1, tagLength);
        buf.position(frameStart + sealed);
        return end + AUTH_TRAILER_OVERHEAD;
    }

    private static void checkMillis(String name, int v) {
        if (v < 0) {
            throw new IllegalArgumentException(name + " : " + v + " (expected: >= 0)");
        }
    }

    private static int loadLength(LoadView load) {
        int n = LOAD_FIXED;
        for (int i = 0; i < load.customCount(); i++) {
            n += 1 + utf8Length(load.customName(i)) + 8;
        }
        return n;
    }

    private static int writeLoad(ByteBuffer b, int p, LoadView load) {
        p = u16(b, p, fraction(load.cpu()));
        p = u16(b, p, fraction(load.memory()));
        p = u32(b, p, (int) count(load.inFlight()));
        p = u32(b, p, (int) count(load.queueDepth()));
        p = u32(b, p, Float.floatToIntBits((float) load.requestsPerSecond()));
        p = u16(b, p, fraction(load.errorRate()));
        p = u32(b, p, (int) count(load.latencyMicros()));
        int n = load.customCount();
        p = u8(b, p, n);
        for (int i = 0; i < n; i++) {
            String name = load.customName(i);
            p = u8(b, p, utf8Length(name));
            p = utf8(b, p, name);
            p = u64(b, p, Double.doubleToLongBits(load.customValue(i)));
        }
        return p;
    }

    static int fraction(double v) {
        return Double.isNaN(v) ? U16_UNKNOWN : (int) Math.round(v * FRACTION_SCALE);
    }

    private static long count(long v) {
        return v < 0 ? U32_UNKNOWN : v;
    }

    private static int u8(ByteBuffer b, int p, int v) {
        b.put(p, (byte) v);
        return p + 1;
    }

    private static int u16(ByteBuffer b, int p, int v) {
        b.put(p, (byte) (v >>> 8));
        b.put(p + 1, (byte) v);
        return p + 2;
    }

    private static int u32(ByteBuffer b, int p, int v) {
        b.put(p, (byte) (v >>> 24));
        b.put(p + 1, (byte) (v >>> 16));
        b.put(p + 2, (byte) (v >>> 8));
        b.put(p + 3, (byte) v);
        return p + 4;
    }

    private static int u64(ByteBuffer b, int p, long v) {
        u32(b, p, (int) (v >>> 32));
        return u32(b, p + 4, (int) v);
    }

    /**
     * Checks a node id for the wire: 1..{@value #MAX_NODE_ID_BYTES} UTF-8 bytes, no unpaired
     * surrogate (which UTF-8 cannot carry; the JDK would silently turn it into '?').
     *
     * @return the id
     * @throws IllegalArgumentException naming the value and the rule
     */
    public static String checkNodeId(String nodeId) {
        checkWireString("nodeId", nodeId, MAX_NODE_ID_BYTES);
        return nodeId;
    }

    static int checkWireString(String name, String value, int maxBytes) {
        if (value == null) {
            throw new IllegalArgumentException(name + " : null (expected: 1.." + maxBytes + " UTF-8 bytes)");
        }
        int n = utf8Length(value);
        if (n < 0) {
            throw new IllegalArgumentException(name + " : '" + value
                    + "' contains an unpaired surrogate (expected: valid Unicode text)");
        }
        if (n < 1 || n > maxBytes) {
            throw new IllegalArgumentException(name + " : '" + value + "' is " + n + " UTF-8 bytes (expected: 1.."
                    + maxBytes + ")");
        }
        return n;
    }

    /** UTF-8 length of a string, or -1 when it holds an unpaired surrogate. */
    static int utf8Length(String s) {
        int n = 0;
        for (int i = 0, len = s.length(); i < len; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                return -1;
            } else {
                n += 3;
            }
        }
        return n;
    }

    private static int utf8(ByteBuffer b, int p, String s) {
        for (int i = 0, len = s.length(); i < len; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                b.put(p++, (byte) c);
            } else if (c < 0x800) {
                b.put(p++, (byte) (0xC0 | (c >> 6)));
                b.put(p++, (byte) (0x80 | (c & 0x3F)));
            } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                b.put(p++, (byte) (0xF0 | (cp >> 18)));
                b.put(p++, (byte) (0x80 | ((cp >> 12) & 0x3F)));
                b.put(p++, (byte) (0x80 | ((cp >> 6) & 0x3F)));
                b.put(p++, (byte) (0x80 | (cp & 0x3F)));
            } else if (Character.isSurrogate(c)) {
                throw new AssertionError("unpaired surrogate passed the length check");
            } else {
                b.put(p++, (byte) (0xE0 | (c >> 12)));
                b.put(p++, (byte) (0x80 | ((c >> 6) & 0x3F)));
                b.put(p++, (byte) (0x80 | (c & 0x3F)));
            }
        }
        return p;
    }

    // =========================================================================================
    // Decoding
    // =========================================================================================

    /**
     * Reads the frame length from a buffer holding at least the first
     * {@code LENGTH_FIELD_OFFSET + LENGTH_FIELD_SIZE} bytes of a frame, without checking anything
     * else. For stream framers.
     */
    public static int peekLength(ByteBuffer src, int frameStart) {
        return ((src.get(frameStart + LENGTH_FIELD_OFFSET) & 0xFF) << 8) | (src.get(frameStart + LENGTH_FIELD_OFFSET + 1) & 0xFF);
    }

    /**
     * Reads the header of one frame without decoding the rest and without moving {@code src}'s
     * position: for a receive path that drops replays, stale epochs or unauthenticated datagrams
     * before paying for a full {@link #decode}. The bytes from the position to the limit must be
     * one whole frame, as for {@code decode}. Only the header is checked, in {@code decode}'s
     * order and with its reasons: magic, version, type, length (too large, too small, more or
     * fewer bytes than it says) and epoch 0. A frame that passes {@code peek} can still fail
     * {@code decode}.
     *
     * <pre>{@code
     * FrameCodec.peek(datagram, header);                   // throws FrameDecodeException
     * if (requireAuth && !header.hasAuthTrailer()) drop(MISSING);
     * else if (!window.fresh(header.epoch(), header.sequence())) drop(REPLAY);
     * else FrameCodec.decode(datagram, frame);             // then verify, then act
     * }</pre>
     *
     * @throws FrameDecodeException with the reason {@code decode} would give for the header
     */
    public static void peek(ByteBuffer src, FrameHeader into) throws FrameDecodeException {
        int start = src.position();
        FrameType type = checkHeader(src, start);
        into.set(type, rd16(src, start + 4), rd16(src, start + 6), rd64(src, start + 8), rd32(src, start + 16));
    }

    /** The header checks shared by peek and decode; returns the type. */
    private static FrameType checkHeader(ByteBuffer src, int start) throws FrameDecodeException {
        final int available = src.remaining();
        if (available < FIXED_HEADER_LENGTH) {
            if (available >= 2 && rd16(src, start) != MAGIC) {
                throw new FrameDecodeException(BAD_MAGIC, String.format("magic 0x%04x (expected 0x%04x \"HB\")",
                        rd16(src, start), MAGIC));
            }
            throw new FrameDecodeException(TRUNCATED, available + " bytes (expected at least "
                    + FIXED_HEADER_LENGTH + " for a header)");
        }
        int magic = rd16(src, start);
        if (magic != MAGIC) {
            throw new FrameDecodeException(BAD_MAGIC, String.format("magic 0x%04x (expected 0x%04x \"HB\")", magic, MAGIC));
        }
        int version = rd8(src, start + 2);
        if (version != VERSION) {
            throw new FrameDecodeException(UNSUPPORTED_VERSION, "version " + version + " (this decoder speaks " + VERSION + ")");
        }
        int typeCode = rd8(src, start + 3);
        FrameType type = FrameType.fromCode(typeCode);
        if (type == null) {
            throw new FrameDecodeException(UNKNOWN_TYPE, "type " + typeCode + " (expected 1 PING, 2 PONG or 3 GOODBYE)");
        }
        int length = rd16(src, start + 6);
        if (length > MAX_FRAME_LENGTH) {
            throw new FrameDecodeException(TOO_LARGE, "length " + length + " (maximum " + MAX_FRAME_LENGTH + ")");
        }
        if (length < MIN_FRAME_LENGTH) {
            throw new FrameDecodeException(LENGTH_MISMATCH, "length " + length + " (minimum " + MIN_FRAME_LENGTH + ")");
        }
        if (length > available) {
            throw new FrameDecodeException(TRUNCATED, "length field says " + length + " bytes, only " + available + " present");
        }
        if (length < available) {
            throw new FrameDecodeException(LENGTH_MISMATCH, "length field says " + length + " bytes, but "
                    + available + " were given (trailing bytes)");
        }
        if (rd64(src, start + 8) == 0) {
            throw new FrameDecodeException(FIELD_OUT_OF_RANGE, "epoch 0 (expected non-zero)");
        }
        return type;
    }

    /**
     * Decodes exactly one frame: the bytes from {@code src}'s position to its limit must be one
     * whole frame (a TCP frame cut by the framer, or one UDP datagram). On success the position
     * moves to the limit; on failure {@code src} and {@code into} keep no partial meaning.
     *
     * @throws FrameDecodeException with a specific {@link FrameDecodeException.Reason}
     */
    public static void decode(ByteBuffer src, Frame into) throws FrameDecodeException {
        final int start = src.position();
        final FrameType type = checkHeader(src, start);
        final int flags = rd16(src, start + 4);
        final int length = rd16(src, start + 6);
        final int end = start + length;
        final long epoch = rd64(src, start + 8);
        int sequence = rd32(src, start + 16);
        long sendTime = rd64(src, start + 20);
        int nodeLen = rd8(src, start + 28);
        if (nodeLen == 0) {
            throw new FrameDecodeException(FIELD_OUT_OF_RANGE, "node id length 0 (expected 1.." + MAX_NODE_ID_BYTES + ")");
        }
        int p = start + FIXED_HEADER_LENGTH;
        need(p, nodeLen, end, "node id");
        byte[] nodeIdUtf8 = into.reusableNodeId();
        String nodeId = null; // made only when the bytes are new (to check them)
        if (!sameBytes(src, p, nodeLen, nodeIdUtf8)) {
            nodeIdUtf8 = copy(src, p, nodeLen);
            nodeId = utf8(nodeIdUtf8, p);
        }
        p += nodeLen;
        into.decodedHeader(type, flags, epoch, sequence, sendTime, nodeIdUtf8, nodeId);

        switch (type) {
            case PING: {
                need(p, PING_BODY, end, "PING body");
                into.decodedPing(millis(src, p, "intervalMillis"));
                p += PING_BODY;
                break;
            }
            case PONG: {
                need(p, PONG_FIXED_BODY, end, "PONG body");
                int echoSeq = rd32(src, p);
                long echoTime = rd64(src, p + 4);
                int statusCode = rd8(src, p + 12);
                ServingStatus status = ServingStatus.fromCode(statusCode);
                if (status == null) {
                    throw new FrameDecodeException(BAD_ENUM, "status " + statusCode + " (expected 0..3)");
                }
                int minInterval = millis(src, p + 13, "minIntervalMillis");
                p += PONG_FIXED_BODY;
                p = readLoad(src, p, end, into);
                into.decodedPong(echoSeq, echoTime, status, minInterval);
                break;
            }
            case GOODBYE: {
                need(p, GOODBYE_BODY, end, "GOODBYE body");
                into.decodedGoodbye(millis(src, p, "comeBackAfterMillis"));
                p += GOODBYE_BODY;
                break;
            }
            default:
                throw new AssertionError(type);
        }

        need(p, 2, end, "extension area length");
        int extLen = rd16(src, p);
        p += 2;
        need(p, extLen, end, "extension area");
        int extEnd = p + extLen;
        while (p < extEnd) {
            need(p, 4, extEnd, "extension header");
            int extType = rd16(src, p);
            int len = rd16(src, p + 2);
            p += 4;
            if (len > extEnd - p) {
                throw truncated("extension 0x" + Integer.toHexString(extType), len, extEnd - p);
            }
            if ((extType & EXTENSION_CRITICAL) != 0) {
                throw new FrameDecodeException(UNKNOWN_CRITICAL_EXTENSION, "extension type 0x"
                        + Integer.toHexString(extType) + " is critical and not understood");
            }
            p += len; // unknown optional extension: skip
        }
        if ((flags & FLAG_AUTH) != 0) {
            need(p, 2, end, "authentication trailer");
            int keyId = rd8(src, p);
            int tagLen = rd8(src, p + 1);
            if (tagLen < 1 || tagLen > MAX_AUTH_TAG_LENGTH) {
                throw new FrameDecodeException(FIELD_OUT_OF_RANGE, "authentication tag length " + tagLen
                        + " (expected 1.." + MAX_AUTH_TAG_LENGTH + ")");
            }
            p += 2;
            need(p, tagLen, end, "authentication tag");
            into.decodedAuth(keyId, p - start, tagLen);
            p += tagLen;
        }
        if (p != end) {
            throw new FrameDecodeException(LENGTH_MISMATCH, (end - p) + " unparsed bytes before the end of the frame");
        }
        into.length(length);
        src.position(end);
    }

    private static int readLoad(ByteBuffer b, int p, int end, Frame into) throws FrameDecodeException {
        need(p, LOAD_FIXED, end, "load report");
        int cpu = fractionAt(b, p, "cpu");
        int mem = fractionAt(b, p + 2, "memory");
        long inFlight = countAt(b, p + 4, "inFlight");
        long queue = countAt(b, p + 8, "queueDepth");
        float rps = Float.intBitsToFloat(rd32(b, p + 12));
        if (!Float.isNaN(rps) && (rps < 0 || Float.isInfinite(rps))) {
            throw new FrameDecodeException(FIELD_OUT_OF_RANGE, "requestsPerSecond " + rps + " (expected finite >= 0 or NaN)");
        }
        int err = fractionAt(b, p + 16, "errorRate");
        long latency = countAt(b, p + 18, "latencyMicros");
        int n = rd8(b, p + 22);
        if (n > LoadReport.MAX_CUSTOM_METRICS) {
            throw new FrameDecodeException(FIELD_OUT_OF_RANGE, "custom metric count " + n
                    + " (expected 0.." + LoadReport.MAX_CUSTOM_METRICS + ")");
        }
        p += LOAD_FIXED;
        LoadFigures load = into.decodedLoad();
        for (int i = 0; i < n; i++) {
            // messages are built only on failure: no string concatenation per metric per frame
            if (end - p < 1) {
                throw truncated("custom metric " + i + " name length", 1, end - p);
            }
            int len = rd8(b, p);
            if (len < 1 || len > LoadReport.MAX_CUSTOM_NAME_BYTES) {
                throw new FrameDecodeException(FIELD_OUT_OF_RANGE, "custom metric " + i + " name length " + len
                        + " (expected 1.." + LoadReport.MAX_CUSTOM_NAME_BYTES + ")");
            }
            p += 1;
            if (len + 8 > end - p) {
                throw truncated("custom metric " + i, len + 8, end - p);
            }
            String name = utf8(b, p, len, into.reusableName(i));
            p += len;
            double v = Double.longBitsToDouble(rd64(b, p));
            if (!Double.isFinite(v)) {
                throw new FrameDecodeException(FIELD_OUT_OF_RANGE, "custom metric " + name + " value " + v + " (expected finite)");
            }
            load.custom(i, name, v);
            p += 8;
        }
        load.decoded(cpu, mem, inFlight, queue, rps, err, latency, n);
        return p;
    }

    /** A fraction in 1/10,000, checked: 0..10,000, or 0xFFFF for unknown. */
    private static int fractionAt(ByteBuffer b, int p, String name) throws FrameDecodeException {
        int v = rd16(b, p);
        if (v != U16_UNKNOWN && v > FRACTION_SCALE) {
            throw new FrameDecodeException(FIELD_OUT_OF_RANGE, name + " " + v + "/10000 (expected 0..10000 or 0xFFFF)");
        }
        return v;
    }

    private static long countAt(ByteBuffer b, int p, String name) throws FrameDecodeException {
        long v = rd32(b, p) & 0xFFFF_FFFFL;
        if (v == U32_UNKNOWN) {
            return -1;
        }
        if (v > LoadReport.MAX_COUNT) {
            throw new FrameDecodeException(FIELD_OUT_OF_RANGE, name + " " + v + " (expected 0.." + LoadReport.MAX_COUNT
                    + " or 0xFFFFFFFF)");
        }
        return v;
    }

    private static int millis(ByteBuffer b, int p, String name) throws FrameDecodeException {
        int v = rd32(b, p);
        if (v < 0) {
            throw new FrameDecodeException(FIELD_OUT_OF_RANGE, name + " " + Integer.toUnsignedString(v)
                    + " (expected 0.." + Integer.MAX_VALUE + ")");
        }
        return v;
    }

    /** Checks that {@code n} bytes remain before {@code end}; {@code what} must be a constant (no concatenation). */
    private static void need(int p, int n, int end, String what) throws FrameDecodeException {
        if (n > end - p) {
            throw truncated(what, n, end - p);
        }
    }

    private static FrameDecodeException truncated(String what, int n, int left) {
        return new FrameDecodeException(TRUNCATED, what + " needs " + n + " bytes, " + left + " left in the frame");
    }

    private static int rd8(ByteBuffer b, int p) {
        return b.get(p) & 0xFF;
    }

    private static int rd16(ByteBuffer b, int p) {
        return ((b.get(p) & 0xFF) << 8) | (b.get(p + 1) & 0xFF);
    }

    private static int rd32(ByteBuffer b, int p) {
        return ((b.get(p) & 0xFF) << 24) | ((b.get(p + 1) & 0xFF) << 16) | ((b.get(p + 2) & 0xFF) << 8) | (b.get(p + 3) & 0xFF);
    }

    private static long rd64(ByteBuffer b, int p) {
        return ((long) rd32(b, p) << 32) | (rd32(b, p + 4) & 0xFFFF_FFFFL);
    }

    /**
     * The string of the {@code len} UTF-8 bytes at {@code p}: {@code known} itself when those are
     * exactly its bytes (a repeated node id or metric name then costs a comparison, no
     * allocation), else a new string.
     *
     * @throws FrameDecodeException when the bytes are not valid UTF-8
     */
    static String utf8(ByteBuffer b, int p, int len, String known) throws FrameDecodeException {
        if (known != null && isUtf8Of(b, p, len, known)) {
            return known;
        }
        return utf8(copy(b, p, len), p);
    }

    /** The {@code len} bytes at {@code p}, copied. */
    private static byte[] copy(ByteBuffer b, int p, int len) {
        byte[] copy = new byte[len];
        for (int i = 0; i < len; i++) {
            copy[i] = b.get(p + i);
        }
        return copy;
    }

    /**
     * The string of {@code bytes} (read at offset {@code p}, for the message).
     *
     * @throws FrameDecodeException when they are not well-formed UTF-8
     */
    private static String utf8(byte[] bytes, int p) throws FrameDecodeException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new FrameDecodeException(BAD_UTF8, "string of " + bytes.length + " bytes at offset " + p
                    + " is not valid UTF-8");
        }
    }

    /** True when the {@code len} bytes at {@code p} are exactly {@code known} (false for null). */
    static boolean sameBytes(ByteBuffer b, int p, int len, byte[] known) {
        if (known == null || known.length != len) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (b.get(p + i) != known[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * True when the {@code len} bytes at {@code p} are the UTF-8 encoding of {@code s}, compared
     * char by char as they would be encoded (nothing allocated). A string with a lone surrogate
     * has no UTF-8 encoding: never equal.
     */
    static boolean isUtf8Of(ByteBuffer b, int p, int len, String s) {
        int n = s.length();
        if (n > len || len > 3 * n) {
            return false; // one to three bytes per char (a surrogate pair: four for two)
        }
        int q = p;
        int end = p + len;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                if (q == end || b.get(q++) != (byte) c) {
                    return false;
                }
                continue;
            }
            int cp = c;
            if (Character.isSurrogate(c)) {
                char low = i + 1 < n ? s.charAt(i + 1) : 0;
                if (!Character.isHighSurrogate(c) || !Character.isLowSurrogate(low)) {
                    return false;
                }
                cp = Character.toCodePoint(c, low);
                i++;
            }
            int bytes = cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (end - q < bytes) {
                return false;
            }
            // The lead byte: 110xxxxx, 1110xxxx or 11110xxx; then 10xxxxxx per further 6 bits.
            int lead = bytes == 2 ? 0xC0 | cp >> 6 : bytes == 3 ? 0xE0 | cp >> 12 : 0xF0 | cp >> 18;
            if (b.get(q++) != (byte) lead) {
                return false;
            }
            for (int shift = 6 * (bytes - 2); shift >= 0; shift -= 6) {
                if (b.get(q++) != (byte) (0x80 | (cp >> shift & 0x3F))) {
                    return false;
                }
            }
        }
        return q == end;
    }
}
