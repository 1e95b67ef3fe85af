package dev.heartbeat.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code heartbeat}: the command-line front door. {@code bin/heartbeat} runs this class from the
 * shaded jar; tests call {@link #commandLine(PrintWriter, PrintWriter)} in-process.
 *
 * <p>Exit codes ({@link ExitCodes}): 0 ok, 1 not usable (probe), 2 unreachable, 3 bad usage, 4
 * failure. Every usage error names the flag, the value and what is allowed.
 */
@Command(name = "heartbeat",
        mixinStandardHelpOptions = true,
        versionProvider = HeartbeatCli.Version.class,
        description = {
            "Application-layer heartbeats: is each peer alive, and is it usable?",
            ""
        },
        subcommands = {ServeCommand.class, ProbeCommand.class, MonitorCommand.class, DemoCommand.class,
            CommandLine.HelpCommand.class},
        footer = {
            "",
            "Exit codes: 0 ok/usable, 1 answers but not usable, 2 unreachable or timed out, 3 bad usage, 4 failure.",
            "Start with:  heartbeat demo        Docs: docs/cli.md"
        })
public final class HeartbeatCli implements java.util.concurrent.Callable<Integer> {

    @Spec
    CommandSpec spec;

    /** Runs the CLI and exits with its exit code. */
    public static void main(String[] args) {
        quietLogging();
        int code = commandLine(new PrintWriter(System.out, true), new PrintWriter(System.err, true)).execute(args);
        System.exit(code);
    }

    /** Library warnings only, on stderr, unless the user asked otherwise (-Dorg.slf4j.simpleLogger.defaultLogLevel=…). */
    static void quietLogging() {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        if (System.getProperty("org.slf4j.simpleLogger.logFile") == null) {
            System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        }
    }

    /** A configured command line writing to {@code out} and {@code err}; call {@code execute(args)}. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        return commandLine(out, err, CommandLine.defaultFactory());
    }

    /** The same, with the commands made by {@code factory} (tests give {@code serve} a fake name resolver). */
    static CommandLine commandLine(PrintWriter out, PrintWriter err, CommandLine.IFactory factory) {
        CommandLine cl = new CommandLine(new HeartbeatCli(), factory);
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.registerConverter(Duration.class, new DurationConverter());
        cl.registerConverter(HostPort.class, new HostPort.Converter());
        cl.setParameterExceptionHandler(HeartbeatCli::usageError);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("heartbeat " + cmd.getCommandName() + ": " + describe(ex));
            cmd.getErr().flush();
            return ExitCodes.FAILED;
        });
        return cl;
    }

    /** A usage error: the message (which names the flag and value), the command's usage line, exit 3. */
    private static int usageError(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("heartbeat: " + usageMessage(ex, cmd));
        if (!CommandLine.UnmatchedArgumentException.printSuggestions(ex, err)) {
            err.println("Usage: " + cmd.getCommandSpec().qualifiedName() + " " + synopsis(cmd));
            err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
        }
        err.flush();
        return ExitCodes.USAGE;
    }

    /**
     * picocli's message, except for arguments nobody asked for: "Unmatched argument at index 0:
     * 'frobnicate'" names neither what was wrong nor what exists.
     */
    private static String usageMessage(ParameterException ex, CommandLine cmd) {
        if (ex instanceof CommandLine.UnmatchedArgumentException) {
            List<String> unmatched = ((CommandLine.UnmatchedArgumentException) ex).getUnmatched();
            String first = unmatched.isEmpty() ? "" : unmatched.get(0);
            if (!first.isEmpty() && !first.startsWith("-")) {
                if (cmd.getCommandSpec().parent() == null) {
                    return "unknown command '" + first + "' (expected one of: "
                            + String.join(", ", cmd.getSubcommands().keySet()) + ")";
                }
                return "unexpected argument '" + first + "' (expected: " + synopsis(cmd) + ")";
            }
        }
        return ex.getMessage();
    }

    private static String synopsis(CommandLine cmd) {
        String s = cmd.getHelp().synopsis(0).trim();
        String name = cmd.getCommandSpec().qualifiedName();
        return s.startsWith(name) ? s.substring(name.length()).trim() : s;
    }

    /**
     * The value of {@code option} as the user typed it, or its default's text when it was not
     * given: for range errors, which must echo the input ("--interval 0.5ms"), not the converted
     * value printed back ("0ms").
     */
    static String given(CommandSpec spec, String option) {
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        CommandLine.Model.OptionSpec matched = parsed == null ? null : parsed.matchedOption(option);
        if (matched != null && !matched.originalStringValues().isEmpty()) {
            List<String> typed = matched.originalStringValues();
            return typed.get(typed.size() - 1);
        }
        CommandLine.Model.OptionSpec declared = spec.findOption(option);
        return declared == null ? "?" : String.valueOf(declared.defaultValue());
    }

    static String describe(Throwable t) {
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.toString() : m;
    }

    /** "heartbeat" alone: a command is missing, so show what there is (on stderr) and exit 3. */
    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        err.println("heartbeat: a command is needed (expected one of: serve, probe, monitor, demo)");
        spec.commandLine().usage(err);
        err.flush();
        return ExitCodes.USAGE;
    }

    /** The version from the jar manifest (or "dev" when run from classes). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = HeartbeatCli.class.getPackage().getImplementationVersion();
            return new String[] {"heartbeat " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")"};
        }
    }
}
