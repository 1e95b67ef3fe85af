/**
 * Heartbeats over TCP (Netty): {@link dev.heartbeat.tcp.TcpClientTransport} for monitors,
 * {@link dev.heartbeat.tcp.TcpResponderServer} for responders, {@link dev.heartbeat.tcp.HeartbeatHandler}
 * for users who already run a Netty pipeline, {@link dev.heartbeat.tcp.KeepaliveTuner} (kernel
 * keepalive from a target detection time, with a report of what the OS applied) and
 * {@link dev.heartbeat.tcp.KeepaliveTransport}, the fallback transport that gives a monitor
 * liveness-only peers (those that do not speak the protocol) by kernel keepalive.
 *
 * <p>Frames are the protocol's own (see {@link dev.heartbeat.protocol.FrameCodec}): on a stream
 * they are cut by their length field at offset 6, with no extra prefix. Epoll is used on Linux when
 * the native transport loads, NIO otherwise. Everything else about connections — half-closure,
 * graceful close, reconnection, server self-protection — is described on the classes and in
 * {@code docs/transport-tcp.md}.
 */
package dev.heartbeat.tcp;
