/**
 * Heartbeats over UDP (Netty): {@link dev.heartbeat.udp.UdpClientTransport} for monitors (a few
 * sockets for any number of peers), {@link dev.heartbeat.udp.UdpResponderServer} for responders
 * (SO_REUSEPORT on epoll; authentication, a replay window, no amplification and a per-source
 * reply rate), and {@link dev.heartbeat.protocol.auth.HmacKeyFile}, which loads the shared keys from a file.
 *
 * <p>The frames are the protocol's own ({@link dev.heartbeat.protocol.FrameCodec}), one per
 * datagram, 508 bytes at most by default so that no path fragments them. The rules a datagram
 * transport adds — padding against amplification, the reduced PONG, the replay window — are in
 * {@code docs/protocol.md} ("UDP"); the options and limits in {@code docs/transport-udp.md}.
 */
package dev.heartbeat.udp;
