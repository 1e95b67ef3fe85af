package dev.heartbeat.protocol;

import java.util.Objects;

/**
 * One protocol frame, as a <b>mutable, reusable</b> holder: the codec decodes into it and encodes
 * from it, so a connection (or a thread) keeps one {@code Frame} and allocates nothing per
 * heartbeat. Not thread-safe; a decoded frame is valid until the holder is reused — copy what
 * you keep (its node id and the {@link LoadReport} {@link #load()} returns are immutable and may be
 * kept; {@link #loadView()} of a decoded PONG is refilled by the next decode).
 *
 * <p>Fields common to every frame: {@link #type()}, {@link #epoch()}, {@link #sequence()},
 * {@link #sendTimeNanos()}, {@link #nodeId()}. Type-specific fields are meaningful only for their
 * type (see each accessor).
 */
public final class Frame {

    private FrameType type;
    private int flags;
    private long epoch;
    private int sequence;
    private long sendTimeNanos;
    private String nodeId;

    // PING
    private int intervalMillis;
    // PONG
    private int echoSequence;
    private long echoSendTimeNanos;
    private ServingStatus status;
    private int minIntervalMillis;
    /**
     * The report given to {@link #pong}, or the last one made from {@link #decodedLoad}: made when
     * first asked for, and reused while the decoded figures stay the same.
     */
    private LoadReport load;
    /** A decoded PONG's load figures (made at the first PONG decoded into this holder); null for a built PONG. */
    private LoadFigures decodedLoad;
    private boolean loadDecoded;
    // GOODBYE
    private int comeBackAfterMillis;
    // Authentication trailer: filled by decoding, and by encoding with a FrameSealer
    private int authKeyId = -1;
    private int authTagOffset = -1;
    private int authTagLength;
    // Total length of the last encoded or decoded frame
    private int length;

    // Strings the next decodes may reuse (reuseStrings): null, the ones this holder decoded last.
    private String reuseNodeId;
    private LoadView reuseLoad;

    /** An empty holder; fill it with {@link #ping}, {@link #pong} or {@link #goodbye}, or decode into it. */
    public Frame() {
    }

    /**
     * Strings the next decodes into this holder may reuse instead of allocating new ones: a node
     * id with exactly the UTF-8 bytes of {@code nodeId} decodes to {@code nodeId} itself, and a
     * custom metric name {@code i} with those of {@code load}'s name {@code i} to that name. For a
     * reader that decodes many senders' frames into one holder: before each decode it hands over
     * what it kept of that sender's last frame, so that steady-state decoding allocates nothing
     * and the reader needs no cache of its own per sender. {@code null} (the default) stands for
     * what this holder itself decoded last. Only compared with, never changed; the decoded
     * strings are the same whatever is given here.
     *
     * @param nodeId the sender's last node id, or null
     * @param load the sender's last load figures, or null
     * @return this
     */
    public Frame reuseStrings(String nodeId, LoadView load) {
        this.reuseNodeId = nodeId;
        this.reuseLoad = load;
        return this;
    }

    /** The node id a decode may reuse: the reader's ({@link #reuseStrings}), else this holder's own, or null. */
    String reusableNodeId() {
        return reuseNodeId != null ? reuseNodeId : nodeId;
    }

    /** Custom metric name {@code i} a decode may reuse (see {@link #reusableNodeId()}), or null. */
    String reusableName(int i) {
        LoadView l = reuseLoad != null ? reuseLoad : decodedLoad;
        return l != null && i < l.customCount() ? l.customName(i) : null;
    }

    /** Makes this a PING. {@code intervalMillis} tells the responder how often to expect pings. */
    public Frame ping(long epoch, int sequence, long sendTimeNanos, String nodeId, int intervalMillis) {
        common(FrameType.PING, epoch, sequence, sendTimeNanos, nodeId);
        this.intervalMillis = intervalMillis;
        return this;
    }

    /**
     * Makes this a PONG answering the PING with {@code echoSequence} / {@code echoSendTimeNanos}.
     * {@code minIntervalMillis} (0 = no advice) asks monitors not to ping more often than that.
     */
    public Frame pong(long epoch, int sequence, long sendTimeNanos, String nodeId, int echoSequence,
                      long echoSendTimeNanos, ServingStatus status, int minIntervalMillis, LoadReport load) {
        common(FrameType.PONG, epoch, sequence, sendTimeNanos, nodeId);
        this.echoSequence = echoSequence;
        this.echoSendTimeNanos = echoSendTimeNanos;
        this.status = Objects.requireNonNull(status, "status");
        this.minIntervalMillis = minIntervalMillis;
        this.load = Objects.requireNonNull(load, "load");
        this.loadDecoded = false;
        return this;
    }

    /** Makes this a GOODBYE; {@code comeBackAfterMillis} (0 = no advice) says when to try again. */
    public Frame goodbye(long epoch, int sequence, long sendTimeNanos, String nodeId, int comeBackAfterMillis) {
        common(FrameType.GOODBYE, epoch, sequence, sendTimeNanos, nodeId);
        this.comeBackAfterMillis = comeBackAfterMillis;
        return this;
    }

    private void common(FrameType type, long epoch, int sequence, long sendTimeNanos, String nodeId) {
        this.type = type;
        this.flags = 0;
        this.epoch = epoch;
        this.sequence = sequence;
        this.sendTimeNanos = sendTimeNanos;
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.authKeyId = -1;
        this.authTagOffset = -1;
        this.authTagLength = 0;
    }

