package dev.heartbeat.protocol;

/**
 * A frame that is valid but longer than a transport allows, for example a PONG with many long
 * custom metrics over UDP, whose default cap is 508 bytes. Nothing was written when it is thrown.
 * The message names the frame, its size and the cap:
 * {@code PONG : 612 bytes (expected: <= maxLength 508)}.
 *
 * <p>It carries no stack trace, so that a transport refusing the same oversize reply again and
 * again pays little for it; its accessors say everything the trace would.
 */
public final class FrameTooLargeException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final FrameType type;
    private final int length;
    private final int maxLength;

    public FrameTooLargeException(FrameType type, int length, int maxLength) {
        super((String) null);
        this.type = type;
        this.length = length;
        this.maxLength = maxLength;
    }

    /** The kind of frame that did not fit. */
    public FrameType frameType() {
        return type;
    }

    /** Its size in bytes, trailer included. */
    public int length() {
        return length;
    }

    /** The cap it exceeded. */
    public int maxLength() {
        return maxLength;
    }

    @Override
    public String getMessage() {
        return type + " : " + length + " bytes (expected: <= maxLength " + maxLength + ")";
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this; // see the class comment
    }
}
