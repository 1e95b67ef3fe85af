/**
 * Wire protocol v1: the frame model ({@link dev.heartbeat.protocol.Frame}, PING / PONG / GOODBYE),
 * the responder's {@link dev.heartbeat.protocol.ServingStatus} and
 * {@link dev.heartbeat.protocol.LoadReport}, and the allocation-free
 * {@link dev.heartbeat.protocol.FrameCodec} with its typed
 * {@link dev.heartbeat.protocol.FrameDecodeException}.
 *
 * <p>The seams the UDP transport and authentication plug into live here too: padding a frame to a
 * size ({@link dev.heartbeat.protocol.FrameCodec#encodePadded}), the authentication hooks
 * ({@link dev.heartbeat.protocol.FrameSealer}, {@link dev.heartbeat.protocol.FrameVerifier} and
 * their {@link dev.heartbeat.protocol.AuthResult}), reading a header cheaply
 * ({@link dev.heartbeat.protocol.FrameCodec#peek} into a {@link dev.heartbeat.protocol.FrameHeader}),
 * and {@link dev.heartbeat.protocol.FrameTooLargeException} for a frame over a transport's cap.
 * The HMAC-SHA256 implementation of the hooks is in {@code dev.heartbeat.protocol.auth}.
 *
 * <p>No transport lives here: the codec works on {@link java.nio.ByteBuffer}s so the TCP and UDP
 * transports put byte-identical frames on the wire. The byte-by-byte format, with golden test
 * vectors, is in {@code docs/protocol.md}.
 */
package dev.heartbeat.protocol;
