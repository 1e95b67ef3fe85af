package dev.heartbeat.protocol;

import java.nio.ByteBuffer;

/**
 * Checks the authentication trailer of a received frame: the hook through which both engines
 * refuse what they cannot trust. The responder verifies PINGs before answering them
 * ({@code HeartbeatResponder.Builder.verifier}); a monitor verifies PONGs and GOODBYEs before it
 * believes them.
 *
 * <p>Call it after {@link FrameCodec#decode} succeeded, with the same buffer and the index where
 * the frame started (decode moves the position to the end of the frame): the decoder has already
 * checked the trailer's shape and recorded where the tag is ({@link Frame#authKeyId()},
 * {@link Frame#authTagOffset()}, {@link Frame#authTagLength()}).
 *
 * <pre>{@code
 * int start = buf.position();
 * FrameCodec.decode(buf, frame);                       // throws FrameDecodeException on bad bytes
 * AuthResult auth = verifier.verify(buf, start, frame);
 * if (!auth.ok()) {
 *     rejected[auth.ordinal()]++;                      // count by reason, drop the frame
 *     return;
 * }
 * }</pre>
 *
 * <p>Implementations are called by every connection and must be thread-safe. They never throw on
 * what a peer sent: every outcome, including a buffer that does not match {@code decoded}, is a
 * returned {@link AuthResult}.
 */
public interface FrameVerifier {

    /**
     * Verifies the frame in {@code buf[frameStart, frameStart + decoded.length())}, which
     * {@code decoded} was just decoded from. Does not move {@code buf}'s position.
     */
    AuthResult verify(ByteBuffer buf, int frameStart, Frame decoded);
}
