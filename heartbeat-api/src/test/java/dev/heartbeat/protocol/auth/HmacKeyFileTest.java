package dev.heartbeat.protocol.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key file format: keys, rotation steps, tag length, and errors that name the line but never the secret. */
class HmacKeyFileTest {

    private static final String HEX = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    private static final String B64 = Base64.getEncoder().encodeToString(HexFormat.of().parseHex(HEX));

    @Test
    void oneKeySigns() {
        HmacKeyFile.Keys k = HmacKeyFile.parse("# a comment\n\nkey 7 hex:" + HEX + "\n", "keys");
        assertThat(k.ring().keyIds()).containsExactly(7);
        assertThat(k.ring().signingKeyId()).isEqualTo(7);
        assertThat(k.tagLength()).isEqualTo(HmacSha256Authenticator.DEFAULT_TAG_LENGTH);
    }

    @Test
    void severalKeysOneSignsAndTheTagLengthIsRead() {
        HmacKeyFile.Keys k = HmacKeyFile.parse("key 7 hex:" + HEX + "\r\nkey 8 base64:" + B64 + "\r\nsign 8\r\ntag-length 24\r\n",
                "keys");
        assertThat(k.ring().keyIds()).containsExactly(7, 8);
        assertThat(k.ring().signingKeyId()).isEqualTo(8);
        assertThat(k.authenticator().tagLength()).isEqualTo(24);
    }

    @Test
    void errorsNameTheSourceTheLineAndTheRuleButNeverTheSecret() {
        assertThatThrownBy(() -> HmacKeyFile.parse("key 7 hex:00ff", "/etc/hb/keys"))
                .hasMessage("/etc/hb/keys:1: secret : 2 bytes (expected: 16..256 bytes; 32 random bytes recommended)");
        assertThatThrownBy(() -> HmacKeyFile.parse("key 7 hex:zz" + HEX, "f"))
                .hasMessageStartingWith("f:1: secret : not valid hex").hasMessageNotContaining(HEX);
        assertThatThrownBy(() -> HmacKeyFile.parse("key 7 " + HEX, "f"))
                .hasMessage("f:1: secret : no encoding prefix (expected: hex:<secret> or base64:<secret>)");
        assertThatThrownBy(() -> HmacKeyFile.parse("key 7 hex:" + HEX + "\nkey 8 hex:" + HEX, "f"))
                .hasMessage("f: signingKeyId : not set (expected: one of [7, 8]; call signWith)");
        assertThatThrownBy(() -> HmacKeyFile.parse("key 7 hex:" + HEX + "\nsign 9", "f"))
                .hasMessage("f: signingKeyId : 9 (expected: one of [7])");
        assertThatThrownBy(() -> HmacKeyFile.parse("key 300 hex:" + HEX, "f"))
                .hasMessage("f:1: keyId : 300 (expected: 0..255)");
        assertThatThrownBy(() -> HmacKeyFile.parse("# nothing\n", "f"))
                .hasMessageContaining("f: keys : none");
        assertThatThrownBy(() -> HmacKeyFile.parse("key 7 hex:" + HEX + "\ntag-length 8", "f"))
                .hasMessage("f:2: tag-length : 8 (expected: 16..32)");
        assertThatThrownBy(() -> HmacKeyFile.parse("secret hex:" + HEX, "f"))
                .hasMessage("f:1: 'secret' (expected: key, sign, tag-length, a # comment or a blank line)");
    }

    @Test
    void aFileIsLoadedAndReloadedIntoARunningAuthenticator(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("keys");
        Files.writeString(f, "key 7 hex:" + HEX + "\n");
        HmacSha256Authenticator auth = HmacKeyFile.loadAuthenticator(f);
        assertThat(auth.keyRing().keyIds()).containsExactly(7);
        Files.writeString(f, "key 7 hex:" + HEX + "\nkey 8 base64:" + B64 + "\nsign 8\n");
        HmacKeyFile.reload(auth, f);
        assertThat(auth.keyRing().signingKeyId()).isEqualTo(8);
        Files.writeString(f, "key 8 base64:" + B64 + "\ntag-length 32\n");
        assertThatThrownBy(() -> HmacKeyFile.reload(auth, f)).hasMessageContaining("tag-length : 32 (expected: 16");
        assertThatThrownBy(() -> HmacKeyFile.load(dir.resolve("missing"))).hasMessageContaining("cannot be read");
    }
}
