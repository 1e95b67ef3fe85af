/**
 * Wire protocol v1: the frame model ({@link dev.heartbeat.protocol.Frame}, PING / PONG / GOODBYE),
 * the responder's {@link dev.heartbeat.protocol.ServingStatus} and
 * {@link dev.heartbeat.protocol.LoadReport}, and the allocation-free
 * {@link dev.heartbeat.protocol.FrameCodec} with its typed
 * {@link dev.heartbeat.protocol.FrameDecodeException}.
 *
 * <p>No transport lives here: the codec works on {@link java.nio.ByteBuffer}s so the TCP and UDP
 * transports put byte-identical frames on the wire. The byte-by-byte format, with golden test
 * vectors, is in {@code docs/protocol.md}.
 */
package dev.heartbeat.protocol;
