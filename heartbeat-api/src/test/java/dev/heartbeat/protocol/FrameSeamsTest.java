package dev.heartbeat.protocol;

import static dev.heartbeat.protocol.FrameDecodeException.Reason.BAD_MAGIC;
import static dev.heartbeat.protocol.FrameDecodeException.Reason.FIELD_OUT_OF_RANGE;
import static dev.heartbeat.protocol.FrameDecodeException.Reason.LENGTH_MISMATCH;
import static dev.heartbeat.protocol.FrameDecodeException.Reason.TOO_LARGE;
import static dev.heartbeat.protocol.FrameDecodeException.Reason.TRUNCATED;
import static dev.heartbeat.protocol.FrameDecodeException.Reason.UNKNOWN_TYPE;
import static dev.heartbeat.protocol.FrameDecodeException.Reason.UNSUPPORTED_VERSION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.heartbeat.protocol.FrameDecodeException.Reason;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The codec's seams for UDP and authentication: padding, the sealer hook and its trailer, and
 * peeking at a header. The HMAC sealer itself is tested in {@code protocol.auth}.
 */
class FrameSeamsTest {

    /** A toy sealer: key id 9, a tag of {@code tagLength} bytes 0xA5. Enough to test the codec's side. */
    static class FixedSealer implements FrameSealer {
        final int tagLength;

        FixedSealer(int tagLength) {
            this.tagLength = tagLength;
        }

        @Override
        public int trailerLength() {
            return FrameCodec.AUTH_TRAILER_OVERHEAD + tagLength;
        }

        @Override
        public void seal(ByteBuffer buf, int frameStart) {
            int tag = FrameCodec.openTrailer(buf, frameStart, 9, tagLength);
            for (int i = 0; i < tagLength; i++) {
                buf.put(tag + i, (byte) 0xA5);
            }
        }
    }

    private static byte[] encodePadded(Frame f, FrameSealer sealer, int total) {
        ByteBuffer b = ByteBuffer.allocate(FrameCodec.MAX_FRAME_LENGTH);
        assertThat(FrameCodec.encodePadded(f, b, sealer, total)).isEqualTo(total);
        assertThat(b.position()).isEqualTo(total);
        return Arrays.copyOf(b.array(), total);
    }

    // --- padding -----------------------------------------------------------------------------

    @Test
    void paddedPingDecodesToTheSameFieldsAndHasOneZeroFilledPaddingEntry() throws FrameDecodeException {
        Frame ping = TestFrames.samplePing();
        byte[] plain = TestFrames.encode(ping);
        byte[] padded = encodePadded(ping, null, 87);
        assertThat(ping.length()).isEqualTo(87);
        int ext = plain.length - 2;
        assertThat(Arrays.copyOf(padded, ext)).isEqualTo(TestFrames.put16(Arrays.copyOf(plain, ext), 6, 87));
        assertThat(TestFrames.hex(Arrays.copyOfRange(padded, ext, ext + 6))).isEqualTo("002b" + "0001" + "0027");
        for (int i = ext + 6; i < padded.length; i++) {
            assertThat(padded[i]).as("padding byte %d", i).isZero();
        }
        Frame decoded = TestFrames.decode(padded);
        TestFrames.assertSameFields(decoded, ping, "padded ping");
        assertThat(decoded.length()).isEqualTo(87);
    }

    @Test
    void everyFrameTypePadsToEveryReachableLength() throws FrameDecodeException {
        for (Frame f : new Frame[] {TestFrames.samplePing(), TestFrames.samplePong(), TestFrames.sampleGoodbye()}) {
            int natural = FrameCodec.encodedLength(f, null);
            for (int total : new int[] {natural, natural + 4, natural + 5, natural + 300, FrameCodec.MAX_FRAME_LENGTH}) {
                Frame decoded = TestFrames.decode(encodePadded(f, null, total));
                TestFrames.assertSameFields(decoded, f, f.type() + " padded to " + total);
                assertThat(decoded.length()).isEqualTo(total);
            }
        }
    }

    @Test
    void paddingToTheUnpaddedLengthWritesTheUnpaddedBytes() {
        Frame ping = TestFrames.samplePing();
        byte[] plain = TestFrames.encode(ping);
        assertThat(encodePadded(ping, null, plain.length)).isEqualTo(plain);
    }

