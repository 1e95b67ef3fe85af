package dev.heartbeat.protocol.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the shared HMAC keys of an authenticated deployment from a file, so that secrets never
 * appear on a command line (where {@code ps} shows them) or in a configuration dump.
 *
 * <h2>Format</h2>
 * UTF-8 text, one directive per line; blank lines and lines starting with {@code #} are ignored.
 * <pre>
 * # heartbeat keys — rotate by editing this file on every node, one step at a time
 * key 7 hex:9f2c4e…            (a key id 0..255 and its secret: hex: or base64:, 16..256 bytes)
 * key 8 base64:3q2+7w…         (several keys: all are accepted on frames received)
 * sign 8                       (which key signs frames sent; optional with a single key)
 * tag-length 16                (optional: the tag length T, 16..32, default 16; the same on every node)
 * </pre>
 * Errors name the file, the line number and the rule, never a secret's bytes. On POSIX file
 * systems a file that its group or others can read is accepted with a warning.
 *
 * <h2>Rotation</h2>
 * Rewrite the file for each of the three steps of {@link HmacKeyRing}'s rotation (add the new key;
 * sign with it; remove the old one) and hand the result to the running authenticator:
 * {@code auth.keyRing(HmacKeyFile.loadRing(path))}; {@link #reload} does exactly that.
 */
public final class HmacKeyFile {

    private static final Logger log = LoggerFactory.getLogger(HmacKeyFile.class);

    private HmacKeyFile() {
    }

    /** The ring and tag length a key file describes. */
    public record Keys(HmacKeyRing ring, int tagLength) {

        /** A new authenticator (sealer and verifier) with these keys. */
        public HmacSha256Authenticator authenticator() {
            return HmacSha256Authenticator.builder().keyRing(ring).tagLength(tagLength).build();
        }
    }

    /**
     * Reads {@code file}.
     *
     * @throws UncheckedIOException when it cannot be read (the message names it)
     * @throws IllegalArgumentException naming the file, the line and the rule it breaks
     */
    public static Keys load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("key file " + file + " cannot be read: " + e, e);
        }
        warnIfReadableByOthers(file);
        return parse(text, file.toString());
    }

    /** Reads {@code file} into an authenticator; see {@link #load}. */
    public static HmacSha256Authenticator loadAuthenticator(Path file) {
        return load(file).authenticator();
    }

    /** Reads {@code file}'s ring; see {@link #load}. */
    public static HmacKeyRing loadRing(Path file) {
        return load(file).ring();
    }

    /**
     * Installs the ring of {@code file} in a running authenticator (the next step of a rotation).
     *
     * @throws IllegalArgumentException also when the file's tag length differs from the
     *     authenticator's (every node must use the same T; it cannot change while running)
     */
    public static void reload(HmacSha256Authenticator auth, Path file) {
        Keys k = load(file);
        if (k.tagLength() != auth.tagLength()) {
            throw new IllegalArgumentException("key file " + file + ": tag-length : " + k.tagLength()
                    + " (expected: " + auth.tagLength() + ", the running authenticator's)");
        }
        auth.keyRing(k.ring());
    }

    /**
     * Parses the text of a key file; {@code source} names it in errors.
     *
     * @throws IllegalArgumentException naming {@code source}, the line and the rule
     */
    public static Keys parse(String text, String source) {
        HmacKeyRing.Builder ring = HmacKeyRing.builder();
        int tagLength = HmacSha256Authenticator.DEFAULT_TAG_LENGTH;
        boolean anyKey = false;
        boolean tagSet = false;
        boolean signSet = false;
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = source + ":" + (i + 1);
            String[] w = line.split("\\s+");
            try {
                switch (w[0].toLowerCase(Locale.ROOT)) {
                    case "key" -> {
                        expectWords(w, 3, where, "key <id 0..255> hex:<secret>|base64:<secret>");
                        int id = number(w[1], where, "key id");
                        byte[] secret = secret(w[2], where);
                        try {
                            ring.key(id, secret);
                        } finally {
                            Arrays.fill(secret, (byte) 0);
                        }
                        anyKey = true;
                    }
                    case "sign" -> {
                        expectWords(w, 2, where, "sign <id>");
                        if (signSet) {
                            throw new IllegalArgumentException(where + ": sign : given twice (expected: once)");
                        }
                        ring.signWith(number(w[1], where, "sign"));
                        signSet = true;
                    }
                    case "tag-length" -> {
                        expectWords(w, 2, where, "tag-length <16..32>");
                        if (tagSet) {
                            throw new IllegalArgumentException(where + ": tag-length : given twice (expected: once)");
                        }
                        tagLength = number(w[1], where, "tag-length");
                        if (tagLength < HmacSha256Authenticator.MIN_TAG_LENGTH
                                || tagLength > HmacSha256Authenticator.MAX_TAG_LENGTH) {
                            throw new IllegalArgumentException(where + ": tag-length : " + tagLength + " (expected: "
                                    + HmacSha256Authenticator.MIN_TAG_LENGTH + ".."
                                    + HmacSha256Authenticator.MAX_TAG_LENGTH + ")");
                        }
                        tagSet = true;
                    }
                    default -> throw new IllegalArgumentException(where + ": '" + w[0]
                            + "' (expected: key, sign, tag-length, a # comment or a blank line)");
                }
            } catch (IllegalArgumentException e) {
                if (e.getMessage() != null && e.getMessage().startsWith(where)) {
                    throw e;
                }
                throw new IllegalArgumentException(where + ": " + e.getMessage(), e); // the ring's rule, e.g. secret length
            }
        }
        if (!anyKey) {
            throw new IllegalArgumentException(source + ": keys : none (expected: at least one 'key <id> hex:<secret>' line)");
        }
        try {
            return new Keys(ring.build(), tagLength);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    private static void expectWords(String[] w, int n, String where, String form) {
        if (w.length != n) {
            throw new IllegalArgumentException(where + ": '" + w[0] + "' with " + (w.length - 1) + " argument(s) (expected: "
                    + form + ")");
        }
    }

    private static int number(String s, String where, String what) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + ": " + what + " : '" + s + "' (expected: a decimal number)");
        }
    }

    /** Decodes a secret; the error never repeats it. */
    private static byte[] secret(String s, String where) {
        try {
            if (s.startsWith("hex:")) {
                return HexFormat.of().parseHex(s.substring(4));
            }
            if (s.startsWith("base64:")) {
                return Base64.getDecoder().decode(s.substring(7));
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": secret : not valid " + s.substring(0, s.indexOf(':'))
                    + " (expected: hex:<even number of hex digits> or base64:<standard base64>)");
        }
        throw new IllegalArgumentException(where + ": secret : no encoding prefix (expected: hex:<secret> or base64:<secret>)");
    }

    private static void warnIfReadableByOthers(Path file) {
        try {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
            if (p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ)) {
                log.warn("key file {} is readable by its group or by others (permissions {}); chmod 600 it", file,
                        java.nio.file.attribute.PosixFilePermissions.toString(p));
            }
        } catch (UnsupportedOperationException | IOException e) {
            // not a POSIX file system: nothing to check
        }
    }
}
