package dev.heartbeat.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;

/** Shared helpers for the protocol tests: byte arrays, hand patching, random frames, comparison. */
final class TestFrames {

    static final HexFormat HEX = HexFormat.of();

    private TestFrames() {
    }

    // --- encode / decode on byte arrays ------------------------------------------------------

    static byte[] encode(Frame frame) {
        ByteBuffer b = ByteBuffer.allocate(FrameCodec.MAX_FRAME_LENGTH);
        int n = FrameCodec.encode(frame, b);
        assertThat(b.position()).isEqualTo(n);
        return Arrays.copyOf(b.array(), n);
    }

    static Frame decode(byte[] bytes) throws FrameDecodeException {
        return decode(bytes, new Frame());
    }

    static Frame decode(byte[] bytes, Frame into) throws FrameDecodeException {
        FrameCodec.decode(ByteBuffer.wrap(bytes), into);
        return into;
    }

    static String hex(byte[] b) {
        return HEX.formatHex(b);
    }

    /** Hex in the layout of docs/protocol.md: 16 bytes a line, a gap after the eighth. */
    static String hexDump(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < b.length; i++) {
            sb.append(HEX.toHexDigits(b[i]));
            sb.append(i == b.length - 1 ? "" : i % 16 == 15 ? "\n" : i % 8 == 7 ? "  " : " ");
        }
        return sb.toString();
    }

    /** Parses hex digits, ignoring all whitespace. */
    static byte[] unhex(String s) {
        return HEX.parseHex(s.replaceAll("\\s+", ""));
    }

    // --- sample frames ---------------------------------------------------------------------

    static final String PONG_NODE = "orders-eu-west-3"; // 16 bytes

    static Frame samplePing() {
        return new Frame().ping(0x0123456789ABCDEFL, 0xFFFFFFFE, 5_000_000_000L, "zürich-1", 100);
    }

    static LoadReport sampleLoad() {
        return LoadReport.builder().cpu(0.425).memory(0.6).inFlight(12).queueDepth(3)
                .requestsPerSecond(1234.5).errorRate(0.0015).latencyMicros(8500)
                .custom("pool.active", 12).custom("gc.pause_ms", 3.5).build();
    }

    static Frame samplePong() {
        return samplePong(sampleLoad());
    }

    static Frame samplePong(LoadReport load) {
        return new Frame().pong(0x7E57C0DEF00DBEEFL, 42, 987_654_321_000L, PONG_NODE, 0xFFFFFFFE,
                5_000_000_000L, ServingStatus.DEGRADED, 50, load);
    }

    static Frame sampleGoodbye() {
        return new Frame().goodbye(0x7E57C0DEF00DBEEFL, 44, 987_800_000_000L, PONG_NODE, 30_000);
    }

    /** Offset of the type body in a frame whose node id is {@code nodeBytes} long. */
    static int body(int nodeBytes) {
        return FrameCodec.FIXED_HEADER_LENGTH + nodeBytes;
    }

    /** Offset of the load report in a PONG whose node id is {@code nodeBytes} long. */
    static int load(int nodeBytes) {
        return body(nodeBytes) + FrameCodec.PONG_FIXED_BODY;
    }

    // --- hand patching ---------------------------------------------------------------------

    static byte[] put8(byte[] b, int off, int v) {
        b[off] = (byte) v;
        return b;
    }

    static byte[] put16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
        return b;
    }

    static byte[] put32(byte[] b, int off, long v) {
        for (int i = 0; i < 4; i++) {
            b[off + i] = (byte) (v >>> (24 - 8 * i));
        }
        return b;
    }

    static byte[] put64(byte[] b, int off, long v) {
        for (int i = 0; i < 8; i++) {
            b[off + i] = (byte) (v >>> (56 - 8 * i));
        }
        return b;
    }

    /** Sets the length field to the array's length. */
    static byte[] fixLength(byte[] b) {
        return put16(b, FrameCodec.LENGTH_FIELD_OFFSET, b.length);
    }

    /**
     * An encoded frame (which has an empty extension area and no trailer) rebuilt with the given
     * extension area content (without its length prefix), flags and trailer bytes; the extension
     * area length is {@code ext.length} and the length field is fixed.
     */
    static byte[] rebuild(byte[] encoded, byte[] ext, int flags, byte[] trailer) {
        return rebuild(encoded, ext.length, ext, flags, trailer);
    }

    /** Like {@link #rebuild(byte[], byte[], int, byte[])} with an explicit (possibly lying) area length. */
    static byte[] rebuild(byte[] encoded, int extLength, byte[] ext, int flags, byte[] trailer) {
        int head = encoded.length - 2;
        byte[] out = new byte[head + 2 + ext.length + trailer.length];
        System.arraycopy(encoded, 0, out, 0, head);
        put16(out, head, extLength);
        System.arraycopy(ext, 0, out, head + 2, ext.length);
        System.arraycopy(trailer, 0, out, head + 2 + ext.length, trailer.length);
        put16(out, 4, flags);
        return fixLength(out);
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int o = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }

    // --- random frames ---------------------------------------------------------------------

    /** A random valid string of 1..maxBytes UTF-8 bytes, mixing 1-, 2-, 3- and 4-byte characters. */
    static String randomString(Random r, int maxBytes) {
        int target = 1 + r.nextInt(maxBytes);
        int asciiBias = r.nextInt(4); // some strings mostly ASCII, some mostly multi-byte
        StringBuilder sb = new StringBuilder();
        int bytes = 0;
        while (true) {
            int cp;
            int kind = r.nextInt(4) < asciiBias ? 0 : r.nextInt(4);
            switch (kind) {
                case 0:
                    cp = r.nextInt(0x80);
                    break;
                case 1:
                    cp = 0x80 + r.nextInt(0x800 - 0x80);
                    break;
                case 2:
                    do {
                        cp = 0x800 + r.nextInt(0x10000 - 0x800);
                    } while (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE);
                    break;
                default:
                    cp = 0x10000 + r.nextInt(Character.MAX_CODE_POINT + 1 - 0x10000);
                    break;
            }
            int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + n > target) {
                if (bytes == 0) {
                    continue; // need at least one character
                }
                break;
            }
            sb.appendCodePoint(cp);
            bytes += n;
        }
        String s = sb.toString();
        assertThat(s.getBytes(StandardCharsets.UTF_8).length).isBetween(1, maxBytes);
        return s;
    }

    static double randomFraction(Random r) {
        switch (r.nextInt(8)) {
            case 0:
                return Double.NaN;
            case 1:
                return 0.0;
            case 2:
                return 1.0;
            case 3:
                return r.nextInt(10_001) / 10_000.0; // exactly on the grid
            case 4:
                return 0.00005; // rounds up to 1/10000
            default:
                return r.nextDouble();
        }
    }

    static long randomCount(Random r) {
        switch (r.nextInt(6)) {
            case 0:
                return -1;
            case 1:
                return 0;
            case 2:
                return LoadReport.MAX_COUNT;
            case 3:
                return r.nextInt(1000);
            default:
                return r.nextInt(Integer.MAX_VALUE);
        }
    }

    static double randomRps(Random r) {
        switch (r.nextInt(9)) {
            case 0:
                return Double.NaN;
            case 1:
                return 0.0;
            case 2:
                return -0.0;
            case 3:
                return Float.MAX_VALUE;
            case 4:
                return Float.MIN_VALUE;
            case 5:
                return 1e-50; // below float range: becomes 0.0f
            case 6: {
                float f;
                do {
                    f = Float.intBitsToFloat(r.nextInt() & 0x7FFF_FFFF);
                } while (!Float.isFinite(f));
                return f;
            }
            default:
                return r.nextDouble() * 100_000;
        }
    }

    static double randomFinite(Random r) {
        switch (r.nextInt(6)) {
            case 0:
                return -0.0;
            case 1:
                return r.nextBoolean() ? Double.MAX_VALUE : -Double.MAX_VALUE;
            case 2:
                return Double.MIN_VALUE;
            case 3: {
                double d;
                do {
                    d = Double.longBitsToDouble(r.nextLong());
                } while (!Double.isFinite(d));
                return d;
            }
            default:
                return (r.nextDouble() - 0.5) * 1e6;
        }
    }

    static LoadReport randomLoad(Random r) {
        LoadReport.Builder b = LoadReport.builder()
                .cpu(randomFraction(r)).memory(randomFraction(r))
                .inFlight(randomCount(r)).queueDepth(randomCount(r))
                .requestsPerSecond(randomRps(r)).errorRate(randomFraction(r))
                .latencyMicros(randomCount(r));
        int n = r.nextInt(LoadReport.MAX_CUSTOM_METRICS + 1);
        for (int i = 0; i < n; i++) {
            b.custom(randomString(r, LoadReport.MAX_CUSTOM_NAME_BYTES), randomFinite(r));
        }
        return b.build();
    }

    static long randomEpoch(Random r) {
        long e;
        do {
            e = r.nextLong();
        } while (e == 0);
        return e;
    }

    static int randomMillis(Random r) {
        switch (r.nextInt(4)) {
            case 0:
                return 0;
            case 1:
                return Integer.MAX_VALUE;
            default:
                return r.nextInt(Integer.MAX_VALUE);
        }
    }

    static Frame randomFrame(Random r, FrameType type) {
        long epoch = randomEpoch(r);
        int seq = r.nextInt();
        long sendTime = r.nextLong();
        String node = randomString(r, FrameCodec.MAX_NODE_ID_BYTES);
        switch (type) {
            case PING:
                return new Frame().ping(epoch, seq, sendTime, node, randomMillis(r));
            case PONG:
                return new Frame().pong(epoch, seq, sendTime, node, r.nextInt(), r.nextLong(),
                        ServingStatus.values()[r.nextInt(ServingStatus.values().length)], randomMillis(r),
                        randomLoad(r));
            case GOODBYE:
                return new Frame().goodbye(epoch, seq, sendTime, node, randomMillis(r));
            default:
                throw new AssertionError(type);
        }
    }

    // --- comparison ------------------------------------------------------------------------

    /** What {@code load} looks like after a trip over the wire: fractions to 1/10000, rps via float32. */
    static LoadReport quantised(LoadReport load) {
        LoadReport.Builder b = LoadReport.builder()
                .cpu(quantise(load.cpu())).memory(quantise(load.memory()))
                .inFlight(load.inFlight()).queueDepth(load.queueDepth())
                .requestsPerSecond(Double.isNaN(load.requestsPerSecond()) ? Double.NaN
                        : (double) (float) load.requestsPerSecond())
                .errorRate(quantise(load.errorRate())).latencyMicros(load.latencyMicros());
        for (int i = 0; i < load.customCount(); i++) {
            b.custom(load.customName(i), load.customValue(i));
        }
        return b.build();
    }

    private static double quantise(double fraction) {
        return Double.isNaN(fraction) ? Double.NaN : Math.round(fraction * 10_000) / 10_000.0;
    }

    /** Asserts that {@code actual} (decoded) carries {@code expected}'s fields, the load as quantised. */
    static void assertSameFields(Frame actual, Frame expected, String what) {
        assertThat(actual.type()).as(what + ": type").isEqualTo(expected.type());
        assertThat(actual.epoch()).as(what + ": epoch").isEqualTo(expected.epoch());
        assertThat(actual.sequence()).as(what + ": sequence").isEqualTo(expected.sequence());
        assertThat(actual.sendTimeNanos()).as(what + ": sendTimeNanos").isEqualTo(expected.sendTimeNanos());
        assertThat(actual.nodeId()).as(what + ": nodeId").isEqualTo(expected.nodeId());
        switch (expected.type()) {
            case PING:
                assertThat(actual.intervalMillis()).as(what + ": intervalMillis").isEqualTo(expected.intervalMillis());
                break;
            case PONG:
                assertThat(actual.echoSequence()).as(what + ": echoSequence").isEqualTo(expected.echoSequence());
                assertThat(actual.echoSendTimeNanos()).as(what + ": echoSendTimeNanos")
                        .isEqualTo(expected.echoSendTimeNanos());
                assertThat(actual.status()).as(what + ": status").isEqualTo(expected.status());
                assertThat(actual.minIntervalMillis()).as(what + ": minIntervalMillis")
                        .isEqualTo(expected.minIntervalMillis());
                assertThat(actual.load()).as(what + ": load").isEqualTo(quantised(expected.load()));
                break;
            case GOODBYE:
                assertThat(actual.comeBackAfterMillis()).as(what + ": comeBackAfterMillis")
                        .isEqualTo(expected.comeBackAfterMillis());
                break;
            default:
                throw new AssertionError(expected.type());
        }
    }
}