    @Test
    void decodersIgnoreWhatThePaddingHolds() throws FrameDecodeException {
        byte[] padded = encodePadded(TestFrames.samplePing(), null, 60);
        padded[padded.length - 1] = (byte) 0xFF; // a sender may pad with anything
        TestFrames.assertSameFields(TestFrames.decode(padded), TestFrames.samplePing(), "non-zero padding");
    }

    @Test
    void malformedPaddingEntriesAreRefusedLikeAnyOtherExtension() {
        byte[] plain = TestFrames.encode(TestFrames.samplePing());
        Object[][] cases = {
            {TestFrames.unhex("0001 0005 000000"), TRUNCATED},                    // value runs past the area
            {TestFrames.unhex("0001 00"), TRUNCATED},                             // entry header cut
            {TestFrames.unhex("8001 0000"), Reason.UNKNOWN_CRITICAL_EXTENSION},   // padding is never critical
        };
        for (Object[] c : cases) {
            byte[] bad = TestFrames.rebuild(plain, (byte[]) c[0], 0, new byte[0]);
            assertThatThrownBy(() -> TestFrames.decode(bad)).as(TestFrames.hex(bad))
                    .isInstanceOfSatisfying(FrameDecodeException.class, e -> assertThat(e.reason()).isEqualTo(c[1]));
        }
        byte[] lyingArea = TestFrames.rebuild(plain, 50, TestFrames.unhex("0001 0000"), 0, new byte[0]);
        assertThatThrownBy(() -> TestFrames.decode(lyingArea))
                .isInstanceOfSatisfying(FrameDecodeException.class, e -> assertThat(e.reason()).isEqualTo(TRUNCATED));
    }

    @Test
    void paddingBelowTheFrameOrTooCloseToItOrOverTheMaximumIsRefusedAndWritesNothing() {
        Frame ping = TestFrames.samplePing(); // 44 bytes
        ByteBuffer dst = ByteBuffer.allocate(FrameCodec.MAX_FRAME_LENGTH);
        assertThatThrownBy(() -> FrameCodec.encodePadded(ping, dst, null, 43))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("totalLength : 43 (expected: >= 44, the length of this PING without padding)");
        for (int total = 45; total <= 47; total++) {
            int t = total;
            assertThatThrownBy(() -> FrameCodec.encodePadded(ping, dst, null, t))
                    .hasMessage("totalLength : " + t + " (expected: 44 or >= 48; a padding entry takes at least 4 bytes)");
        }
        assertThatThrownBy(() -> FrameCodec.encodePadded(ping, dst, null, 1025))
                .hasMessage("totalLength : 1025 (expected: <= 1024)");
        assertThatThrownBy(() -> FrameCodec.encodePadded(ping, dst, null, -1))
                .hasMessageStartingWith("totalLength : -1 (expected: >= 44");
        assertThatThrownBy(() -> FrameCodec.encodePadded(ping, dst, new FixedSealer(16), 50))
                .hasMessage("totalLength : 50 (expected: >= 62, the length of this PING without padding)");
        ByteBuffer small = ByteBuffer.allocate(100);
        assertThatThrownBy(() -> FrameCodec.encodePadded(ping, small, null, 101))
                .hasMessage("buffer : 100 bytes free (expected: >= 101 for this frame)");
        assertThat(dst.position()).isZero();
        assertThat(small.position()).isZero();
        assertThat(dst.array()).containsOnly(0);
    }

    @Test
    void padTargetPicksTheSmallestValidLengthAtLeastTheWish() {
        Frame ping = TestFrames.samplePing(); // 44 bytes
        assertThat(FrameCodec.padTarget(ping, null, 0)).isEqualTo(44);
        assertThat(FrameCodec.padTarget(ping, null, 44)).isEqualTo(44);
        assertThat(FrameCodec.padTarget(ping, null, 45)).isEqualTo(48);
        assertThat(FrameCodec.padTarget(ping, null, 47)).isEqualTo(48);
        assertThat(FrameCodec.padTarget(ping, null, 48)).isEqualTo(48);
        assertThat(FrameCodec.padTarget(ping, null, 87)).isEqualTo(87);
        assertThat(FrameCodec.padTarget(ping, new FixedSealer(16), 87)).isEqualTo(87);
        assertThat(FrameCodec.padTarget(ping, new FixedSealer(16), 63)).isEqualTo(66);
        assertThat(FrameCodec.padTarget(ping, null, 1024)).isEqualTo(1024);
        assertThatThrownBy(() -> FrameCodec.padTarget(ping, null, 1025))
                .hasMessage("atLeast : 1025 (expected: <= 1024 once padded; this PING is 44 bytes unpadded)");
        for (int wish = 0; wish <= 1024; wish++) {
            int target = FrameCodec.padTarget(ping, null, wish);
            assertThat(target).isGreaterThanOrEqualTo(wish);
            encodePadded(ping, null, target); // always accepted
        }
    }

