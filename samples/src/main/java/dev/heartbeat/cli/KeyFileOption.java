package dev.heartbeat.cli;

import dev.heartbeat.protocol.auth.HmacKeyFile;
import dev.heartbeat.protocol.auth.HmacSha256Authenticator;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code --key-file PATH}, shared by {@code serve}, {@code probe} and {@code monitor} (a picocli
 * mixin): the HMAC keys that authenticate every heartbeat, read from a file in
 * {@link HmacKeyFile}'s format — never from the command line, where {@code ps} would show them.
 *
 * <p>A file that cannot be read or breaks the format is bad usage (exit 3), with the loader's
 * message: it names the file, the line and the rule, and never repeats a secret.
 */
final class KeyFileOption {

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--key-file", paramLabel = "PATH",
            description = "Authenticate every heartbeat with the HMAC-SHA256 keys in this file (format: "
                    + "docs/transport-udp.md, 'Key files'; chmod 600). Peers must hold the same keys. Default: none.")
    Path keyFile;

    /** True when {@code --key-file} was given. */
    boolean present() {
        return keyFile != null;
    }

    /**
     * The authenticator the file describes (it seals what this command sends and verifies what it
     * receives), or {@code null} without {@code --key-file}.
     *
     * @throws ParameterException when the file cannot be read or is malformed (exit 3)
     */
    HmacSha256Authenticator authenticator() {
        if (keyFile == null) {
            return null;
        }
        try {
            return HmacKeyFile.loadAuthenticator(keyFile);
        } catch (UncheckedIOException | IllegalArgumentException e) {
            throw new ParameterException(mixee.commandLine(),
                    "Invalid value for option '--key-file': " + HeartbeatCli.describe(e));
        }
    }
}
