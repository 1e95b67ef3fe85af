package dev.heartbeat.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.heartbeat.protocol.auth.HmacKeyRing;
import dev.heartbeat.protocol.auth.HmacSha256Authenticator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Checks the golden vectors of {@code docs/protocol.md} in both directions, so the document and
 * the codec cannot drift apart.
 *
 * <p>Format (documented in the file itself): a line {@code <!-- vector: NAME [decode-only |
 * rejected=REASON] -->}, then a {@code | field | value |} table, then a fenced block tagged
 * {@code hex}. Strings are in backticks, {@code unknown} is the unknown marker, repeated
 * {@code custom} rows read {@code `name` = value}.
 */
class GoldenVectorsTest {

    static final Path DOC = Path.of("..", "docs", "protocol.md");

    /** Vectors the document must contain; more are allowed and are checked too. */
    static final List<String> REQUIRED = List.of("ping", "pong-full", "pong-unknown", "goodbye",
            "ping-ext-optional", "goodbye-auth", "ping-ext-critical", "ping-padded", "ping-hmac", "pong-hmac");

    private static final Pattern MARKER = Pattern.compile(
            "^<!--\\s*vector:\\s*([a-z0-9-]+)\\s*(decode-only|rejected=([A-Z_]+))?\\s*-->\\s*$");
    private static final Pattern ROW = Pattern.compile("^\\|\\s*([^|]+?)\\s*\\|\\s*(.*?)\\s*\\|\\s*$");
    private static final Pattern CUSTOM = Pattern.compile("^`([^`]+)`\\s*=\\s*(\\S+)$");
    private static final Set<String> KNOWN_FIELDS = Set.of("type", "flags", "epoch", "sequence", "sendTimeNanos",
            "nodeId", "intervalMillis", "echoSequence", "echoSendTimeNanos", "status", "minIntervalMillis", "cpu",
            "memory", "inFlight", "queueDepth", "requestsPerSecond", "errorRate", "latencyMicros", "custom",
            "comeBackAfterMillis", "authKeyId", "authTagOffset", "authTagLength", "paddedTo", "hmacKey", "length");

    enum Mode { ROUND_TRIP, DECODE_ONLY, REJECTED }

    record Vector(String name, Mode mode, FrameDecodeException.Reason reason, Map<String, List<String>> fields,
                  byte[] bytes, int line) {

        String one(String key) {
            List<String> v = fields.get(key);
            if (v == null || v.size() != 1) {
                throw new AssertionError("vector '" + name + "' (line " + line + "): expected exactly one '"
                        + key + "' row, found " + (v == null ? 0 : v.size()));
            }
            return v.get(0);
        }

        List<String> all(String key) {
            return fields.getOrDefault(key, List.of());
        }

        boolean has(String key) {
            return fields.containsKey(key);
        }
    }

    static List<Vector> vectors;

    @BeforeAll
    static void parseDocument() throws IOException {
        if (!Files.isRegularFile(DOC)) {
            fail("docs/protocol.md not found at " + DOC.toAbsolutePath().normalize()
                    + " (the test expects to run with the heartbeat-api module as working directory)");
        }
        vectors = parse(Files.readAllLines(DOC, StandardCharsets.UTF_8));
    }