    @Test
    void encodedLengthMeasuresWithoutWriting() {
        assertThat(FrameCodec.encodedLength(TestFrames.samplePing(), null)).isEqualTo(44);
        assertThat(FrameCodec.encodedLength(TestFrames.samplePong(), null)).isEqualTo(127);
        assertThat(FrameCodec.encodedLength(TestFrames.samplePong(), new FixedSealer(16))).isEqualTo(145);
        assertThatThrownBy(() -> FrameCodec.encodedLength(new Frame(), null))
                .hasMessage("frame : empty (expected: ping(), pong() or goodbye() first)");
        assertThatThrownBy(() -> FrameCodec.encodedLength(new Frame().ping(0, 1, 2, "x", 0), null))
                .hasMessage("epoch : 0 (expected: non-zero)");
    }

    // --- the sealer hook and the trailer --------------------------------------------------

    @Test
    void aSealedFrameHasTheFlagTheLengthAndTheTrailerTheDecoderReports() throws FrameDecodeException {
        Frame pong = TestFrames.samplePong();
        ByteBuffer dst = ByteBuffer.allocate(FrameCodec.MAX_FRAME_LENGTH);
        dst.position(3);
        int n = FrameCodec.encode(pong, dst, new FixedSealer(16));
        assertThat(n).isEqualTo(127 + 18);
        assertThat(dst.position()).isEqualTo(3 + n);
        assertThat(pong.length()).isEqualTo(n);
        assertThat(pong.flags()).isEqualTo(FrameCodec.FLAG_AUTH);
        assertThat(pong.authKeyId()).isEqualTo(9);
        assertThat(pong.authTagOffset()).isEqualTo(129);
        assertThat(pong.authTagLength()).isEqualTo(16);
        byte[] bytes = Arrays.copyOfRange(dst.array(), 3, 3 + n);
        byte[] plain = TestFrames.encode(TestFrames.samplePong());
        assertThat(TestFrames.hex(Arrays.copyOfRange(bytes, 4, 8))).isEqualTo("0001" + "0091");
        assertThat(Arrays.copyOfRange(bytes, 8, 127)).isEqualTo(Arrays.copyOfRange(plain, 8, 127));
        assertThat(TestFrames.hex(Arrays.copyOfRange(bytes, 127, 129))).isEqualTo("0910");
        Frame decoded = TestFrames.decode(bytes);
        TestFrames.assertSameFields(decoded, TestFrames.samplePong(), "sealed pong");
        assertThat(decoded.flags()).isEqualTo(FrameCodec.FLAG_AUTH);
        assertThat(decoded.authKeyId()).isEqualTo(9);
        assertThat(decoded.authTagOffset()).isEqualTo(129);
        assertThat(decoded.authTagLength()).isEqualTo(16);
        assertThat(decoded.length()).isEqualTo(n);

        // the same holder encoded again without a sealer forgets the trailer
        FrameCodec.encode(pong, ByteBuffer.allocate(1024));
        assertThat(pong.flags()).isZero();
        assertThat(pong.authKeyId()).isEqualTo(-1);
        assertThat(pong.authTagOffset()).isEqualTo(-1);
        assertThat(pong.authTagLength()).isZero();
    }

    @Test
    void paddingComesBeforeTheTrailer() throws FrameDecodeException {
        Frame ping = TestFrames.samplePing();
        byte[] bytes = encodePadded(ping, new FixedSealer(20), 100);
        Frame decoded = TestFrames.decode(bytes);
        assertThat(decoded.authTagOffset()).isEqualTo(80);
        assertThat(decoded.authTagLength()).isEqualTo(20);
        assertThat(TestFrames.hex(Arrays.copyOfRange(bytes, 42, 48))).isEqualTo("0022" + "0001" + "001e");
    }

