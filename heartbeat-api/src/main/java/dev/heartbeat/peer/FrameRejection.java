package dev.heartbeat.peer;

/**
 * Why a frame from a peer was not used. Every frame a monitor ignores is counted under one of
 * these ({@link Peer#rejectedFrames(FrameRejection)}) and reported to observers: a peer cannot make
 * the monitor silently discard its answers, and a hostile one cannot feed it answers it never
 * asked for.
 */
public enum FrameRejection {
    /** Not a valid frame (the decoder's reason is logged, rate-limited). */
    MALFORMED("is not a valid frame"),
    /** A PONG whose echoed sequence matches no PING we still have outstanding (never sent, or long forgotten). */
    NOT_OUTSTANDING("answers no PING we have outstanding"),
    /** A PONG whose echoed sequence is ours but whose echoed send time is not the one we sent. */
    ECHO_MISMATCH("echoes a send time we never sent"),
    /** A second PONG for a PING that was already answered. */
    DUPLICATE("answers a PING that was already answered"),
    /** A PONG for a PING older than one already answered (it arrived out of order). */
    REORDERED("arrived after the answer to a later PING"),
    /** A late PONG from a process that was replaced (an epoch we retired), answering a PING sent before the change. */
    RETIRED_EPOCH("is a late answer from a replaced process"),
    /** A GOODBYE from an epoch other than the peer's current one. */
    FOREIGN_GOODBYE("is a GOODBYE from another process"),
    /** A frame of a type a monitor does not expect (a PING). */
    UNEXPECTED_TYPE("is of a type a monitor does not expect"),
    /** The monitor requires authentication and the frame carries no trailer. */
    UNAUTHENTICATED("carries no authentication trailer"),
    /** The trailer names a key the monitor does not hold (never configured, or rotated out). */
    UNKNOWN_KEY("is signed with a key we do not hold"),
    /** The authentication tag is wrong (tampered with, signed with another secret, or a tag of the wrong length). */
    BAD_TAG("has a wrong authentication tag");

    private final String description;

    FrameRejection(String description) {
        this.description = description;
    }

    /** In words, as the predicate of "the frame …", for reasons and logs. */
    public String description() {
        return description;
    }
}
