package dev.heartbeat.protocol;

/**
 * What a {@link FrameVerifier} concluded about a frame. Only {@link #OK} means "trust it"; every
 * other value is a reason to drop the frame, named so that a transport can count drops by reason.
 */
public enum AuthResult {
    /** The trailer's tag is right for the frame, under a key the verifier accepts. */
    OK,
    /** The frame has no authentication trailer (flag bit 0 clear). */
    MISSING,
    /** The trailer names a key id the verifier does not hold (never configured, or rotated out). */
    UNKNOWN_KEY,
    /** The tag is not as long as the verifier's tags (a shortened tag would be easier to forge). */
    BAD_TAG_LENGTH,
    /** The tag does not match: the frame was changed, or signed with another secret. */
    BAD_TAG,
    /**
     * The buffer and the decoded frame do not agree (the frame start or the trailer lies outside
     * the buffer): a caller's mistake, reported instead of thrown.
     */
    MALFORMED;

    /** True only for {@link #OK}. */
    public boolean ok() {
        return this == OK;
    }
}