    @Test
    void aFrameTooLargeOnceSealedIsRefusedAndWritesNothing() {
        LoadReport.Builder load = LoadReport.builder();
        for (int i = 0; i < LoadReport.MAX_CUSTOM_METRICS; i++) {
            load.custom(String.format("%032d", i), i);
        }
        Frame pong = new Frame().pong(1, 1, 1, "n".repeat(255), 1, 1, ServingStatus.SERVING, 0, load.build()); // 982 bytes
        ByteBuffer dst = ByteBuffer.allocate(2048);
        assertThat(FrameCodec.encode(pong, dst, new FixedSealer(40))).isEqualTo(1024);
        dst.clear();
        assertThatThrownBy(() -> FrameCodec.encode(pong, dst, new FixedSealer(41)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("frame length : 1025 bytes (expected: <= 1024; shorten the node id or the custom metrics)");
        assertThat(dst.position()).isZero();
        ByteBuffer small = ByteBuffer.allocate(999);
        assertThatThrownBy(() -> FrameCodec.encode(pong, small, new FixedSealer(16)))
                .hasMessage("buffer : 999 bytes free (expected: >= 1000 for this frame)");
        assertThat(small.position()).isZero();
    }

    @Test
    void aSealerThatBreaksTheContractIsCaughtAndTheBufferRewound() {
        Frame ping = TestFrames.samplePing();
        FrameSealer lying = new FrameSealer() {
            @Override
            public int trailerLength() {
                return 18;
            }

            @Override
            public void seal(ByteBuffer buf, int frameStart) {
                buf.position(buf.position() + 18); // no flag, no length: not via openTrailer
            }
        };
        ByteBuffer dst = ByteBuffer.allocate(1024);
        assertThatThrownBy(() -> FrameCodec.encode(ping, dst, lying))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("wrote a 62-byte frame (expected: 62 bytes with flag bit 0 set; use FrameCodec.openTrailer)");
        assertThat(dst.position()).isZero();

        FrameSealer wrongSize = new FixedSealer(16) {
            @Override
            public int trailerLength() {
                return 10;
            }
        };
        assertThatThrownBy(() -> FrameCodec.encode(ping, dst, wrongSize))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("wrote a 62-byte frame (expected: 54 bytes");
        assertThat(dst.position()).isZero();

        for (int bad : new int[] {0, 2, 67}) {
            FrameSealer odd = new FixedSealer(16) {
                @Override
                public int trailerLength() {
                    return bad;
                }
            };
            assertThatThrownBy(() -> FrameCodec.encode(ping, dst, odd))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("sealer.trailerLength() : " + bad + " (expected: 3..66)");
        }
        FrameSealer throwing = new FixedSealer(16) {
            @Override
            public void seal(ByteBuffer buf, int frameStart) {
                throw new IllegalStateException("boom");
            }
        };
        assertThatThrownBy(() -> FrameCodec.encode(ping, dst, throwing)).hasMessage("boom");
        assertThat(dst.position()).isZero();
    }

    @Test
    void openTrailerValidatesEveryArgumentAndLeavesTheBufferAloneOnFailure() {
        byte[] plain = TestFrames.encode(TestFrames.samplePing()); // 44 bytes
        ByteBuffer b = ByteBuffer.allocate(200);
        b.put(plain);
        byte[] before = b.array().clone();
        assertThatThrownBy(() -> FrameCodec.openTrailer(b, 0, -1, 16)).hasMessage("keyId : -1 (expected: 0..255)");
        assertThatThrownBy(() -> FrameCodec.openTrailer(b, 0, 256, 16)).hasMessage("keyId : 256 (expected: 0..255)");
        assertThatThrownBy(() -> FrameCodec.openTrailer(b, 0, 1, 0)).hasMessage("tagLength : 0 (expected: 1..64)");
        assertThatThrownBy(() -> FrameCodec.openTrailer(b, 0, 1, 65)).hasMessage("tagLength : 65 (expected: 1..64)");
        String notAFrame = "(expected: one unsealed frame, encoded by FrameCodec, ending at the buffer's position)";
        assertThatThrownBy(() -> FrameCodec.openTrailer(b, 1, 1, 16)).hasMessage("frame : bytes 1..44 " + notAFrame);
        assertThatThrownBy(() -> FrameCodec.openTrailer(b, -1, 1, 16)).hasMessage("frame : bytes -1..44 " + notAFrame);
        assertThatThrownBy(() -> FrameCodec.openTrailer(b, 40, 1, 16)).hasMessage("frame : bytes 40..44 " + notAFrame);
        ByteBuffer bad = ByteBuffer.allocate(200);
        bad.put(plain).put(0, (byte) 0);
        assertThatThrownBy(() -> FrameCodec.openTrailer(bad, 0, 1, 16)).hasMessage("frame : bytes 0..44 " + notAFrame);
        ByteBuffer tight = ByteBuffer.allocate(60);
        tight.put(plain);
        assertThatThrownBy(() -> FrameCodec.openTrailer(tight, 0, 1, 16))
                .hasMessage("buffer : 16 bytes free (expected: >= 18 for the trailer)");
        assertThat(b.position()).isEqualTo(44);
        assertThat(b.array()).isEqualTo(before);
        assertThat(tight.position()).isEqualTo(44);

        int tag = FrameCodec.openTrailer(b, 0, 7, 16);
        assertThat(tag).isEqualTo(46);
        assertThat(b.position()).isEqualTo(62);
        ByteBuffer again = b.duplicate().position(62);
        assertThatThrownBy(() -> FrameCodec.openTrailer(again, 0, 7, 16))
                .as("a sealed frame cannot be sealed twice").hasMessageStartingWith("frame : bytes 0..62");
    }

    // --- FrameTooLargeException -------------------------------------------------------------

    @Test
    void frameTooLargeNamesTheFrameItsSizeAndTheCap() {
        FrameTooLargeException e = new FrameTooLargeException(FrameType.PONG, 612, 508);
        assertThat(e).hasMessage("PONG : 612 bytes (expected: <= maxLength 508)");
        assertThat(e.frameType()).isEqualTo(FrameType.PONG);
        assertThat(e.length()).isEqualTo(612);
        assertThat(e.maxLength()).isEqualTo(508);
        assertThat(e.getStackTrace()).isEmpty();
        assertThat(e).isInstanceOf(IllegalStateException.class);
    }

    // --- peek ---------------------------------------------------------------------------

    @Test
    void peekReadsTheHeaderWithoutMovingThePosition() throws FrameDecodeException {
        FrameHeader h = new FrameHeader();
        assertThat(h.type()).isNull();
        ByteBuffer b = ByteBuffer.allocate(200);
        b.position(5);
        FrameCodec.encode(TestFrames.samplePing(), b);
        b.flip().position(5);
        FrameCodec.peek(b, h);
        assertThat(b.position()).isEqualTo(5);
        assertThat(h.type()).isEqualTo(FrameType.PING);
        assertThat(h.epoch()).isEqualTo(0x0123456789ABCDEFL);
        assertThat(h.sequence()).isEqualTo(0xFFFFFFFE);
        assertThat(h.length()).isEqualTo(44);
        assertThat(h.flags()).isZero();
        assertThat(h.hasAuthTrailer()).isFalse();
        assertThat(h.toString()).isEqualTo("PING{epoch=123456789abcdef, seq=4294967294, length=44}");

        ByteBuffer sealed = ByteBuffer.allocate(200);
        FrameCodec.encode(TestFrames.samplePong(), sealed, new FixedSealer(16));
        sealed.flip();
        FrameCodec.peek(sealed, h);
        assertThat(h.type()).isEqualTo(FrameType.PONG);
        assertThat(h.sequence()).isEqualTo(42);
        assertThat(h.hasAuthTrailer()).isTrue();
        assertThat(h.length()).isEqualTo(145);
        assertThat(h.toString()).endsWith(", auth trailer}");
        assertThat(sealed.position()).isZero();
    }

    @Test
    void peekRejectsMalformedHeadersWithDecodesReasonsAndMovesNothing() throws FrameDecodeException {
        byte[] ping = TestFrames.encode(TestFrames.samplePing());
        Object[][] cases = {
            {new byte[0], TRUNCATED},
            {new byte[] {0x48}, TRUNCATED},
            {new byte[] {0x00, 0x00}, BAD_MAGIC},
            {Arrays.copyOf(ping, 28), TRUNCATED},
            {TestFrames.put8(ping.clone(), 0, 0x49), BAD_MAGIC},
            {TestFrames.put8(ping.clone(), 2, 2), UNSUPPORTED_VERSION},
            {TestFrames.put8(ping.clone(), 2, 0), UNSUPPORTED_VERSION},
            {TestFrames.put8(ping.clone(), 3, 0), UNKNOWN_TYPE},
            {TestFrames.put8(ping.clone(), 3, 4), UNKNOWN_TYPE},
            {TestFrames.put16(ping.clone(), 6, 1025), TOO_LARGE},
            {TestFrames.put16(ping.clone(), 6, 0xFFFF), TOO_LARGE},
            {TestFrames.put16(ping.clone(), 6, 35), LENGTH_MISMATCH},
            {TestFrames.put16(ping.clone(), 6, 0), LENGTH_MISMATCH},
            {TestFrames.put16(ping.clone(), 6, 45), TRUNCATED},
            {Arrays.copyOf(ping, 43), TRUNCATED},
            {Arrays.copyOf(ping, 45), LENGTH_MISMATCH},
            {TestFrames.put64(ping.clone(), 8, 0), FIELD_OUT_OF_RANGE},
        };
        FrameHeader h = new FrameHeader();
        FrameCodec.peek(ByteBuffer.wrap(ping), h);
        for (Object[] c : cases) {
            byte[] bytes = (byte[]) c[0];
            Reason reason = (Reason) c[1];
            ByteBuffer b = ByteBuffer.wrap(bytes);
            assertThatThrownBy(() -> FrameCodec.peek(b, h)).as(TestFrames.hex(bytes))
                    .isInstanceOfSatisfying(FrameDecodeException.class, e -> assertThat(e.reason()).isEqualTo(reason));
            assertThat(b.position()).isZero();
            assertThatThrownBy(() -> TestFrames.decode(bytes)).as("decode agrees: " + TestFrames.hex(bytes))
                    .isInstanceOfSatisfying(FrameDecodeException.class, e -> assertThat(e.reason()).isEqualTo(reason));
        }
        assertThat(h.sequence()).as("a failed peek leaves the holder as it was").isEqualTo(0xFFFFFFFE);
    }

    @Test
    void peekChecksOnlyTheHeader() throws FrameDecodeException {
        byte[] badBody = TestFrames.put8(TestFrames.encode(TestFrames.samplePing()), 28, 0); // node id length 0
        FrameHeader h = new FrameHeader();
        FrameCodec.peek(ByteBuffer.wrap(badBody), h);
        assertThat(h.type()).isEqualTo(FrameType.PING);
        assertThatThrownBy(() -> TestFrames.decode(badBody)).isInstanceOf(FrameDecodeException.class);
    }

    @Test
    void peekAgreesWithDecodeOnRandomlyDamagedFrames() {
        Random r = new Random(20240607);
        FrameHeader h = new FrameHeader();
        Frame f = new Frame();
        int peekedOnly = 0;
        for (int i = 0; i < 30_000; i++) {
            FrameType type = FrameType.values()[r.nextInt(3)];
            byte[] bytes = TestFrames.encode(TestFrames.randomFrame(r, type));
            int flips = 1 + r.nextInt(3);
            for (int k = 0; k < flips; k++) {
                int at = r.nextInt(Math.min(bytes.length, 40));
                bytes[at] ^= (byte) (1 << r.nextInt(8));
            }
            if (r.nextInt(10) == 0) {
                bytes = Arrays.copyOf(bytes, r.nextInt(bytes.length + 3));
            }
            Reason peekFailure = null;
            try {
                FrameCodec.peek(ByteBuffer.wrap(bytes), h);
            } catch (FrameDecodeException e) {
                peekFailure = e.reason();
            }
            try {
                FrameCodec.decode(ByteBuffer.wrap(bytes), f);
                assertThat(peekFailure).as("decode accepted what peek refused").isNull();
                assertThat(h.type()).isEqualTo(f.type());
                assertThat(h.epoch()).isEqualTo(f.epoch());
                assertThat(h.sequence()).isEqualTo(f.sequence());
                assertThat(h.flags()).isEqualTo(f.flags());
                assertThat(h.length()).isEqualTo(f.length());
            } catch (FrameDecodeException e) {
                if (peekFailure != null) {
                    assertThat(e.reason()).as("same first failure").isEqualTo(peekFailure);
                } else {
                    peekedOnly++;
                }
            }
        }
        assertThat(peekedOnly).as("some damage lies beyond the header").isPositive();
    }
}
