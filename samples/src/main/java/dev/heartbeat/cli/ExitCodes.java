package dev.heartbeat.cli;

/** The process exit codes of every command (documented in docs/cli.md; scripts depend on them). */
public final class ExitCodes {

    /** Success; for {@code probe}: the peer answered and is usable (SERVING or DEGRADED). */
    public static final int OK = 0;
    /** {@code probe}: the peer answered but is not usable (DRAINING, NOT_SERVING, overloaded). */
    public static final int NOT_USABLE = 1;
    /** The peer is unreachable or did not answer in time; or {@code serve} could not bind. */
    public static final int UNREACHABLE = 2;
    /** Bad usage: unknown command or flag, a bad value, a missing argument. */
    public static final int USAGE = 3;
    /** Anything else went wrong (a bug or an environment problem); the message says what. */
    public static final int FAILED = 4;

    private ExitCodes() {
    }
}
