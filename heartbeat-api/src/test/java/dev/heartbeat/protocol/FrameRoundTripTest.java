package dev.heartbeat.protocol;

import static dev.heartbeat.protocol.TestFrames.hex;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Property tests on seeded random frames: encode then decode gives the same fields, with
 * fractions quantised to 1/10000 and requestsPerSecond through float32. Each case prints its own
 * seed, so a failure can be replayed with {@link #check(FrameType, long, Frame)}.
 */
class FrameRoundTripTest {

    static final int CASES_PER_TYPE = 500;
    static final long SEED = 0x4842_0001_5EEDL;

    @ParameterizedTest
    @EnumSource(FrameType.class)
    void randomFramesSurviveTheWire(FrameType type) throws FrameDecodeException {
        Random seeds = new Random(SEED + type.code());
        Frame reused = new Frame(); // one holder for all cases, like a connection keeps one
        for (int i = 0; i < CASES_PER_TYPE; i++) {
            check(type, seeds.nextLong(), reused);
        }
    }

    static void check(FrameType type, long seed, Frame reused) throws FrameDecodeException {
        String what = type + " case seed " + seed;
        Frame sent = TestFrames.randomFrame(new Random(seed), type);
        byte[] bytes = TestFrames.encode(sent);

        int nodeBytes = sent.nodeId().getBytes(StandardCharsets.UTF_8).length;
        assertThat(bytes[FrameCodec.FIXED_HEADER_LENGTH - 1] & 0xFF).as(what + ": node id length byte")
                .isEqualTo(nodeBytes);
        assertThat(bytes.length).as(what + ": frame length").isEqualTo(expectedLength(sent, nodeBytes));
        assertThat(sent.length()).as(what + ": Frame.length() after encode").isEqualTo(bytes.length);

        Frame fresh = TestFrames.decode(bytes);
        TestFrames.assertSameFields(fresh, sent, what + " (fresh holder)");
        assertThat(fresh.length()).isEqualTo(bytes.length);
        assertThat(fresh.flags()).isZero();
        assertThat(fresh.authKeyId()).isEqualTo(-1);

        TestFrames.decode(bytes, reused);
        TestFrames.assertSameFields(reused, sent, what + " (reused holder)");

        // A decoded frame re-encodes to the very same bytes (the wire values are canonical).
        assertThat(hex(TestFrames.encode(fresh))).as(what + ": re-encoding the decoded frame").isEqualTo(hex(bytes));
        // And the position/limit contract holds.
        ByteBuffer src = ByteBuffer.wrap(bytes);
        FrameCodec.decode(src, reused);
        assertThat(src.position()).isEqualTo(bytes.length);
    }

    static int expectedLength(Frame f, int nodeBytes) {
        int n = 29 + nodeBytes + 2;
        switch (f.type()) {
            case PING:
            case GOODBYE:
                return n + 4;
            case PONG:
                n += 17 + 23;
                for (int i = 0; i < f.load().customCount(); i++) {
                    n += 1 + f.load().customName(i).getBytes(StandardCharsets.UTF_8).length + 8;
                }
                return n;
            default:
                throw new AssertionError(f.type());
        }
    }
}
