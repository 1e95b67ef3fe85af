package dev.heartbeat.failover;

/**
 * A {@link FailoverRouter} could not give a call to any peer. Unchecked. When earlier attempts of
 * the same call failed, their exceptions are {@linkplain #getSuppressed() suppressed} here.
 */
public final class NoPeerAvailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why no peer was available. */
    public enum Reason {
        /** No peer is available and permitted by its breaker (or every one was tried already). */
        NO_PEER,
        /** The router panics in {@link PanicMode#FAIL_CLOSED} mode. */
        PANIC,
        /** The router is closed. */
        CLOSED
    }

    private final Reason reason;

    /** An exception with a reason and a message saying what was seen. */
    public NoPeerAvailableException(Reason reason, String message) {
        super(message, null, true, false);
        this.reason = reason;
    }

    /** Why no peer was available. */
    public Reason reason() {
        return reason;
    }
}
