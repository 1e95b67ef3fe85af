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
import static dev.heartbeat.protocol.TestFrames.PONG_NODE;
import static dev.heartbeat.protocol.TestFrames.concat;
import static dev.heartbeat.protocol.TestFrames.encode;
import static dev.heartbeat.protocol.TestFrames.fixLength;
import static dev.heartbeat.protocol.TestFrames.put16;
import static dev.heartbeat.protocol.TestFrames.put32;
import static dev.heartbeat.protocol.TestFrames.put64;
import static dev.heartbeat.protocol.TestFrames.put8;
import static dev.heartbeat.protocol.TestFrames.rebuild;
import static dev.heartbeat.protocol.TestFrames.unhex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.heartbeat.protocol.FrameDecodeException.Reason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every way a frame can be malformed gives a {@link FrameDecodeException} with the right reason. */
class FrameDecodeMalformedTest {

    // Layout of the sample frames (see TestFrames): PING node id "zürich-1" is 9 bytes, the PONG
    // and GOODBYE node id is 16 bytes.
    static final int PING_NODE_BYTES = 9;
    static final int PONG_NODE_BYTES = PONG_NODE.getBytes(StandardCharsets.UTF_8).length;
    static final int PING_BODY = TestFrames.body(PING_NODE_BYTES);
    static final int PONG_BODY = TestFrames.body(PONG_NODE_BYTES);
    static final int STATUS = PONG_BODY + 12;
    static final int MIN_INTERVAL = PONG_BODY + 13;
    static final int LOAD = TestFrames.load(PONG_NODE_BYTES);
    static final int CPU = LOAD;
    static final int MEMORY = LOAD + 2;
    static final int IN_FLIGHT = LOAD + 4;
    static final int QUEUE = LOAD + 8;
    static final int RPS = LOAD + 12;
    static final int ERROR_RATE = LOAD + 16;
    static final int LATENCY = LOAD + 18;
    static final int CUSTOM_COUNT = LOAD + 22;
    static final int NAME0_LENGTH = LOAD + 23;
    static final int NAME0 = NAME0_LENGTH + 1; // "pool.active", 11 bytes
    static final int VALUE0 = NAME0 + 11;
    static final int NAME1_LENGTH = VALUE0 + 8;

    static byte[] ping() {
        return encode(TestFrames.samplePing());
    }

    static byte[] pong() {
        return encode(TestFrames.samplePong());
    }

    static byte[] goodbye() {
        return encode(TestFrames.sampleGoodbye());
    }

    static byte[] authGoodbye(int tagLength) {
        byte[] tag = new byte[tagLength];
        Arrays.fill(tag, (byte) 0xA5);
        return rebuild(goodbye(), new byte[0], FrameCodec.FLAG_AUTH, concat(new byte[] {7, (byte) tagLength}, tag));
    }

    static FrameDecodeException reject(byte[] bytes, Reason reason) {
        FrameDecodeException[] caught = new FrameDecodeException[1];
        assertThatThrownBy(() -> TestFrames.decode(bytes))
                .as("decoding %s", TestFrames.hex(bytes))
                .isInstanceOfSatisfying(FrameDecodeException.class, e -> {
                    assertThat(e.reason()).as("reason; message: %s", e.getMessage()).isEqualTo(reason);
                    assertThat(e.getMessage()).startsWith(reason + ": ").hasSizeGreaterThan(reason.name().length() + 10);
                    caught[0] = e;
                });
        return caught[0];
    }

    static Frame accept(byte[] bytes) {
        try {
            return TestFrames.decode(bytes);
        } catch (FrameDecodeException e) {
            throw new AssertionError("expected " + TestFrames.hex(bytes) + " to decode, got " + e.getMessage(), e);
        }
    }

    @Test
    void samplesAreValid() {
        accept(ping());
        accept(pong());
        accept(goodbye());
        accept(authGoodbye(16));
    }

    // --- lengths ---------------------------------------------------------------------------

