package dev.heartbeat.udp;

/**
 * Why a {@link UdpResponderServer} sent nothing back for a datagram. Every datagram it does not
 * answer is counted under exactly one of these ({@link UdpResponderServer.Stats#dropped(UdpDrop)}),
 * in the order the checks run.
 */
public enum UdpDrop {
    /** Not a valid frame (bad magic, version, length, fields; or longer than any frame can be). */
    MALFORMED,
    /** The source is over its reply rate ({@code maxReplyRate}); nothing else was looked at. */
    RATE_LIMITED,
    /** A valid frame that is not a PING: a responder answers only PINGs. */
    NOT_A_PING,
    /** A PING without an authentication trailer, to a responder that requires one. */
    UNAUTHENTICATED,
    /** A PING signed with a key id the responder does not hold (never configured, or rotated out). */
    UNKNOWN_KEY,
    /** A PING whose tag is wrong (tampered with, another secret, a tag of the wrong length). */
    BAD_TAG,
    /** A PING whose (epoch, sequence) was already answered: a duplicate or a replay. */
    REPLAYED,
    /** A PING older than the replay window, inside what its sender already used. */
    TOO_OLD,
    /** A PING from a monitor process that was replaced by a newer one with the same node id. */
    STALE_EPOCH,
    /** A PING from a new sender while the replay window holds {@code maxSenders} live ones. */
    TOO_MANY_SENDERS,
    /**
     * An unauthenticated PING shorter than even the reduced PONG: answering would send more bytes
     * than were received (the anti-amplification rule).
     */
    AMPLIFICATION,
    /** The PONG would be longer than {@code maxDatagramSize} (too many or too long custom metrics). */
    OVERSIZE_REPLY,
    /** The socket's send buffer was full; the PONG was not queued. */
    UNWRITABLE
}
