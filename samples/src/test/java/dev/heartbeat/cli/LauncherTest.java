package dev.heartbeat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code bin/heartbeat} picks the JIT per command: C1 only for short runs, full tiering for the
 * long-running {@code serve} and {@code monitor}. Run against a copy of the script in a fake
 * checkout whose {@code java} prints its arguments.
 */
class LauncherTest {

    @TempDir
    Path root;

    private List<String> launch(String command, String javaOpts) throws Exception {
        Files.createDirectories(root.resolve("bin"));
        Files.createDirectories(root.resolve("samples/target"));
        Files.createDirectories(root.resolve("jdk/bin"));
        Path script = root.resolve("bin/heartbeat");
        Files.copy(Path.of("..", "bin", "heartbeat"), script);
        Files.writeString(root.resolve("samples/target/heartbeat-cli.jar"), "");
        Path java = root.resolve("jdk/bin/java");
        Files.writeString(java, "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done\n", StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        ProcessBuilder pb = new ProcessBuilder("sh", script.toString(), command, "--flag").redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", root.resolve("jdk").toString());
        if (javaOpts == null) {
            pb.environment().remove("HEARTBEAT_JAVA_OPTS");
        } else {
            pb.environment().put("HEARTBEAT_JAVA_OPTS", javaOpts);
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out.lines().toList();
    }

    @ParameterizedTest(name = "{0}: C1 only = {1}")
    @CsvSource({"probe, true", "demo, true", "--help, true", "serve, false", "monitor, false"})
    void theJitFitsTheCommand(String command, boolean c1Only) throws Exception {
        Assumptions.assumeFalse(ChildResponder.isWindows(), "a POSIX shell script");
        List<String> args = launch(command, null);
        assertThat(args).contains("-XX:+UseSerialGC", "-jar").endsWith(command, "--flag");
        if (c1Only) {
            assertThat(args).contains("-XX:TieredStopAtLevel=1");
        } else {
            assertThat(args).noneMatch(a -> a.startsWith("-XX:TieredStopAtLevel"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"probe", "serve"})
    void theUsersOptionsComeLastSoTheyWin(String command) throws Exception {
        Assumptions.assumeFalse(ChildResponder.isWindows(), "a POSIX shell script");
        List<String> args = launch(command, "-XX:TieredStopAtLevel=4 -Xmx64m");
        int user = args.lastIndexOf("-XX:TieredStopAtLevel=4");
        assertThat(user).isGreaterThan(args.indexOf("-XX:+UseSerialGC")).isLessThan(args.indexOf("-jar"));
        assertThat(args.lastIndexOf("-XX:TieredStopAtLevel=1")).isLessThan(user);
        assertThat(args).contains("-Xmx64m");
    }
}
