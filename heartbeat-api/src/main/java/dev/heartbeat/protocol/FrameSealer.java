package dev.heartbeat.protocol;

import java.nio.ByteBuffer;

/**
 * Appends an authentication trailer to a frame: the hook through which both engines sign what
 * they send. The responder seals its PONGs and GOODBYEs
 * ({@code HeartbeatResponder.Builder.sealer}); a monitor seals its PINGs. Callers do not call
 * {@link #seal} themselves: they pass the sealer to {@link FrameCodec#encode(Frame, ByteBuffer,
 * FrameSealer)} or {@link FrameCodec#encodePadded}, which check the room first and leave the
 * buffer unchanged on failure.
 *
 * <p>The trailer's layout is fixed by the protocol (docs/protocol.md, "Authentication trailer"):
 * {@code u8 keyId, u8 tagLength T, T tag bytes}, covering every byte of the frame before the tag.
 * An implementation lets {@link FrameCodec#openTrailer} write everything but the tag and computes
 * only the tag. The shipped one is {@code dev.heartbeat.protocol.auth.HmacSha256Authenticator}.
 *
 * <p>Implementations are called by every connection and must be thread-safe.
 */
public interface FrameSealer {

    /**
     * Bytes that {@link #seal} appends: {@value FrameCodec#AUTH_TRAILER_OVERHEAD} + the tag length.
     * Must not change over the sealer's life (the codec sizes the frame before sealing it).
     */
    int trailerLength();

    /**
     * Seals the unsealed frame that occupies {@code buf[frameStart, buf.position())}: appends
     * {@link #trailerLength()} bytes at the position and moves the position past them, sets flag
     * bit 0 and fixes the length field (all three done by {@link FrameCodec#openTrailer}). The
     * codec has checked that the room is there.
     */
    void seal(ByteBuffer buf, int frameStart);
}
