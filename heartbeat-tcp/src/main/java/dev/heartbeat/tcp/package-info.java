/**
 * Heartbeats over TCP (Netty): {@link dev.heartbeat.tcp.TcpClientTransport} for monitors,
 * {@link dev.heartbeat.tcp.TcpResponderServer} for responders, {@code HeartbeatHandler}
 * for users who already run a Netty pipeline, and {@link dev.heartbeat.tcp.KeepaliveTuner}, the kernel
 * keepalive fallback for peers that do not speak the protocol.
 *
 * <p>Frames are the protocol's own (see {@link dev.heartbeat.protocol.FrameCodec}): on a stream
 * they are cut by their length field at offset 6, with no extra prefix. Epoll is used on Linux when
 * the native transport loads, NIO otherwise. Everything else about connections — half-closure,
 * graceful close, reconnection, server self-protection — is described on the classes and in
 * {@code docs/transport-tcp.md}.
 */
package dev.heartbeat.tcp;
