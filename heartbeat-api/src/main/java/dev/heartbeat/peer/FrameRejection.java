package dev.heartbeat.peer;

/**
 * Why a frame from a peer was not used. Every frame a monitor ignores is counted under one of
 * these ({@link Peer#rejectedFrames(FrameRejection)}) and reported to observers: a peer cannot make
 * the monitor silently discard its answers, and a hostile one cannot feed it answers it never
 * asked for.
 */
public enum FrameRejection {
    /** Not a valid frame (the decoder's reason is logged, rate-limited). */
    MALFORMED("not a valid frame"),
    /** A PONG whose echoed sequence matches no PING we still have outstanding (never sent, or long forgotten). */
    NOT_OUTSTANDING("answers no PING we have outstanding"),
    /** A PONG whose echoed sequence is ours but whose echoed send time is not the one we sent. */
    ECHO_MISMATCH("echoes a send time we never sent"),
    /** A second PONG for a PING that was already answered. */
    DUPLICATE("answers a PING that was already answered"),
    /** A PONG for a PING older than one already answered (it arrived out of order). */
    REORDERED("arrived after the answer to a later PING"),
    /** A late PONG from a process that was replaced (an epoch we retired), answering a PING sent before the change. */
    RETIRED_EPOCH("late answer from a replaced process"),
    /** A GOODBYE from an epoch other than the peer's current one. */
    FOREIGN_GOODBYE("GOODBYE from another process"),
    /** A frame of a type a monitor does not expect (a PING). */
    UNEXPECTED_TYPE("a frame type a monitor does not expect");

    private final String description;

    FrameRejection(String description) {
        this.description = description;
    }

    /** In words, for reasons and logs. */
    public String description() {
        return description;
    }
}
