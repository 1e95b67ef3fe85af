package dev.heartbeat.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One protocol frame, as a <b>mutable, reusable</b> holder: the codec decodes into it and encodes
 * from it, so a connection (or a thread) keeps one {@code Frame} and allocates nothing per
 * heartbeat. Not thread-safe; a decoded frame is valid until the holder is reused — copy what
 * you keep (its node id, as a string or as {@link #nodeIdUtf8() bytes}, and the {@link LoadReport}
 * {@link #load()} returns are immutable and may be kept; {@link #loadView()} of a decoded PONG is
 * refilled by the next decode).
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
    /**
     * The node id as a string: the one given to a built frame; for a decoded one the string the
     * decode made, or null until {@link #nodeId()} makes it from {@link #nodeIdUtf8}.
     */
    private String nodeId;
    /** A decoded frame's node id as received (valid UTF-8, never modified); null for a built frame. */
    private byte[] nodeIdUtf8;

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

    // What the next decodes may reuse (reuseStrings): null, what this holder decoded last.
    private byte[] reuseNodeId;
    private LoadView reuseLoad;
    /**
     * The node id this holder decoded last, and its string once made: kept when the holder is then
     * used to build a frame ({@link #ping}/{@link #pong}/{@link #goodbye} clear the node id fields),
     * so that a responder that decodes each PING into the holder it builds the PONG in still reuses
     * the monitor's node id instead of decoding it again per PING.
     */
    private byte[] decodedNodeIdUtf8;
    private String decodedNodeId;

    /** An empty holder; fill it with {@link #ping}, {@link #pong} or {@link #goodbye}, or decode into it. */
    public Frame() {
    }

    /**
     * What the next decodes into this holder may reuse instead of allocating anew: a node id of
     * exactly the bytes {@code nodeIdUtf8} decodes to that very array ({@link #nodeIdUtf8()};
     * no string is made until {@link #nodeId()} is asked for), and a custom metric name {@code i}
     * with the UTF-8 bytes of {@code load}'s name {@code i} to that name. For a reader that
     * decodes many senders' frames into one holder: before each decode it hands over what it kept
     * of that sender's last frame (the node id as {@link #nodeIdUtf8()} gave it), so that
     * steady-state decoding allocates nothing and the reader needs no cache of its own per
     * sender. {@code null} (the default) stands for what this holder itself decoded last. Only
     * compared with, never changed; the decoded values are equal whatever is given here.
     *
     * @param nodeIdUtf8 the sender's last node id as {@link #nodeIdUtf8()} gave it (only such an
     *        array: bytes equal to it are taken as already checked well-formed UTF-8), or null
     * @param load the sender's last load figures, or null
     * @return this
     */
    public Frame reuseStrings(byte[] nodeIdUtf8, LoadView load) {
        this.reuseNodeId = nodeIdUtf8;
        this.reuseLoad = load;
        return this;
    }

    /** The node id bytes a decode may reuse: the reader's ({@link #reuseStrings}), else this holder's own, or null. */
    byte[] reusableNodeId() {
        return reuseNodeId != null ? reuseNodeId : decodedNodeIdUtf8;
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
        this.nodeIdUtf8 = null;
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

    /**
     * The sender's node id (1..255 UTF-8 bytes). Of a decoded frame whose node id was
     * {@linkplain #reuseStrings handed over}, the string is made at the first call.
     */
    public String nodeId() {
        String s = nodeId;
        if (s == null && nodeIdUtf8 != null) {
            s = new String(nodeIdUtf8, StandardCharsets.UTF_8); // checked well-formed when decoded
            nodeId = s;
            if (nodeIdUtf8 == decodedNodeIdUtf8) {
                decodedNodeId = s;
            }
        }
        return s;
    }

    /**
     * A decoded frame's node id as received: its 1..255 bytes of well-formed UTF-8, the very array
     * {@linkplain #reuseStrings handed over} when the bytes are those, else a new one. Shared,
     * never modified: <b>don't modify it</b>. A reader that keeps a sender's node id can keep
     * this array (no string object) and hand it back with {@link #reuseStrings}. Null for a frame
     * built with {@link #ping}, {@link #pong} or {@link #goodbye}.
     */
    public byte[] nodeIdUtf8() {
        return nodeIdUtf8;
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

    /**
     * {@code nodeIdUtf8}: the decoded node id bytes; {@code nodeId}: their string when the decode
     * made one (new bytes), else null — this holder's own string is kept when the bytes are the
     * very array it decoded last (even if it built a frame since).
     */
    void decodedHeader(FrameType type, int flags, long epoch, int sequence, long sendTimeNanos, byte[] nodeIdUtf8,
                       String nodeId) {
        this.type = type;
        this.flags = flags;
        this.epoch = epoch;
        this.sequence = sequence;
        this.sendTimeNanos = sendTimeNanos;
        if (nodeId == null && nodeIdUtf8 == decodedNodeIdUtf8) {
            nodeId = decodedNodeId; // the same array as last time: its string too, if made
        }
        this.nodeId = nodeId;
        this.nodeIdUtf8 = nodeIdUtf8;
        decodedNodeIdUtf8 = nodeIdUtf8;
        decodedNodeId = nodeId;
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
        StringBuilder sb = new StringBuilder().append(type).append("{node=").append(nodeId())
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