    static List<Vector> parse(List<String> lines) {
        List<Vector> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = MARKER.matcher(lines.get(i).strip());
            if (!m.matches()) {
                if (lines.get(i).strip().startsWith("<!-- vector")) {
                    throw new AssertionError("line " + (i + 1) + ": malformed vector marker: " + lines.get(i));
                }
                continue;
            }
            String name = m.group(1);
            Mode mode = m.group(2) == null ? Mode.ROUND_TRIP
                    : m.group(2).equals("decode-only") ? Mode.DECODE_ONLY : Mode.REJECTED;
            FrameDecodeException.Reason reason = m.group(3) == null ? null
                    : FrameDecodeException.Reason.valueOf(m.group(3));
            int markerLine = i + 1;
            Map<String, List<String>> fields = new LinkedHashMap<>();
            int j = i + 1;
            for (; j < lines.size() && !lines.get(j).strip().startsWith("```"); j++) {
                String l = lines.get(j).strip();
                if (l.startsWith("<!--") || l.startsWith("#")) {
                    throw new AssertionError("vector '" + name + "' (line " + markerLine + ") has no ```hex block");
                }
                Matcher row = ROW.matcher(l);
                if (!row.matches()) {
                    continue;
                }
                String key = row.group(1);
                if (key.equals("field") || key.matches("-+")) {
                    continue; // table header and separator
                }
                if (!KNOWN_FIELDS.contains(key)) {
                    throw new AssertionError("vector '" + name + "' line " + (j + 1) + ": unknown field '" + key + "'");
                }
                fields.computeIfAbsent(key, k -> new ArrayList<>()).add(row.group(2));
            }
            if (j == lines.size() || !lines.get(j).strip().equals("```hex")) {
                throw new AssertionError("vector '" + name + "' (line " + markerLine
                        + "): expected a fenced block tagged ```hex after its table");
            }
            StringBuilder hex = new StringBuilder();
            for (j++; j < lines.size() && !lines.get(j).strip().equals("```"); j++) {
                hex.append(lines.get(j)).append(' ');
            }
            if (j == lines.size()) {
                throw new AssertionError("vector '" + name + "' (line " + markerLine + "): unterminated ```hex block");
            }
            String digits = hex.toString().strip();
            if (!digits.matches("([0-9a-f]{2}\\s+)*[0-9a-f]{2}")) {
                throw new AssertionError("vector '" + name + "' (line " + markerLine
                        + "): the hex block must be lowercase byte pairs separated by spaces");
            }
            out.add(new Vector(name, mode, reason, fields, TestFrames.unhex(digits), markerLine));
            i = j;
        }
        return out;
    }

    @Test
    void documentHasEveryRequiredVector() {
        Set<String> names = vectors.stream().map(Vector::name).collect(Collectors.toSet());
        assertThat(names).as("vectors in " + DOC.normalize()).containsAll(REQUIRED);
        Set<String> seen = new HashSet<>();
        for (Vector v : vectors) {
            assertThat(seen.add(v.name())).as("vector name '" + v.name() + "' is used twice").isTrue();
        }
    }

    @Test
    void parserRejectsAVectorWithoutBytes() {
        assertThatThrownBy(() -> parse(List.of("<!-- vector: lonely -->", "| type | PING |", "", "## next")))
                .hasMessageContaining("lonely").hasMessageContaining("hex");
    }

    @TestFactory
    Stream<DynamicTest> everyVector() {
        return vectors.stream().map(v -> DynamicTest.dynamicTest(v.name() + " (line " + v.line() + ")", () -> check(v)));
    }

    private static void check(Vector v) throws FrameDecodeException {
        assertThat(v.bytes().length).as(v.name() + ": number of hex bytes vs the 'length' row")
                .isEqualTo(Integer.parseInt(v.one("length")));
        assertThat(FrameCodec.peekLength(ByteBuffer.wrap(v.bytes()), 0)).as(v.name() + ": length field")
                .isEqualTo(v.bytes().length);

        if (v.mode() == Mode.REJECTED) {
            assertThatThrownBy(() -> TestFrames.decode(v.bytes()))
                    .as(v.name() + " must be rejected")
                    .isInstanceOfSatisfying(FrameDecodeException.class,
                            e -> assertThat(e.reason()).isEqualTo(v.reason()));
            return;
        }

        Frame expected = frameOf(v);
        if (v.mode() == Mode.ROUND_TRIP) {
            assertThat(expected.load() == null || expected.load().equals(TestFrames.quantised(expected.load())))
                    .as(v.name() + ": the stated load figures must be exactly representable on the wire "
                            + "(fractions in steps of 0.0001, rps a float32 value)")
                    .isTrue();
            byte[] encoded = encode(expected, v);
            assertThat(TestFrames.hexDump(encoded)).as(v.name() + ": encoding the stated values")
                    .isEqualTo(TestFrames.hexDump(v.bytes()));
        }

        Frame decoded = TestFrames.decode(v.bytes());
        TestFrames.assertSameFields(decoded, expected, v.name());
        assertThat(decoded.length()).as(v.name() + ": length").isEqualTo(v.bytes().length);
        assertThat(decoded.flags()).as(v.name() + ": flags")
                .isEqualTo(v.has("flags") ? (int) parseInt(v.one("flags")) : 0);
        assertThat(decoded.authKeyId()).as(v.name() + ": authKeyId")
                .isEqualTo(v.has("authKeyId") ? (int) parseInt(v.one("authKeyId")) : -1);
        assertThat(decoded.authTagOffset()).as(v.name() + ": authTagOffset")
                .isEqualTo(v.has("authTagOffset") ? (int) parseInt(v.one("authTagOffset")) : -1);
        assertThat(decoded.authTagLength()).as(v.name() + ": authTagLength")
                .isEqualTo(v.has("authTagLength") ? (int) parseInt(v.one("authTagLength")) : 0);
        HmacSha256Authenticator verifier = authenticator(v);
        if (verifier != null) {
            assertThat(verifier.verify(ByteBuffer.wrap(v.bytes()), 0, decoded)).as(v.name() + ": HMAC")
                    .isEqualTo(AuthResult.OK);
        }
    }

    /** Encodes as the vector says: padded with a {@code paddedTo} row, sealed with an {@code hmacKey} row. */
    static byte[] encode(Frame frame, Vector v) {
        if (!v.has("paddedTo") && !v.has("hmacKey")) {
            return TestFrames.encode(frame);
        }
        HmacSha256Authenticator sealer = authenticator(v);
        int total = v.has("paddedTo") ? (int) parseInt(v.one("paddedTo")) : FrameCodec.encodedLength(frame, sealer);
        ByteBuffer b = ByteBuffer.allocate(FrameCodec.MAX_FRAME_LENGTH);
        int n = FrameCodec.encodePadded(frame, b, sealer, total);
        return java.util.Arrays.copyOf(b.array(), n);
    }

    /** The vector's HMAC sealer and verifier, or null without an {@code hmacKey} row. */
    static HmacSha256Authenticator authenticator(Vector v) {
        if (!v.has("hmacKey")) {
            return null;
        }
        HmacKeyRing ring = HmacKeyRing.of((int) parseInt(v.one("authKeyId")), TestFrames.unhex(v.one("hmacKey")));
        return HmacSha256Authenticator.builder().keyRing(ring).tagLength((int) parseInt(v.one("authTagLength"))).build();
    }

    static Frame frameOf(Vector v) {
        FrameType type = FrameType.valueOf(v.one("type"));
        long epoch = parseInt(v.one("epoch"));
        int sequence = (int) parseInt(v.one("sequence"));
        long sendTime = parseInt(v.one("sendTimeNanos"));
        String nodeId = string(v.one("nodeId"));
        switch (type) {
            case PING:
                return new Frame().ping(epoch, sequence, sendTime, nodeId, (int) parseInt(v.one("intervalMillis")));
            case GOODBYE:
                return new Frame().goodbye(epoch, sequence, sendTime, nodeId,
                        (int) parseInt(v.one("comeBackAfterMillis")));
            case PONG: {
                LoadReport.Builder load = LoadReport.builder()
                        .cpu(real(v.one("cpu"))).memory(real(v.one("memory")))
                        .inFlight(count(v.one("inFlight"))).queueDepth(count(v.one("queueDepth")))
                        .requestsPerSecond(real(v.one("requestsPerSecond")))
                        .errorRate(real(v.one("errorRate"))).latencyMicros(count(v.one("latencyMicros")));
                for (String c : v.all("custom")) {
                    Matcher m = CUSTOM.matcher(c);
                    if (!m.matches()) {
                        throw new AssertionError("vector '" + v.name() + "': custom row '" + c
                                + "' (expected: `name` = value)");
                    }
                    load.custom(m.group(1), Double.parseDouble(m.group(2)));
                }
                return new Frame().pong(epoch, sequence, sendTime, nodeId, (int) parseInt(v.one("echoSequence")),
                        parseInt(v.one("echoSendTimeNanos")), ServingStatus.valueOf(v.one("status")),
                        (int) parseInt(v.one("minIntervalMillis")), load.build());
            }
            default:
                throw new AssertionError(type);
        }
    }

    /** Decimal (signed or up to 2^64-1) or 0x-prefixed hex, returned as the low 64 bits. */
    static long parseInt(String s) {
        if (s.startsWith("0x")) {
            return Long.parseUnsignedLong(s.substring(2), 16);
        }
        return s.startsWith("-") ? Long.parseLong(s) : Long.parseUnsignedLong(s);
    }

    static String string(String s) {
        if (s.length() < 2 || !s.startsWith("`") || !s.endsWith("`")) {
            throw new AssertionError("string value " + s + " (expected: in backticks)");
        }
        return s.substring(1, s.length() - 1);
    }

    static double real(String s) {
        return s.equals("unknown") ? Double.NaN : Double.parseDouble(s);
    }

    static long count(String s) {
        return s.equals("unknown") ? -1 : parseInt(s);
    }
}
