package dev.heartbeat.protocol;

/** The kind of a frame; its wire code is the byte at offset 3. */
public enum FrameType {
    /** Monitor to responder: "are you there, and how are you?". */
    PING(1),
    /** Responder to monitor: the answer to one PING, with status and load. */
    PONG(2),
    /** Responder to monitor: "I am leaving, stop routing to me now". */
    GOODBYE(3);

    private static final FrameType[] BY_CODE = {null, PING, PONG, GOODBYE};

    private final int code;

    FrameType(int code) {
        this.code = code;
    }

    /** The byte written on the wire. */
    public int code() {
        return code;
    }

    /** The type for a wire code, or {@code null} when the code is not a v1 frame type. */
    public static FrameType fromCode(int code) {
        return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
