package dev.heartbeat.protocol.auth;

import dev.heartbeat.internal.Checks;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import javax.crypto.spec.SecretKeySpec;

/**
 * The shared secrets of an authenticated deployment, each under a key id (0..255, the first byte
 * of the authentication trailer): every key in the ring is <b>accepted</b> on frames received,
 * and one, the {@linkplain #signingKeyId() signing key}, is <b>used</b> on frames sent. Immutable;
 * a rotation builds a new ring and hands it to
 * {@link HmacSha256Authenticator#keyRing(HmacKeyRing)}.
 *
 * <p>Rotating without downtime takes three steps, each rolled out to every node before the next:
 * <ol>
 *   <li>add the new key, keep signing with the old one: {@code ring.toBuilder().key(8, next).build()};</li>
 *   <li>sign with the new key: {@code ring.toBuilder().signWith(8).build()};</li>
 *   <li>remove the old key: {@code ring.toBuilder().remove(7).build()}.</li>
 * </ol>
 * At every moment each node accepts the key that every other node signs with.
 *
 * <p>Secrets never leave the ring: {@link #toString()} shows key ids only, and error messages
 * show a secret's length, never its bytes. Secrets should be 32 random bytes (the output size of
 * SHA-256, as RFC 2104 recommends); at least {@value #MIN_SECRET_BYTES} are required.
 */
public final class HmacKeyRing {

    /** The shortest secret accepted, in bytes. */
    public static final int MIN_SECRET_BYTES = 16;
    /** The longest secret accepted, in bytes (HMAC hashes a secret longer than 64 bytes first). */
    public static final int MAX_SECRET_BYTES = 256;
    /** HMAC-SHA256 in the JDK's naming (the algorithm name of the stored keys). */
    static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec[] keys; // by key id; null where there is no key
    private final int signingKeyId;
    private final Set<Integer> keyIds;

    private HmacKeyRing(Builder b, int signingKeyId) {
        this.keys = b.keys.clone();
        this.signingKeyId = signingKeyId;
        Set<Integer> ids = new LinkedHashSet<>();
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != null) {
                ids.add(i);
            }
        }
        this.keyIds = Collections.unmodifiableSet(ids);
    }

    /** An empty builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** A ring with one key, which signs. */
    public static HmacKeyRing of(int keyId, byte[] secret) {
        return builder().key(keyId, secret).build();
    }

    /** A builder holding this ring's keys and signing key, for the next step of a rotation. */
    public Builder toBuilder() {
        Builder b = new Builder();
        System.arraycopy(keys, 0, b.keys, 0, keys.length);
        b.signingKeyId = signingKeyId;
        return b;
    }

    /** The key id put on frames sent. */
    public int signingKeyId() {
        return signingKeyId;
    }

    /** The key ids accepted on frames received, ascending. */
    public Set<Integer> keyIds() {
        return keyIds;
    }

    /** True when frames signed with {@code keyId} are accepted. */
    public boolean accepts(int keyId) {
        return keyId >= 0 && keyId < keys.length && keys[keyId] != null;
    }

    /** The key for an accepted id (callers check {@link #accepts} first). */
    SecretKeySpec key(int keyId) {
        return keys[keyId];
    }

    /** Key ids and the signing key id; never a secret. */
    @Override
    public String toString() {
        return "HmacKeyRing{keyIds=" + keyIds + ", signingKeyId=" + signingKeyId + '}';
    }

    /** Validating builder; each method checks its argument and names it in the error. */
    public static final class Builder {
        private final SecretKeySpec[] keys = new SecretKeySpec[256];
        private int signingKeyId = -1;

        private Builder() {
        }

        /**
         * Adds a key. The secret is copied; the caller should overwrite its array afterwards.
         *
         * @param keyId 0..255, not already in the ring
         * @param secret {@value #MIN_SECRET_BYTES}..{@value #MAX_SECRET_BYTES} bytes
         */
        public Builder key(int keyId, byte[] secret) {
            Checks.range("keyId", keyId, 0, 255);
            if (secret == null) {
                throw Checks.bad("secret", null, MIN_SECRET_BYTES + ".." + MAX_SECRET_BYTES + " bytes");
            }
            if (secret.length < MIN_SECRET_BYTES || secret.length > MAX_SECRET_BYTES) {
                throw Checks.bad("secret", secret.length + " bytes", MIN_SECRET_BYTES + ".." + MAX_SECRET_BYTES
                        + " bytes; 32 random bytes recommended");
            }
            if (keys[keyId] != null) {
                throw Checks.bad("keyId", keyId, "an id not already in the ring; remove(" + keyId + ") first");
            }
            keys[keyId] = new SecretKeySpec(Arrays.copyOf(secret, secret.length), ALGORITHM);
            return this;
        }

        /** Removes a key (the last step of a rotation). Removing the signing key needs a new {@link #signWith}. */
        public Builder remove(int keyId) {
            Checks.range("keyId", keyId, 0, 255);
            if (keys[keyId] == null) {
                throw Checks.bad("keyId", keyId, "one of " + ids());
            }
            keys[keyId] = null; // if it was the signing key, build() refuses until signWith names another
            return this;
        }

        /**
         * The key that signs frames sent. Optional when the ring holds exactly one key, which then
         * signs; {@link #build()} checks that the key is in the ring.
         */
        public Builder signWith(int keyId) {
            this.signingKeyId = Checks.range("signingKeyId", keyId, 0, 255);
            return this;
        }

        /**
         * @throws IllegalArgumentException when the ring is empty, or the signing key is not set
         *     (with several keys) or not in the ring
         */
        public HmacKeyRing build() {
            Set<Integer> ids = ids();
            if (ids.isEmpty()) {
                throw Checks.bad("keys", "none", "at least one key");
            }
            int signing = signingKeyId;
            if (signing < 0) {
                if (ids.size() > 1) {
                    throw Checks.bad("signingKeyId", "not set", "one of " + ids + "; call signWith");
                }
                signing = ids.iterator().next();
            }
            if (keys[signing] == null) {
                throw Checks.bad("signingKeyId", signing, "one of " + ids);
            }
            return new HmacKeyRing(this, signing);
        }

        private Set<Integer> ids() {
            Set<Integer> ids = new LinkedHashSet<>();
            for (int i = 0; i < keys.length; i++) {
                if (keys[i] != null) {
                    ids.add(i);
                }
            }
            return ids;
        }
    }
}