    static Stream<Arguments> validFrames() {
        return Stream.of(
                Arguments.of("ping", ping()),
                Arguments.of("pong", pong()),
                Arguments.of("goodbye", goodbye()),
                Arguments.of("auth", authGoodbye(32)),
                Arguments.of("extensions", rebuild(ping(), unhex("0042 0003 616263 7fff 0000"), 0, new byte[0])));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validFrames")
    void everyPrefixIsTruncated(String name, byte[] frame) {
        for (int n = 0; n < frame.length; n++) {
            reject(Arrays.copyOf(frame, n), TRUNCATED);
            // the same prefix inside a larger buffer whose limit cuts it
            ByteBuffer b = ByteBuffer.allocate(frame.length + 4);
            b.position(4);
            b.put(frame);
            b.position(4).limit(4 + n);
            ByteBuffer view = b;
            assertThatThrownBy(() -> FrameCodec.decode(view, new Frame()))
                    .isInstanceOfSatisfying(FrameDecodeException.class, e -> assertThat(e.reason()).isEqualTo(TRUNCATED));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validFrames")
    void everyPrefixWithAMatchingLengthFieldIsRejected(String name, byte[] frame) {
        for (int n = FrameCodec.FIXED_HEADER_LENGTH; n < frame.length; n++) {
            byte[] cut = fixLength(Arrays.copyOf(frame, n));
            reject(cut, n < FrameCodec.MIN_FRAME_LENGTH ? LENGTH_MISMATCH : TRUNCATED);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1025, 2000, 0xFFFF})
    void lengthFieldAboveTheMaximumIsTooLarge(int length) {
        byte[] b = Arrays.copyOf(ping(), length);
        FrameDecodeException e = reject(put16(b, FrameCodec.LENGTH_FIELD_OFFSET, length), TOO_LARGE);
        assertThat(e.getMessage()).contains(String.valueOf(length)).contains("1024");
        // also when the bytes given are fewer than it claims: the size check comes first
        reject(put16(ping(), FrameCodec.LENGTH_FIELD_OFFSET, length), TOO_LARGE);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 8, 29, 35})
    void lengthFieldBelowTheMinimumIsAMismatch(int length) {
        reject(put16(ping(), FrameCodec.LENGTH_FIELD_OFFSET, length), LENGTH_MISMATCH);
    }

    @Test
    void trailingBytesAfterTheFrameAreAMismatch() {
        FrameDecodeException e = reject(concat(ping(), new byte[] {0}), LENGTH_MISMATCH);
        assertThat(e.getMessage()).contains("trailing");
        reject(concat(pong(), new byte[3000]), LENGTH_MISMATCH); // a big datagram with garbage after
    }

    @Test
    void bytesInsideTheLengthThatNoFieldExplainsAreAMismatch() {
        // one extra byte counted by the length field, no auth flag: unparsed
        FrameDecodeException e = reject(fixLength(concat(ping(), new byte[] {0})), LENGTH_MISMATCH);
        assertThat(e.getMessage()).contains("unparsed");
    }

    @Test
    void aFrameIsExactlyItsBytesNotAStream() {
        reject(concat(ping(), ping()), LENGTH_MISMATCH);
    }

    // --- header ----------------------------------------------------------------------------

    @Test
    void wrongMagic() {
        assertThat(reject(put8(ping(), 0, 'X'), BAD_MAGIC).getMessage()).contains("0x5842");
        reject(put8(ping(), 1, 0x43), BAD_MAGIC);
        reject(new byte[] {'G', 'E'}, BAD_MAGIC); // short input: the magic is still checked
        reject("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII), BAD_MAGIC);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 2, 0x7F, 0xFF})
    void unsupportedVersion(int version) {
        assertThat(reject(put8(ping(), 2, version), UNSUPPORTED_VERSION).getMessage()).contains("version " + version);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 4, 0x80, 0xFF})
    void unknownType(int type) {
        assertThat(reject(put8(ping(), 3, type), UNKNOWN_TYPE).getMessage()).contains("type " + type);
    }

    @Test
    void reservedFlagBitsAreIgnored() {
        Frame f = accept(put16(ping(), 4, 0xFFFE));
        assertThat(f.flags()).isEqualTo(0xFFFE);
        assertThat(f.authKeyId()).isEqualTo(-1);
    }

    @Test
    void epochZero() {
        assertThat(reject(put64(ping(), 8, 0), FIELD_OUT_OF_RANGE).getMessage()).contains("epoch");
    }

    @Test
    void nodeIdLengthZero() {
        // rejected as out of range before any attempt to parse what follows
        byte[] b = pong();
        assertThat(reject(put8(b, 28, 0), FIELD_OUT_OF_RANGE).getMessage()).contains("node id length 0");
    }

    @Test
    void nodeIdLongerThanTheFrame() {
        reject(put8(ping(), 28, 255), TRUNCATED);
    }

    static Stream<Arguments> badUtf8() {
        return Stream.of(
                Arguments.of("lone continuation byte", unhex("80")),
                Arguments.of("overlong '/'", unhex("c0af")),
                Arguments.of("overlong NUL", unhex("c080")),
                Arguments.of("encoded surrogate U+D800", unhex("eda080")),
                Arguments.of("cut 3-byte sequence", unhex("e282")),
                Arguments.of("above U+10FFFF", unhex("f4908080")),
                Arguments.of("0xFF", unhex("ff")),
                Arguments.of("0xFE", unhex("fe")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badUtf8")
    void badUtf8InNodeId(String name, byte[] bad) {
        byte[] b = ping();
        // at the end of the node id, so no valid continuation follows a cut sequence
        System.arraycopy(bad, 0, b, PING_BODY - bad.length, bad.length);
        reject(b, BAD_UTF8);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badUtf8")
    void badUtf8InNodeIdIsRejectedWhenTheSendersLastBytesAreHandedOver(String name, byte[] bad) throws FrameDecodeException {
        byte[] good = ping();
        Frame into = TestFrames.decode(good);
        byte[] kept = into.nodeIdUtf8();
        byte[] keptCopy = kept.clone();
        byte[] b = good.clone();
        System.arraycopy(bad, 0, b, PING_BODY - bad.length, bad.length);
        assertThatThrownBy(() -> TestFrames.decode(b, into.reuseStrings(kept, null)))
                .isInstanceOfSatisfying(FrameDecodeException.class, e -> assertThat(e.reason()).isEqualTo(BAD_UTF8));
        assertThat(kept).as("only compared with").isEqualTo(keptCopy);
        TestFrames.decode(good.clone(), into.reuseStrings(kept, null));
        assertThat(into.nodeIdUtf8()).isSameAs(kept);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badUtf8")
    void badUtf8InCustomMetricName(String name, byte[] bad) {
        byte[] b = pong();
        System.arraycopy(bad, 0, b, NAME0 + 11 - bad.length, bad.length); // at the end of "pool.active"
        reject(b, BAD_UTF8);
    }

    // --- bodies ----------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(ints = {4, 5, 0xFF})
    void badStatus(int status) {
        assertThat(reject(put8(pong(), STATUS, status), BAD_ENUM).getMessage()).contains("status " + status);
    }

    @Test
    void millisFieldsAboveIntRange() {
        assertThat(reject(put32(ping(), PING_BODY, 0x8000_0000L), FIELD_OUT_OF_RANGE).getMessage())
                .contains("intervalMillis").contains("2147483648");
        assertThat(reject(put32(pong(), MIN_INTERVAL, 0xFFFF_FFFFL), FIELD_OUT_OF_RANGE).getMessage())
                .contains("minIntervalMillis").contains("4294967295");
        assertThat(reject(put32(goodbye(), PONG_BODY, 0x8000_0000L), FIELD_OUT_OF_RANGE).getMessage())
                .contains("comeBackAfterMillis");
        assertThat(accept(put32(ping(), PING_BODY, Integer.MAX_VALUE)).intervalMillis()).isEqualTo(Integer.MAX_VALUE);
    }

    // --- load report -----------------------------------------------------------------------

    @Test
    void fractionsAboveTenThousand() {
        assertThat(reject(put16(pong(), CPU, 10_001), FIELD_OUT_OF_RANGE).getMessage()).contains("cpu 10001");
        assertThat(reject(put16(pong(), MEMORY, 0xFFFE), FIELD_OUT_OF_RANGE).getMessage()).contains("memory");
        assertThat(reject(put16(pong(), ERROR_RATE, 10_001), FIELD_OUT_OF_RANGE).getMessage()).contains("errorRate");
        // the edges are fine
        assertThat(accept(put16(pong(), CPU, 10_000)).load().cpu()).isEqualTo(1.0);
        assertThat(accept(put16(pong(), CPU, 0xFFFF)).load().cpu()).isNaN();
    }

    @Test
    void countsAboveIntRange() {
        assertThat(reject(put32(pong(), IN_FLIGHT, 0x8000_0000L), FIELD_OUT_OF_RANGE).getMessage())
                .contains("inFlight 2147483648");
        assertThat(reject(put32(pong(), QUEUE, 0xFFFF_FFFEL), FIELD_OUT_OF_RANGE).getMessage())
                .contains("queueDepth 4294967294");
        assertThat(reject(put32(pong(), LATENCY, 0x8000_0000L), FIELD_OUT_OF_RANGE).getMessage())
                .contains("latencyMicros");
        assertThat(accept(put32(pong(), IN_FLIGHT, Integer.MAX_VALUE)).load().inFlight()).isEqualTo(Integer.MAX_VALUE);
        assertThat(accept(put32(pong(), IN_FLIGHT, 0xFFFF_FFFFL)).load().inFlight()).isEqualTo(-1);
    }

    @ParameterizedTest
    @ValueSource(floats = {-1.0f, -Float.MIN_VALUE, -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY})
    void requestsPerSecondNegativeOrInfinite(float rps) {
        byte[] b = put32(pong(), RPS, Float.floatToRawIntBits(rps));
        assertThat(reject(b, FIELD_OUT_OF_RANGE).getMessage()).contains("requestsPerSecond");
    }

    @ParameterizedTest
    @ValueSource(ints = {0x7FC0_0000, 0x7F80_0001, 0xFFC0_0000, 0xFFFF_FFFF})
    void anyNanRequestsPerSecondMeansUnknown(int bits) {
        assertThat(accept(put32(pong(), RPS, bits)).load().requestsPerSecond()).isNaN();
    }

    @Test
    void negativeZeroRequestsPerSecondIsAccepted() {
        double rps = accept(put32(pong(), RPS, 0x8000_0000L)).load().requestsPerSecond();
        assertThat(Double.doubleToRawLongBits(rps)).isEqualTo(Double.doubleToRawLongBits(-0.0));
    }

    @ParameterizedTest
    @ValueSource(ints = {17, 100, 255})
    void tooManyCustomMetrics(int count) {
        assertThat(reject(put8(pong(), CUSTOM_COUNT, count), FIELD_OUT_OF_RANGE).getMessage())
                .contains("custom metric count " + count);
    }

    @Test
    void customCountLargerThanTheMetricsPresent() {
        // the third metric's name length is read from the extension length 00 00
        assertThat(reject(put8(pong(), CUSTOM_COUNT, 3), FIELD_OUT_OF_RANGE).getMessage())
                .contains("custom metric 2 name length 0");
        // with nothing after the metrics, the structure runs out
        byte[] noExt = fixLength(Arrays.copyOf(pong(), pong().length - 2));
        reject(put8(noExt, CUSTOM_COUNT, 3), TRUNCATED);
    }

    @Test
    void customCountSmallerThanTheMetricsPresent() {
        // the second metric's bytes are then read as the extension area length
        assertThatThrownBy(() -> TestFrames.decode(put8(pong(), CUSTOM_COUNT, 1)))
                .isInstanceOf(FrameDecodeException.class);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 33, 255})
    void customNameLengthOutOfRange(int length) {
        assertThat(reject(put8(pong(), NAME0_LENGTH, length), FIELD_OUT_OF_RANGE).getMessage())
                .contains("name length " + length);
        reject(put8(pong(), NAME1_LENGTH, length), FIELD_OUT_OF_RANGE);
    }

    @ParameterizedTest
    @ValueSource(doubles = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
    void nonFiniteCustomValue(double value) {
        byte[] b = put64(pong(), VALUE0, Double.doubleToRawLongBits(value));
        assertThat(reject(b, FIELD_OUT_OF_RANGE).getMessage()).contains("pool.active");
        reject(put64(pong(), VALUE0, 0x7FF0_0000_0000_0001L), FIELD_OUT_OF_RANGE); // a signalling NaN
    }

    // --- extensions and trailer ------------------------------------------------------------

    @Test
    void unknownOptionalExtensionsAreSkipped() {
        byte[] b = rebuild(pong(), unhex("0001 0000  7fff 0005 0102030405  0042 0001 ff"), 0, new byte[0]);
        Frame f = accept(b);
        TestFrames.assertSameFields(f, TestFrames.samplePong(), "pong with extensions");
        assertThat(f.length()).isEqualTo(b.length);
    }

    @Test
    void extensionAreaLongerThanTheFrame() {
        reject(rebuild(ping(), 12, unhex("0042 0003 616263"), 0, new byte[0]), TRUNCATED);
        reject(rebuild(ping(), 0xFFFF, new byte[0], 0, new byte[0]), TRUNCATED);
    }

    @Test
    void extensionEntryLongerThanTheArea() {
        // the entry claims 4 value bytes, the area holds 3; the frame has bytes to spare after it
        reject(rebuild(ping(), 7, unhex("0042 0004 616263 00"), 0, new byte[0]), TRUNCATED);
        reject(rebuild(ping(), unhex("0042 ffff"), 0, new byte[0]), TRUNCATED);
    }

    @Test
    void extensionAreaTooShortForAnEntryHeader() {
        reject(rebuild(ping(), unhex("0042"), 0, new byte[0]), TRUNCATED);
        reject(rebuild(ping(), unhex("00"), 0, new byte[0]), TRUNCATED);
    }

    @ParameterizedTest
    @ValueSource(ints = {0x8000, 0x8001, 0xFFFF})
    void criticalUnknownExtension(int type) {
        byte[] ext = new byte[4];
        put16(ext, 0, type);
        FrameDecodeException e = reject(rebuild(ping(), ext, 0, new byte[0]), UNKNOWN_CRITICAL_EXTENSION);
        assertThat(e.getMessage()).contains(Integer.toHexString(type));
        // also after an optional one
        reject(rebuild(ping(), concat(unhex("0001 0001 aa"), ext), 0, new byte[0]), UNKNOWN_CRITICAL_EXTENSION);
    }

    @Test
    void authTrailerIsLocated() {
        for (int t : new int[] {1, 16, 32, FrameCodec.MAX_AUTH_TAG_LENGTH}) {
            byte[] b = authGoodbye(t);
            Frame f = accept(b);
            assertThat(f.authKeyId()).isEqualTo(7);
            assertThat(f.authTagLength()).isEqualTo(t);
            assertThat(f.authTagOffset()).isEqualTo(b.length - t);
            assertThat(f.flags() & FrameCodec.FLAG_AUTH).isEqualTo(FrameCodec.FLAG_AUTH);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 65, 255})
    void badAuthTagLength(int tagLength) {
        byte[] b = authGoodbye(16);
        put8(b, b.length - 16 - 1, tagLength);
        assertThat(reject(b, FIELD_OUT_OF_RANGE).getMessage()).contains("tag length " + tagLength);
    }

    @Test
    void authTagLongerThanTheFrame() {
        byte[] b = authGoodbye(16);
        reject(put8(b, b.length - 16 - 1, 17), TRUNCATED);
        // flag set but no trailer at all
        reject(put16(goodbye(), 4, FrameCodec.FLAG_AUTH), TRUNCATED);
    }

    @Test
    void trailerWithoutTheFlagIsUnparsed() {
        byte[] b = authGoodbye(16);
        reject(put16(b, 4, 0), LENGTH_MISMATCH);
    }

    @Test
    void everyReasonIsCovered() {
        // guard: if a reason is added, this class must grow a test for it
        assertThat(EnumSet.allOf(Reason.class)).containsExactlyInAnyOrder(TRUNCATED, TOO_LARGE, LENGTH_MISMATCH,
                BAD_MAGIC, UNSUPPORTED_VERSION, UNKNOWN_TYPE, BAD_ENUM, BAD_UTF8, FIELD_OUT_OF_RANGE,
                UNKNOWN_CRITICAL_EXTENSION);
    }

    // --- fuzz ------------------------------------------------------------------------------

    static final long FUZZ_SEED = 0xF022_4842L;
    static final int FUZZ_CASES = 20_000;

    /**
     * Random mutations of valid frames: each must decode or throw {@link FrameDecodeException},
     * nothing else. What decodes must also re-encode (the decoder accepts nothing the encoder
     * refuses) and decode again to the same fields.
     */
    @Test
    @Timeout(60)
    void fuzzedFramesDecodeOrFailCleanly() {
        Random r = new Random(FUZZ_SEED);
        List<byte[]> seeds = new ArrayList<>();
        validFrames().forEach(a -> seeds.add((byte[]) a.get()[1]));
        for (FrameType t : FrameType.values()) {
            for (int i = 0; i < 5; i++) {
                seeds.add(encode(TestFrames.randomFrame(r, t)));
            }
        }
        Frame reused = new Frame();
        int decoded = 0;
        Set<Reason> reasons = EnumSet.noneOf(Reason.class);
        for (int i = 0; i < FUZZ_CASES; i++) {
            byte[] in = mutate(r, seeds.get(r.nextInt(seeds.size())));
            try {
                FrameCodec.decode(ByteBuffer.wrap(in), reused);
                decoded++;
                Frame again = TestFrames.decode(encode(reused));
                assertThat(again.nodeId()).isEqualTo(reused.nodeId());
                assertThat(again.type()).isEqualTo(reused.type());
                if (again.type() == FrameType.PONG) {
                    assertThat(again.load()).isEqualTo(reused.load());
                }
            } catch (FrameDecodeException e) {
                reasons.add(e.reason());
            } catch (Throwable t) {
                throw new AssertionError("fuzz case " + i + " (seed " + FUZZ_SEED + "): " + t + " on input "
                        + TestFrames.hex(in), t);
            }
        }
        // sanity: the mutations reach both outcomes and most of the checks
        assertThat(decoded).isGreaterThan(FUZZ_CASES / 50);
        assertThat(reasons).contains(TRUNCATED, LENGTH_MISMATCH, BAD_MAGIC, UNSUPPORTED_VERSION, UNKNOWN_TYPE,
                FIELD_OUT_OF_RANGE, TOO_LARGE);
    }

    static byte[] mutate(Random r, byte[] frame) {
        byte[] b = frame.clone();
        int rounds = 1 + r.nextInt(3);
        for (int k = 0; k < rounds; k++) {
            switch (r.nextInt(7)) {
                case 0: // flip a bit
                    if (b.length > 0) {
                        int i = r.nextInt(b.length);
                        b[i] ^= (byte) (1 << r.nextInt(8));
                    }
                    break;
                case 1: // set a byte
                    if (b.length > 0) {
                        b[r.nextInt(b.length)] = (byte) r.nextInt(256);
                    }
                    break;
                case 2: // set a byte to an edge value
                    if (b.length > 0) {
                        int[] edges = {0x00, 0x01, 0x7F, 0x80, 0xFF, 0x10, 0x20, 0x21};
                        b[r.nextInt(b.length)] = (byte) edges[r.nextInt(edges.length)];
                    }
                    break;
                case 3: // truncate
                    b = Arrays.copyOf(b, r.nextInt(b.length + 1));
                    break;
                case 4: // truncate and fix the length field so the structure is what fails
                    b = Arrays.copyOf(b, r.nextInt(b.length + 1));
                    if (b.length >= 8) {
                        fixLength(b);
                    }
                    break;
                case 5: // append random bytes, maybe counted by the length field
                    byte[] extra = new byte[1 + r.nextInt(40)];
                    r.nextBytes(extra);
                    b = concat(b, extra);
                    if (b.length >= 8 && r.nextBoolean()) {
                        fixLength(b);
                    }
                    break;
                default: // a random u16 somewhere (lengths, counts)
                    if (b.length >= 2) {
                        put16(b, r.nextInt(b.length - 1), r.nextInt(0x10000));
                    }
                    break;
            }
        }
        return b;
    }
}