    /** The frame type, or {@code null} before the holder is first filled. */
    public FrameType type() {
        return type;
    }

    /** Raw flag bits (bit 0: authentication trailer present). */
    public int flags() {
        return flags;
    }

    /** The sender's process epoch: random per start, a new value means the sender restarted. */
    public long epoch() {
        return epoch;
    }

    /** The sender's sequence number (unsigned 32-bit, compared with serial arithmetic). */
    public int sequence() {
        return sequence;
    }

    /** The sender's monotonic clock at sending, in nanoseconds; echoed back in a PONG. */
    public long sendTimeNanos() {
        return sendTimeNanos;
    }

    /** The sender's node id (1..255 UTF-8 bytes). */
    public String nodeId() {
        return nodeId;
    }

    /** PING: the monitor's ping interval in milliseconds (0 = not said). */
    public int intervalMillis() {
        return intervalMillis;
    }

    /** PONG: the sequence of the PING answered. */
    public int echoSequence() {
        return echoSequence;
    }

    /** PONG: the send time of the PING answered, unchanged, so RTT needs no clock sync. */
    public long echoSendTimeNanos() {
        return echoSendTimeNanos;
    }

    /** PONG: the responder's status. */
    public ServingStatus status() {
        return status;
    }

    /** PONG: the shortest ping interval the responder wants, in milliseconds (0 = no advice). */
    public int minIntervalMillis() {
        return minIntervalMillis;
    }

    /**
     * PONG: the responder's load report, immutable. For a decoded PONG it is made at the first call
     * and reused for as long as later PONGs decoded into this holder carry the same figures; read
     * {@link #loadView()} on the hot path instead, which never allocates.
     */
    public LoadReport load() {
        LoadReport l = load;
        if (loadDecoded && (l == null || !decodedLoad.sameAs(l))) {
            l = load = decodedLoad.toReport();
        }
        return l;
    }

    /**
     * PONG: the responder's load figures, without allocating: for a decoded PONG a view the next
     * decode into this holder overwrites, for a built one the report it was given.
     */
    public LoadView loadView() {
        return loadDecoded ? decodedLoad : load;
    }

    /** GOODBYE: milliseconds until the sender expects to be back (0 = no advice). */
    public int comeBackAfterMillis() {
        return comeBackAfterMillis;
    }

    /** Key id of the authentication trailer of the frame last decoded or encoded, or -1 when it had none. */
    public int authKeyId() {
        return authKeyId;
    }

    /** Offset of the authentication tag from the frame start (last decoded or encoded frame), or -1. */
    public int authTagOffset() {
        return authTagOffset;
    }

    /** Length of the authentication tag in bytes (last decoded or encoded frame; 0 when there is none). */
    public int authTagLength() {
        return authTagLength;
    }

    /** Total length in bytes of the frame last encoded from or decoded into this holder. */
    public int length() {
        return length;
    }

    // --- codec access -------------------------------------------------------------------------

    void decodedHeader(FrameType type, int flags, long epoch, int sequence, long sendTimeNanos, String nodeId) {
        this.type = type;
        this.flags = flags;
        this.epoch = epoch;
        this.sequence = sequence;
        this.sendTimeNanos = sendTimeNanos;
        this.nodeId = nodeId;
        this.authKeyId = -1;
        this.authTagOffset = -1;
        this.authTagLength = 0;
    }

    void decodedPing(int intervalMillis) {
        this.intervalMillis = intervalMillis;
    }

    void decodedPong(int echoSequence, long echoSendTimeNanos, ServingStatus status, int minIntervalMillis) {
        this.echoSequence = echoSequence;
        this.echoSendTimeNanos = echoSendTimeNanos;
        this.status = status;
        this.minIntervalMillis = minIntervalMillis;
        this.loadDecoded = true; // load() makes a report from the figures if asked for
    }

    /** Where the decoder puts a PONG's load figures. */
    LoadFigures decodedLoad() {
        LoadFigures f = decodedLoad;
        if (f == null) {
            f = decodedLoad = new LoadFigures();
        }
        return f;
    }

    void decodedGoodbye(int comeBackAfterMillis) {
        this.comeBackAfterMillis = comeBackAfterMillis;
    }

    void decodedAuth(int keyId, int tagOffset, int tagLength) {
        this.authKeyId = keyId;
        this.authTagOffset = tagOffset;
        this.authTagLength = tagLength;
    }

    /** After encoding: the flags and trailer actually written (no trailer: 0, -1, -1, 0). */
    void sealed(int flags, int keyId, int tagOffset, int tagLength) {
        this.flags = flags;
        decodedAuth(keyId, tagOffset, tagLength);
    }

    void length(int length) {
        this.length = length;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder().append(type).append("{node=").append(nodeId)
                .append(", epoch=").append(Long.toHexString(epoch))
                .append(", seq=").append(Integer.toUnsignedString(sequence));
        if (type == FrameType.PING) {
            sb.append(", interval=").append(intervalMillis).append("ms");
        } else if (type == FrameType.PONG) {
            sb.append(", echoSeq=").append(Integer.toUnsignedString(echoSequence)).append(", status=").append(status)
                    .append(", minInterval=").append(minIntervalMillis).append("ms, ").append(load());
        } else if (type == FrameType.GOODBYE) {
            sb.append(", comeBackAfter=").append(comeBackAfterMillis).append("ms");
        }
        return sb.append('}').toString();
    }
}
