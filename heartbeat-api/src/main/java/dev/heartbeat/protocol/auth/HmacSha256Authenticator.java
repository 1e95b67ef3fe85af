package dev.heartbeat.protocol.auth;

import dev.heartbeat.internal.Checks;
import dev.heartbeat.protocol.AuthResult;
import dev.heartbeat.protocol.Frame;
import dev.heartbeat.protocol.FrameCodec;
import dev.heartbeat.protocol.FrameSealer;
import dev.heartbeat.protocol.FrameVerifier;
import java.nio.ByteBuffer;
import java.security.DigestException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;

/**
 * Seals and verifies frames with HMAC-SHA256 (RFC 2104, FIPS 180-4) under an {@link HmacKeyRing}:
 *
 * <pre>
 * tag = first T bytes of HMAC-SHA256(secret[keyId], frame[0 .. tagOffset))
 * </pre>
 *
 * where {@code frame[0 .. tagOffset)} is every byte before the tag, from the magic through the
 * trailer's tag-length byte, with flag bit 0 set and the length field counting the trailer. T,
 * the {@linkplain Builder#tagLength(int) tag length}, is {@value #MIN_TAG_LENGTH}..{@value
 * #MAX_TAG_LENGTH} bytes (default {@value #DEFAULT_TAG_LENGTH}): RFC 2104 section 5 advises
 * keeping at least half of the hash output, and a 16-byte tag leaves a forger one chance in 2^128
 * per try.
 *
 * <pre>{@code
 * HmacSha256Authenticator auth = HmacSha256Authenticator.of(HmacKeyRing.of(7, secret));
 * HeartbeatResponder responder = HeartbeatResponder.builder().sealer(auth).verifier(auth).build();
 * }</pre>
 *
 * <p>Verification accepts a frame only when its tag is exactly T bytes long, its key id is in
 * the ring, and the tag matches; the comparison takes the same time wherever the first difference
 * is. It never throws on a received frame; every outcome is an {@link AuthResult}.
 *
 * <p><b>Thread-safety.</b> Thread-safe: one instance serves every connection and event loop.
 * Each thread keeps its own SHA-256 {@link MessageDigest} and, per key id, the two padded keys
 * of RFC 2104 (in a {@link ThreadLocal}), set up on that thread's first frame under that key and
 * reused afterwards: sealing or verifying allocates nothing in steady state. (The HMAC is composed
 * from the digest because {@code javax.crypto.Mac} allocates its result on every frame; the tests
 * check it against {@code Mac} and RFC 4231.) A thread's keys are set up again after
 * {@link #keyRing(HmacKeyRing)} installs a new ring. Threads that come and go (a cached pool) pay
 * that set-up on each first use and are better avoided.
 */
public final class HmacSha256Authenticator implements FrameSealer, FrameVerifier {

    /** The shortest tag accepted by the builder, in bytes (half of SHA-256's 32). */
    public static final int MIN_TAG_LENGTH = 16;
    /** The longest tag, in bytes: the whole HMAC-SHA256 output. */
    public static final int MAX_TAG_LENGTH = 32;
    /** The default tag length, in bytes. */
    public static final int DEFAULT_TAG_LENGTH = 16;

    private static final int MAC_LENGTH = 32;

    private final int tagLength;
    private volatile HmacKeyRing ring;
    private final ThreadLocal<PerThread> perThread = ThreadLocal.withInitial(PerThread::new);

    private HmacSha256Authenticator(Builder b) {
        this.tagLength = b.tagLength;
        this.ring = b.ring;
    }

    /** A builder; {@link Builder#keyRing} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** An authenticator with the default tag length. */
    public static HmacSha256Authenticator of(HmacKeyRing ring) {
        return builder().keyRing(ring).build();
    }

    /** The keys in use now. */
    public HmacKeyRing keyRing() {
        return ring;
    }

    /**
     * Installs the next ring of a rotation (see {@link HmacKeyRing}). Takes effect for the next
     * frame on each thread; a frame being sealed or verified uses one ring throughout.
     */
    public void keyRing(HmacKeyRing next) {
        this.ring = Objects.requireNonNull(next, "keyRing");
    }

    /** The tag length T in bytes. */
    public int tagLength() {
        return tagLength;
    }

    @Override
    public int trailerLength() {
        return FrameCodec.AUTH_TRAILER_OVERHEAD + tagLength;
    }

    @Override
    public void seal(ByteBuffer buf, int frameStart) {
        HmacKeyRing r = ring;
        int keyId = r.signingKeyId();
        int tagOffset = FrameCodec.openTrailer(buf, frameStart, keyId, tagLength);
        PerThread t = perThread.get();
        t.mac(buf, frameStart, tagOffset, r, keyId);
        buf.put(tagOffset, t.out, 0, tagLength);
    }

    @Override
    public AuthResult verify(ByteBuffer buf, int frameStart, Frame decoded) {
        int tagOffset = decoded.authTagOffset();
        if (tagOffset < 0 || (decoded.flags() & FrameCodec.FLAG_AUTH) == 0) {
            return AuthResult.MISSING;
        }
        int length = decoded.length();
        int tagLen = decoded.authTagLength();
        int keyId = decoded.authKeyId();
        if (frameStart < 0 || length < FrameCodec.MIN_FRAME_LENGTH || length > FrameCodec.MAX_FRAME_LENGTH
                || frameStart > buf.limit() - length || tagLen < 1 || tagOffset + tagLen != length
                || tagOffset < FrameCodec.MIN_FRAME_LENGTH + FrameCodec.AUTH_TRAILER_OVERHEAD
                || (buf.get(frameStart + 5) & FrameCodec.FLAG_AUTH) == 0
                || (buf.get(frameStart + tagOffset - 2) & 0xFF) != keyId
                || (buf.get(frameStart + tagOffset - 1) & 0xFF) != tagLen) {
            return AuthResult.MALFORMED;
        }
        if (tagLen != tagLength) {
            return AuthResult.BAD_TAG_LENGTH;
        }
        HmacKeyRing r = ring;
        if (!r.accepts(keyId)) {
            return AuthResult.UNKNOWN_KEY;
        }
        PerThread t = perThread.get();
        t.mac(buf, frameStart, frameStart + tagOffset, r, keyId);
        int diff = 0;
        for (int i = 0, p = frameStart + tagOffset; i < tagLength; i++, p++) {
            diff |= t.out[i] ^ buf.get(p);
        }
        return diff == 0 ? AuthResult.OK : AuthResult.BAD_TAG;
    }

