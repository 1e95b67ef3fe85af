package dev.heartbeat.protocol;

/**
 * The fixed header of a frame, as read by {@link FrameCodec#peek}: a <b>mutable, reusable</b>
 * holder, so a receive loop keeps one and allocates nothing. Not thread-safe.
 */
public final class FrameHeader {

    private FrameType type;
    private int flags;
    private int length;
    private long epoch;
    private int sequence;

    /** The frame type, or {@code null} before the first successful peek. */
    public FrameType type() {
        return type;
    }

    /** Raw flag bits. */
    public int flags() {
        return flags;
    }

    /**
     * True when flag bit 0 says an authentication trailer ends the frame. Says nothing about
     * whether the tag is right: only a {@link FrameVerifier} knows that.
     */
    public boolean hasAuthTrailer() {
        return (flags & FrameCodec.FLAG_AUTH) != 0;
    }

    /** The frame's length field, which {@link FrameCodec#peek} checked against the bytes given. */
    public int length() {
        return length;
    }

    /** The sender's epoch (never 0). */
    public long epoch() {
        return epoch;
    }

    /** The sender's sequence number (unsigned 32-bit, compared with serial arithmetic). */
    public int sequence() {
        return sequence;
    }

    void set(FrameType type, int flags, int length, long epoch, int sequence) {
        this.type = type;
        this.flags = flags;
        this.length = length;
        this.epoch = epoch;
        this.sequence = sequence;
    }

    @Override
    public String toString() {
        return type + "{epoch=" + Long.toHexString(epoch) + ", seq=" + Integer.toUnsignedString(sequence)
                + ", length=" + length + (hasAuthTrailer() ? ", auth trailer" : "") + '}';
    }
}
