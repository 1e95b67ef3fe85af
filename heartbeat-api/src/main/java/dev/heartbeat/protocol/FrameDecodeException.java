package dev.heartbeat.protocol;

/**
 * A frame that could not be decoded, with a {@link Reason} a program can switch on and a message
 * a person can act on. Checked on purpose: every caller of the decoder must decide what a bad
 * frame means for its connection (close a TCP stream, drop a datagram).
 */
public final class FrameDecodeException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why a frame was rejected. */
    public enum Reason {
        /**
         * Fewer bytes than the frame needs: under a header, fewer than its length field says, or a
         * field, extension or trailer that runs past the end of the frame (or of the extension area).
         */
        TRUNCATED,
        /** The length field exceeds {@link FrameCodec#MAX_FRAME_LENGTH}. */
        TOO_LARGE,
        /**
         * The length field is below {@link FrameCodec#MIN_FRAME_LENGTH}, or more bytes were given than
         * it says (trailing bytes), or the structure ends before it says (unparsed bytes).
         */
        LENGTH_MISMATCH,
        /** The first two bytes are not "HB". */
        BAD_MAGIC,
        /** A version this decoder does not speak. */
        UNSUPPORTED_VERSION,
        /** An unknown frame type. */
        UNKNOWN_TYPE,
        /** An enumerated field (status) holds an unknown code. */
        BAD_ENUM,
        /** A string is not valid UTF-8. */
        BAD_UTF8,
        /** A field is outside its documented range. */
        FIELD_OUT_OF_RANGE,
        /** An extension marked critical that this decoder does not understand. */
        UNKNOWN_CRITICAL_EXTENSION
    }

    private final Reason reason;

    public FrameDecodeException(Reason reason, String message) {
        super(reason + ": " + message, null, false, false);
        this.reason = reason;
    }

    /** The machine-readable reason. */
    public Reason reason() {
        return reason;
    }
}
