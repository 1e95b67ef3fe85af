package dev.heartbeat.protocol.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.heartbeat.protocol.AuthResult;
import dev.heartbeat.protocol.Frame;
import dev.heartbeat.protocol.FrameCodec;
import dev.heartbeat.protocol.FrameDecodeException;
import dev.heartbeat.protocol.FrameType;
import dev.heartbeat.protocol.LoadReport;
import dev.heartbeat.protocol.ServingStatus;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class HmacSha256AuthenticatorTest {

    static final HexFormat HEX = HexFormat.of();
    static final byte[] SECRET_7 = HEX.parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    static final byte[] SECRET_8 = HEX.parseHex("202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f");

    static Frame ping() {
        return new Frame().ping(0x0123456789ABCDEFL, 0xFFFFFFFE, 5_000_000_000L, "zürich-1", 100);
    }

    static Frame pong() {
        LoadReport load = LoadReport.builder().cpu(0.425).memory(0.6).inFlight(12).custom("pool.active", 12).build();
        return new Frame().pong(0x7E57C0DEF00DBEEFL, 42, 987_654_321_000L, "orders-eu-west-3", 0xFFFFFFFE,
                5_000_000_000L, ServingStatus.DEGRADED, 50, load);
    }

    static Frame goodbye() {
        return new Frame().goodbye(0x7E57C0DEF00DBEEFL, 44, 987_800_000_000L, "orders-eu-west-3", 30_000);
    }

    static HmacSha256Authenticator auth(int keyId, byte[] secret) {
        return HmacSha256Authenticator.of(HmacKeyRing.of(keyId, secret));
    }

    static byte[] seal(Frame f, HmacSha256Authenticator auth) {
        ByteBuffer b = ByteBuffer.allocate(FrameCodec.MAX_FRAME_LENGTH);
        int n = FrameCodec.encode(f, b, auth);
        return Arrays.copyOf(b.array(), n);
    }

    static AuthResult verify(byte[] bytes, HmacSha256Authenticator auth) throws FrameDecodeException {
        Frame f = new Frame();
        ByteBuffer b = ByteBuffer.wrap(bytes);
        FrameCodec.decode(b, f);
        return auth.verify(b, 0, f);
    }

    // --- RFC 4231: HMAC-SHA256 test vectors ------------------------------------------------

    /** RFC 4231 section 4: key, data, expected HMAC-SHA-256 (test case 5 keeps 128 bits). */
    static final String[][] RFC_4231 = {
        {"1", "0b".repeat(20), HEX.formatHex("Hi There".getBytes(StandardCharsets.US_ASCII)),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
        {"3", "aa".repeat(20), "dd".repeat(50),
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
        {"4", "0102030405060708090a0b0c0d0e0f10111213141516171819", "cd".repeat(50),
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
        {"5", "0c".repeat(20), HEX.formatHex("Test With Truncation".getBytes(StandardCharsets.US_ASCII)),
            "a3b6167473100ee06e0c796c2955552b"},
        {"6", "aa".repeat(131),
            HEX.formatHex("Test Using Larger Than Block-Size Key - Hash Key First".getBytes(StandardCharsets.US_ASCII)),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
        {"7", "aa".repeat(131),
            HEX.formatHex(("This is a test using a larger than block-size key and a larger than block-size data."
                    + " The key needs to be hashed before being used by the HMAC algorithm.")
                    .getBytes(StandardCharsets.US_ASCII)),
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
    };

    @Test
    void rfc4231TestVectors() {
        for (String[] v : RFC_4231) {
            byte[] key = HEX.parseHex(v[1]);
            byte[] data = HEX.parseHex(v[2]);
            byte[] expected = HEX.parseHex(v[3]);
            HmacSha256Authenticator auth = auth(200, key);
            for (ByteBuffer buf : new ByteBuffer[] {ByteBuffer.allocate(data.length + 10),
                    ByteBuffer.allocateDirect(data.length + 10)}) {
                buf.put(3, data); // at an offset, position left at 0: the MAC reads absolute indices
                byte[] out = new byte[expected.length];
                for (int round = 0; round < 2; round++) { // the second round reuses the thread's Mac
                    auth.rawMac(buf, 3, 3 + data.length, 200, out);
                    assertThat(HEX.formatHex(out)).as("RFC 4231 test case %s, %s buffer, round %d", v[0],
                            buf.isDirect() ? "direct" : "heap", round).isEqualTo(v[3]);
                }
                assertThat(buf.position()).isZero();
            }
        }
    }

    @Test
    void agreesWithJavaxCryptoMacForRandomKeysAndMessages() throws Exception {
        Random r = new Random(2104);
        Mac reference = Mac.getInstance("HmacSHA256");
        for (int i = 0; i < 300; i++) {
            byte[] key = new byte[HmacKeyRing.MIN_SECRET_BYTES
                    + r.nextInt(HmacKeyRing.MAX_SECRET_BYTES - HmacKeyRing.MIN_SECRET_BYTES + 1)];
            byte[] data = new byte[r.nextInt(FrameCodec.MAX_FRAME_LENGTH + 1)];
            r.nextBytes(key);
            r.nextBytes(data);
            reference.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] expected = reference.doFinal(data);
            byte[] out = new byte[32];
            auth(i % 256, key).rawMac(ByteBuffer.wrap(data), 0, data.length, i % 256, out);
            assertThat(out).as("key of %d bytes, %d bytes of data", key.length, data.length).isEqualTo(expected);
        }
    }

    @Test
    void rfc4231TestCase2KeyIsTooShortForTheRing() {
        // "Jefe" (4 bytes) is a fine HMAC key for a test vector, and too weak for a deployment
        assertThatThrownBy(() -> HmacKeyRing.of(1, "Jefe".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("secret : 4 bytes (expected: 16..256 bytes; 32 random bytes recommended)");
    }

    // --- sealing and verifying ---------------------------------------------------------

    @Test
    void sealedFramesOfEveryTypeVerifyAndCarryTheTruncatedHmacOfEveryByteBeforeTheTag() throws Exception {
        HmacSha256Authenticator auth = auth(7, SECRET_7);
        Mac reference = Mac.getInstance("HmacSHA256");
        reference.init(new SecretKeySpec(SECRET_7, "HmacSHA256"));
        for (Frame f : new Frame[] {ping(), pong(), goodbye()}) {
            byte[] bytes = seal(f, auth);
            assertThat(f.authKeyId()).isEqualTo(7);
            assertThat(f.authTagLength()).isEqualTo(16);
            int tagOffset = f.authTagOffset();
            assertThat(tagOffset).isEqualTo(bytes.length - 16);
            assertThat(bytes[tagOffset - 2]).isEqualTo((byte) 7);
            assertThat(bytes[tagOffset - 1]).isEqualTo((byte) 16);
            byte[] full = reference.doFinal(Arrays.copyOf(bytes, tagOffset));
            assertThat(Arrays.copyOfRange(bytes, tagOffset, bytes.length)).as(f.type() + " tag")
                    .isEqualTo(Arrays.copyOf(full, 16));
            assertThat(verify(bytes, auth)).as(f.type().toString()).isEqualTo(AuthResult.OK);
        }
    }

    @Test
    void paddedAndSealedFramesVerifyAndVerifyingMovesNothing() throws FrameDecodeException {
        HmacSha256Authenticator auth = HmacSha256Authenticator.builder().keyRing(HmacKeyRing.of(7, SECRET_7))
                .tagLength(32).build();
        ByteBuffer direct = ByteBuffer.allocateDirect(300);
        direct.position(11);
        FrameCodec.encodePadded(ping(), direct, auth, 200);
        direct.flip().position(11);
        Frame f = new Frame();
        FrameCodec.decode(direct, f);
        assertThat(f.length()).isEqualTo(200);
        int pos = direct.position();
        assertThat(auth.verify(direct, 11, f)).isEqualTo(AuthResult.OK);
        assertThat(direct.position()).isEqualTo(pos);
    }

    @Test
    void everySingleBitFlipOfASealedFrameFailsDecodingOrVerification() {
        HmacSha256Authenticator auth = auth(7, SECRET_7);
        for (Frame f : new Frame[] {ping(), pong(), goodbye()}) {
            byte[] sealed = seal(f, auth);
            int decodedButRefused = 0;
            for (int bit = 0; bit < sealed.length * 8; bit++) {
                byte[] bad = sealed.clone();
                bad[bit / 8] ^= (byte) (1 << (bit % 8));
                AuthResult r;
                try {
                    r = verify(bad, auth);
                } catch (FrameDecodeException e) {
                    continue; // refused by the decoder: fine
                }
                assertThat(r).as("%s with bit %d (byte %d) flipped", f.type(), bit, bit / 8).isNotEqualTo(AuthResult.OK);
                decodedButRefused++;
            }
            assertThat(decodedButRefused).as("flips that only the MAC catches").isGreaterThan(sealed.length);
        }
    }

    @Test
    void aKeyIdNotInTheRingIsUnknownAndAnotherSecretIsABadTag() throws FrameDecodeException {
        byte[] sealed = seal(ping(), auth(7, SECRET_7));
        assertThat(verify(sealed, auth(8, SECRET_8))).isEqualTo(AuthResult.UNKNOWN_KEY);
        assertThat(verify(sealed, auth(7, SECRET_8))).isEqualTo(AuthResult.BAD_TAG);
        byte[] relabelled = sealed.clone();
        relabelled[sealed.length - 18] = 8; // claim key 8, which the verifier holds
        HmacSha256Authenticator both = HmacSha256Authenticator.of(HmacKeyRing.builder().key(7, SECRET_7)
                .key(8, SECRET_8).signWith(7).build());
        assertThat(verify(relabelled, both)).isEqualTo(AuthResult.BAD_TAG);
        assertThat(verify(sealed, both)).isEqualTo(AuthResult.OK);
    }

    @Test
    void aTagOfAnotherLengthIsRefusedEvenWhenItIsAPrefixOfTheRightOne() throws FrameDecodeException {
        HmacSha256Authenticator long20 = HmacSha256Authenticator.builder().keyRing(HmacKeyRing.of(7, SECRET_7))
                .tagLength(20).build();
        HmacSha256Authenticator short16 = auth(7, SECRET_7);
        assertThat(verify(seal(ping(), long20), short16)).isEqualTo(AuthResult.BAD_TAG_LENGTH);
        assertThat(verify(seal(ping(), short16), long20)).isEqualTo(AuthResult.BAD_TAG_LENGTH);

        // a forger keeps the first byte of a valid tag and declares a 1-byte tag
        byte[] sealed = seal(ping(), short16);
        int tagOffset = sealed.length - 16;
        byte[] cut = Arrays.copyOf(sealed, tagOffset + 1);
        cut[tagOffset - 1] = 1;
        cut[6] = 0;
        cut[7] = (byte) cut.length;
        assertThat(verify(cut, short16)).isEqualTo(AuthResult.BAD_TAG_LENGTH);
    }

    @Test
    void truncatedTrailersAreRefusedByTheDecoder() {
        byte[] sealed = seal(ping(), auth(7, SECRET_7)); // 44 + 18 = 62 bytes
        List<byte[]> cuts = new ArrayList<>();
        for (int keep = 44; keep < sealed.length; keep++) {
            cuts.add(Arrays.copyOf(sealed, keep)); // length field still says 62
            byte[] fixed = Arrays.copyOf(sealed, keep);
            fixed[6] = 0;
            fixed[7] = (byte) keep;
            cuts.add(fixed); // length field agrees, the trailer is short
        }
        for (byte[] cut : cuts) {
            assertThatThrownBy(() -> verify(cut, auth(7, SECRET_7))).as(cut.length + " bytes")
                    .isInstanceOf(FrameDecodeException.class);
        }
    }

    @Test
    void anUnsealedFrameIsMissingItsTrailer() throws FrameDecodeException {
        ByteBuffer b = ByteBuffer.allocate(100);
        FrameCodec.encode(ping(), b);
        assertThat(verify(Arrays.copyOf(b.array(), b.position()), auth(7, SECRET_7))).isEqualTo(AuthResult.MISSING);
        assertThat(auth(7, SECRET_7).verify(ByteBuffer.allocate(10), 0, new Frame())).isEqualTo(AuthResult.MISSING);
    }

    @Test
    void aBufferThatDoesNotMatchTheDecodedFrameIsMalformedNeverAnException() throws FrameDecodeException {
        HmacSha256Authenticator auth = auth(7, SECRET_7);
        byte[] sealed = seal(pong(), auth);
        Frame f = new Frame();
        FrameCodec.decode(ByteBuffer.wrap(sealed), f);
        ByteBuffer b = ByteBuffer.wrap(sealed);
        assertThat(auth.verify(b, 0, f)).isEqualTo(AuthResult.OK);
        for (int start : new int[] {-1, 1, 5, sealed.length, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
            assertThat(auth.verify(b, start, f)).as("start " + start).isEqualTo(AuthResult.MALFORMED);
        }
        assertThat(auth.verify(ByteBuffer.wrap(sealed, 0, sealed.length - 1), 0, f)).isEqualTo(AuthResult.MALFORMED);
        assertThat(auth.verify(ByteBuffer.allocate(sealed.length), 0, f)).isEqualTo(AuthResult.MALFORMED);
        byte[] otherKeyByte = sealed.clone();
        otherKeyByte[f.authTagOffset() - 2] = 9;
        assertThat(auth.verify(ByteBuffer.wrap(otherKeyByte), 0, f)).isEqualTo(AuthResult.MALFORMED);
        byte[] shorter = seal(ping(), auth); // a frame decoded from one buffer, checked against another
        assertThat(auth.verify(ByteBuffer.wrap(shorter), 0, f)).isEqualTo(AuthResult.MALFORMED);
    }

    @Test
    @Timeout(60)
    void verifyNeverThrowsOnRandomlyDamagedFrames() {
        HmacSha256Authenticator auth = auth(7, SECRET_7);
        Random r = new Random(4231);
        Frame f = new Frame();
        int checked = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] sealed = seal(r.nextBoolean() ? ping() : pong(), auth);
            byte[] bytes = sealed.clone();
            int n = 1 + r.nextInt(4);
            for (int k = 0; k < n; k++) {
                bytes[r.nextInt(bytes.length)] = (byte) r.nextInt(256);
            }
            if (Arrays.equals(bytes, sealed)) {
                continue; // the damage happened to write back the same bytes
            }
            ByteBuffer b = ByteBuffer.wrap(bytes);
            try {
                FrameCodec.decode(b, f);
            } catch (FrameDecodeException e) {
                continue;
            }
            checked++;
            assertThat(auth.verify(b, 0, f)).isNotEqualTo(AuthResult.OK);
            auth.verify(b, r.nextInt(bytes.length * 2) - bytes.length / 2, f); // any start: no exception
        }
        assertThat(checked).isPositive();
    }

    // --- the key ring and rotation --------------------------------------------------------

    @Test
    void aRotationInThreeStepsNeverRefusesAFrameFromANodeOneStepBehindOrAhead() throws FrameDecodeException {
        HmacKeyRing start = HmacKeyRing.of(7, SECRET_7);
        HmacKeyRing both = start.toBuilder().key(8, SECRET_8).build();
        HmacKeyRing signNew = both.toBuilder().signWith(8).build();
        HmacKeyRing done = signNew.toBuilder().remove(7).build();
        assertThat(both.signingKeyId()).isEqualTo(7);
        assertThat(both.keyIds()).containsExactly(7, 8);
        assertThat(done.keyIds()).containsExactly(8);
        assertThat(done.signingKeyId()).isEqualTo(8);
        HmacKeyRing[] steps = {start, both, signNew, done};
        for (int i = 0; i + 1 < steps.length; i++) {
            HmacSha256Authenticator a = HmacSha256Authenticator.of(steps[i]);
            HmacSha256Authenticator b = HmacSha256Authenticator.of(steps[i + 1]);
            assertThat(verify(seal(ping(), a), b)).as("step %d to %d", i, i + 1).isEqualTo(AuthResult.OK);
            assertThat(verify(seal(ping(), b), a)).as("step %d to %d", i + 1, i).isEqualTo(AuthResult.OK);
        }
        // the same authenticator, rotated in place
        HmacSha256Authenticator node = HmacSha256Authenticator.of(start);
        byte[] old = seal(ping(), node);
        node.keyRing(both);
        assertThat(verify(old, node)).isEqualTo(AuthResult.OK);
        node.keyRing(signNew);
        byte[] fresh = seal(ping(), node);
        assertThat(fresh[fresh.length - 18]).isEqualTo((byte) 8);
        node.keyRing(done);
        assertThat(verify(old, node)).as("after the rotation the old key is refused").isEqualTo(AuthResult.UNKNOWN_KEY);
        assertThat(verify(fresh, node)).isEqualTo(AuthResult.OK);
        assertThat(node.keyRing()).isSameAs(done);
        assertThatThrownBy(() -> node.keyRing(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void ringAndAuthenticatorBuildersNameTheParameterTheValueAndTheRule() {
        assertThatThrownBy(() -> HmacKeyRing.builder().key(-1, SECRET_7)).hasMessage("keyId : -1 (expected: 0..255)");
        assertThatThrownBy(() -> HmacKeyRing.builder().key(256, SECRET_7)).hasMessage("keyId : 256 (expected: 0..255)");
        assertThatThrownBy(() -> HmacKeyRing.builder().key(1, null)).hasMessage("secret : null (expected: 16..256 bytes)");
        assertThatThrownBy(() -> HmacKeyRing.builder().key(1, new byte[15]))
                .hasMessage("secret : 15 bytes (expected: 16..256 bytes; 32 random bytes recommended)");
        assertThatThrownBy(() -> HmacKeyRing.builder().key(1, new byte[257]))
                .hasMessage("secret : 257 bytes (expected: 16..256 bytes; 32 random bytes recommended)");
        HmacKeyRing.builder().key(1, new byte[16]).key(2, new byte[256]);
        assertThatThrownBy(() -> HmacKeyRing.builder().key(1, SECRET_7).key(1, SECRET_8))
                .hasMessage("keyId : 1 (expected: an id not already in the ring; remove(1) first)");
        assertThatThrownBy(() -> HmacKeyRing.builder().remove(3)).hasMessage("keyId : 3 (expected: one of [])");
        assertThatThrownBy(() -> HmacKeyRing.builder().remove(300)).hasMessage("keyId : 300 (expected: 0..255)");
        assertThatThrownBy(() -> HmacKeyRing.builder().signWith(-5)).hasMessage("signingKeyId : -5 (expected: 0..255)");
        assertThatThrownBy(() -> HmacKeyRing.builder().build()).hasMessage("keys : none (expected: at least one key)");
        assertThatThrownBy(() -> HmacKeyRing.builder().key(1, SECRET_7).key(2, SECRET_8).build())
                .hasMessage("signingKeyId : not set (expected: one of [1, 2]; call signWith)");
        assertThatThrownBy(() -> HmacKeyRing.builder().key(1, SECRET_7).signWith(3).build())
                .hasMessage("signingKeyId : 3 (expected: one of [1])");
        assertThatThrownBy(() -> HmacKeyRing.of(1, SECRET_7).toBuilder().key(2, SECRET_8).remove(1).build())
                .as("removing the signing key needs a new one")
                .hasMessage("signingKeyId : 1 (expected: one of [2])");
        assertThatThrownBy(() -> HmacSha256Authenticator.builder().tagLength(15))
                .hasMessage("tagLength : 15 (expected: 16..32)");
        assertThatThrownBy(() -> HmacSha256Authenticator.builder().tagLength(33))
                .hasMessage("tagLength : 33 (expected: 16..32)");
        assertThatThrownBy(() -> HmacSha256Authenticator.builder().build())
                .hasMessage("keyRing : null (expected: a key ring; HmacKeyRing.of(keyId, secret))");
        assertThat(HmacSha256Authenticator.builder().keyRing(HmacKeyRing.of(1, SECRET_7)).tagLength(32).build()
                .trailerLength()).isEqualTo(34);
        assertThat(auth(1, SECRET_7).tagLength()).isEqualTo(16);
    }

    @Test
    void theRingCopiesSecretsAndNeverShowsThem() throws FrameDecodeException {
        byte[] secret = SECRET_7.clone();
        HmacKeyRing ring = HmacKeyRing.builder().key(7, secret).key(8, SECRET_8).signWith(8).build();
        byte[] sealed = seal(ping(), HmacSha256Authenticator.of(ring));
        Arrays.fill(secret, (byte) 0); // the caller wipes its copy
        assertThat(verify(sealed, HmacSha256Authenticator.of(ring))).isEqualTo(AuthResult.OK);
        HmacSha256Authenticator auth = HmacSha256Authenticator.of(ring);
        assertThat(ring).hasToString("HmacKeyRing{keyIds=[7, 8], signingKeyId=8}");
        assertThat(auth).hasToString("HmacSha256Authenticator{tagLength=16, HmacKeyRing{keyIds=[7, 8], signingKeyId=8}}");
        String secretHex = HEX.formatHex(SECRET_8);
        assertThat(ring.toString() + auth).doesNotContainIgnoringCase(secretHex.substring(0, 8));
        assertThat(ring.accepts(7)).isTrue();
        assertThat(ring.accepts(9)).isFalse();
        assertThat(ring.accepts(-1)).isFalse();
        assertThat(ring.accepts(256)).isFalse();
    }

    // --- threads and allocation -----------------------------------------------------------

    @Test
    @Timeout(60)
    void oneAuthenticatorServesManyThreadsWhileItsRingRotates() throws Exception {
        HmacKeyRing a = HmacKeyRing.builder().key(7, SECRET_7).key(8, SECRET_8).signWith(7).build();
        HmacKeyRing b = a.toBuilder().signWith(8).build();
        HmacSha256Authenticator auth = HmacSha256Authenticator.of(a);
        int threads = 4;
        int perThread = 3_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                results.add(pool.submit(() -> {
                    go.await();
                    int ok = 0;
                    Frame f = new Frame();
                    ByteBuffer buf = ByteBuffer.allocate(FrameCodec.MAX_FRAME_LENGTH);
                    for (int i = 0; i < perThread; i++) {
                        if (id == 0 && i % 100 == 0) {
                            auth.keyRing(i % 200 == 0 ? b : a);
                        }
                        buf.clear();
                        f.ping(1 + id, i, i, "t" + id, 100);
                        FrameCodec.encode(f, buf, auth);
                        buf.flip();
                        FrameCodec.decode(buf, f);
                        if (auth.verify(buf, 0, f) == AuthResult.OK && f.sequence() == i) {
                            ok++;
                        }
                    }
                    return ok;
                }));
            }
            go.countDown();
            for (Future<Integer> r : results) {
                assertThat(r.get(50, TimeUnit.SECONDS)).isEqualTo(perThread);
            }
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void steadyStateSealingAndVerifyingAllocateNothing() throws FrameDecodeException {
        java.lang.management.ThreadMXBean plain = ManagementFactory.getThreadMXBean();
        assumeTrue(plain instanceof com.sun.management.ThreadMXBean, "per-thread allocation counter");
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) plain;
        assumeTrue(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled(),
                "per-thread allocation counter enabled");
        HmacSha256Authenticator auth = auth(7, SECRET_7);
        for (ByteBuffer buf : new ByteBuffer[] {ByteBuffer.allocate(1024), ByteBuffer.allocateDirect(1024)}) {
            Frame out = pong();
            Frame in = new Frame();
            int n = 20_000;
            int ok = 0;
            for (int round = 0; round < 2; round++) { // round 0 warms up: Macs, decoded strings
                long tid = Thread.currentThread().getId();
                long before = mx.getThreadAllocatedBytes(tid);
                for (int i = 0; i < n; i++) {
                    buf.clear();
                    FrameCodec.encode(out, buf, auth);
                    buf.flip();
                    FrameCodec.decode(buf, in);
                    if (auth.verify(buf, 0, in) == AuthResult.OK) {
                        ok++;
                    }
                }
                long allocated = mx.getThreadAllocatedBytes(tid) - before;
                if (round == 1) {
                    assertThat(allocated).as("bytes allocated by %d seal+decode+verify (%s buffer)", n,
                            buf.isDirect() ? "direct" : "heap").isLessThan(n / 4);
                }
            }
            assertThat(ok).isEqualTo(2 * n);
            assertThat(in.type()).isEqualTo(FrameType.PONG);
        }
    }
}
