package dev.heartbeat.engine.spi;

import java.nio.ByteBuffer;

/**
 * A monitor's path to one peer, opened by a {@link ClientTransport}. A link may reconnect on its
 * own (TCP does, with {@link ReconnectBackoff}) and reports what happens to its
 * {@link LinkHandler}, always on {@link #scheduler()}.
 *
 * <p>Threading: {@link #send} is called only on {@link #scheduler()}, which makes the scheduler's
 * thread the connection's single writer; {@link #close()} may be called from any thread.
 */
public interface Link {

    /** The scheduler on which the handler is called and the peer's state lives. */
    SerialScheduler scheduler();

    /**
     * Sends one encoded frame: the bytes from {@code frame}'s position to its limit, copied before
     * this returns (the caller may reuse the buffer). A successful return means only "queued":
     * nothing but a reply proves the peer got it.
     *
     * @return false when the link is not connected and the frame was dropped
     */
    boolean send(ByteBuffer frame);

    /** True while connected (always true for connectionless transports once opened). */
    boolean isConnected();

    /** False while the transport's outbound buffer is over its high-water mark (the peer is not reading). */
    boolean isWritable();

    /**
     * True when the peer at the other end speaks the heartbeat protocol (the default). A link
     * that does not — the kernel-keepalive fallback, for a database or a legacy service — only
     * reports connects and disconnects: the monitor sends it no PINGs and judges liveness from the
     * connection alone, leaving usability UNKNOWN.
     */
    default boolean carriesHeartbeats() {
        return true;
    }

    /**
     * The total length, in bytes, to pad each PING to; 0 (the default) for no padding. A datagram
     * transport uses it against amplification: a responder answers an unauthenticated source with
     * no more bytes than it received, so PINGs are padded to the size of the PONG they ask for.
     *
     * @param lastPongLength the length of the last valid PONG from this peer, 0 before the first
     * @return 0, or a length in {@code [36, 1024]}; the monitor never pads to less than a PING needs
     */
    default int pingPaddingTo(int lastPongLength) {
        return 0;
    }

    /** Describes the transport, e.g. "tcp/epoll 127.0.0.1:7000". */
    String describe();

    /** Closes the link for good; idempotent. The handler gets {@link DisconnectCause#CLOSED_LOCALLY} at most once. */
    void close();
}
