package dev.heartbeat.udp.internal;

import dev.heartbeat.protocol.Frame;
import dev.heartbeat.protocol.FrameCodec;
import dev.heartbeat.protocol.FrameSealer;
import dev.heartbeat.protocol.LoadReport;
import java.nio.ByteBuffer;

/**
 * The anti-amplification fallback of the UDP responder: a PONG that keeps everything a monitor
 * needs for liveness and serving status (epoch, echo, status, advice) but withholds the load
 * report, and says so with one optional extension entry:
 *
 * <pre>
 *   extension area:  00 06 | 00 02 | 00 02 | LL LL
 *                    E = 6   type    len 2   u16: length of the full PONG that was withheld
 * </pre>
 *
 * Type {@code 0x0002} ("load withheld") has bit 15 clear, so every v1 decoder skips it. The UDP
 * monitor link reads it ({@link #withheldLength}) and pads its next PINGs to that length, so that
 * the next answer can be the full PONG. A reduced PONG is {@code 71 + N + 6} bytes (N the
 * responder's node id bytes), plus the trailer when the responder seals.
 */
public final class ReducedPong {

    /** The extension type of the marker. */
    public static final int EXTENSION_LOAD_WITHHELD = 0x0002;
    /** Bytes the marker adds to a PONG. */
    public static final int MARKER_LENGTH = 6;

    private ReducedPong() {
    }

    /**
     * Rewrites {@code pong} (a PONG, as {@code HeartbeatResponder.respond} left it) without its
     * load report, and writes it at {@code dst}'s position with the marker, sealed if
     * {@code sealer} is not null.
     *
     * @return the length written, or -1 (nothing written) when it would be longer than {@code maxLength}
     */
    public static int write(Frame pong, int fullLength, ByteBuffer dst, FrameSealer sealer, int maxLength) {
        pong.pong(pong.epoch(), pong.sequence(), pong.sendTimeNanos(), pong.nodeId(), pong.echoSequence(),
                pong.echoSendTimeNanos(), pong.status(), pong.minIntervalMillis(), LoadReport.UNKNOWN);
        int length = FrameCodec.encodedLength(pong, null) + MARKER_LENGTH + (sealer == null ? 0 : sealer.trailerLength());
        if (length > maxLength || dst.remaining() < length) {
            return -1;
        }
        int start = dst.position();
        FrameCodec.encode(pong, dst, null);
        int end = dst.position();
        // The unsealed encoding ends with an empty extension area (00 00): make it hold the marker.
        dst.put(end - 2, (byte) 0).put(end - 1, (byte) MARKER_LENGTH);
        dst.put(end, (byte) 0).put(end + 1, (byte) EXTENSION_LOAD_WITHHELD);
        dst.put(end + 2, (byte) 0).put(end + 3, (byte) 2);
        dst.put(end + 4, (byte) (fullLength >>> 8)).put(end + 5, (byte) fullLength);
        int unsealed = end + MARKER_LENGTH - start;
        dst.put(start + FrameCodec.LENGTH_FIELD_OFFSET, (byte) (unsealed >>> 8));
        dst.put(start + FrameCodec.LENGTH_FIELD_OFFSET + 1, (byte) unsealed);
        dst.position(end + MARKER_LENGTH);
        if (sealer != null) {
            sealer.seal(dst, start);
        }
        return dst.position() - start;
    }

    /**
     * The withheld length a reduced PONG announces, or 0 when {@code buf[start, start + length)}
     * is not a PONG carrying the marker. Reads bytes only, bounds-checked; never throws. The frame
     * is not authenticated yet, so callers bound what they do with the value.
     */
    public static int withheldLength(ByteBuffer buf, int start, int length) {
        if (length < FrameCodec.MIN_FRAME_LENGTH || buf.get(start + 3) != 2) {
            return 0;
        }
        int n = buf.get(start + 28) & 0xFF;
        int custom = start + 29 + n + 17 + 22; // custom metric count of the load report
        int area = custom + 1;
        if (area + 8 > start + length || buf.get(custom) != 0) {
            return 0;
        }
        int e = u16(buf, area);
        if (e < MARKER_LENGTH || u16(buf, area + 2) != EXTENSION_LOAD_WITHHELD || u16(buf, area + 4) != 2) {
            return 0;
        }
        return u16(buf, area + 6);
    }

    private static int u16(ByteBuffer b, int i) {
        return ((b.get(i) & 0xFF) << 8) | (b.get(i + 1) & 0xFF);
    }
}