    /**
     * HMAC-SHA256 of {@code buf[from, to)} under {@code keyId} of the current ring, cut to
     * {@code out.length} bytes (at most 32): the bare HMAC, for the tests against RFC 4231.
     */
    void rawMac(ByteBuffer buf, int from, int to, int keyId, byte[] out) {
        PerThread t = perThread.get();
        t.mac(buf, from, to, ring, keyId);
        System.arraycopy(t.out, 0, out, 0, out.length);
    }

    /** Tag length and key ids; never a secret. */
    @Override
    public String toString() {
        return "HmacSha256Authenticator{tagLength=" + tagLength + ", " + ring + '}';
    }

    /**
     * One thread's HMAC state: a SHA-256 digest, the two padded keys of RFC 2104 for each key id
     * of one ring, and buffers. HMAC is composed here from {@link MessageDigest} because
     * {@link javax.crypto.Mac#doFinal(byte[], int)} allocates its result on every call, and a
     * heartbeat allocates nothing; the tests check it against {@code javax.crypto.Mac} and RFC 4231.
     */
    private static final class PerThread {
        private static final int BLOCK = 64; // SHA-256 block size, RFC 2104's B
        private final MessageDigest sha = newSha256();
        private final byte[][] innerPads = new byte[256][];
        private final byte[][] outerPads = new byte[256][];
        private final byte[] data = new byte[FrameCodec.MAX_FRAME_LENGTH];
        private final byte[] inner = new byte[MAC_LENGTH];
        final byte[] out = new byte[MAC_LENGTH];
        private HmacKeyRing keyedFor;

        /**
         * Leaves HMAC-SHA256(key, buf[from, to)) in {@link #out}:
         * H((K ^ opad) || H((K ^ ipad) || data)), K the key zero-padded to 64 bytes (hashed first
         * when longer), ipad = 0x36 and opad = 0x5c repeated.
         */
        void mac(ByteBuffer buf, int from, int to, HmacKeyRing ring, int keyId) {
            if (ring != keyedFor) {
                Arrays.fill(innerPads, null);
                Arrays.fill(outerPads, null);
                keyedFor = ring;
            }
            if (innerPads[keyId] == null) {
                pads(ring.key(keyId).getEncoded(), keyId);
            }
            int n = to - from;
            buf.get(from, data, 0, n); // absolute: heap or direct, position untouched
            try {
                sha.reset();
                sha.update(innerPads[keyId]);
                sha.update(data, 0, n);
                sha.digest(inner, 0, MAC_LENGTH);
                sha.update(outerPads[keyId]);
                sha.update(inner);
                sha.digest(out, 0, MAC_LENGTH);
            } catch (DigestException e) {
                throw new IllegalStateException("SHA-256 failed: " + e.getMessage(), e);
            }
        }

        private void pads(byte[] secret, int keyId) {
            byte[] k = secret.length > BLOCK ? sha.digest(secret) : secret;
            byte[] ipad = new byte[BLOCK];
            byte[] opad = new byte[BLOCK];
            for (int i = 0; i < BLOCK; i++) {
                byte b = i < k.length ? k[i] : 0;
                ipad[i] = (byte) (b ^ 0x36);
                opad[i] = (byte) (b ^ 0x5c);
            }
            Arrays.fill(secret, (byte) 0); // getEncoded() returned a copy
            Arrays.fill(k, (byte) 0);
            innerPads[keyId] = ipad;
            outerPads[keyId] = opad;
        }
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no SHA-256: " + e.getMessage(), e);
        }
    }

    /** Validating builder. */
    public static final class Builder {
        private HmacKeyRing ring;
        private int tagLength = DEFAULT_TAG_LENGTH;

        private Builder() {
        }

        /** The keys (required). */
        public Builder keyRing(HmacKeyRing ring) {
            this.ring = Objects.requireNonNull(ring, "keyRing");
            return this;
        }

        /**
         * Bytes of the HMAC kept as the tag: {@value #MIN_TAG_LENGTH}..{@value #MAX_TAG_LENGTH}
         * (default {@value #DEFAULT_TAG_LENGTH}). Every node must use the same length: a frame
         * with another length is refused ({@link AuthResult#BAD_TAG_LENGTH}).
         */
        public Builder tagLength(int tagLength) {
            this.tagLength = Checks.range("tagLength", tagLength, MIN_TAG_LENGTH, MAX_TAG_LENGTH);
            return this;
        }

        /** @throws IllegalArgumentException when no key ring was given */
        public HmacSha256Authenticator build() {
            if (ring == null) {
                throw Checks.bad("keyRing", null, "a key ring; HmacKeyRing.of(keyId, secret)");
            }
            newSha256(); // fail now, not on the first frame, on a JDK without SHA-256
            return new HmacSha256Authenticator(this);
        }
    }
}
