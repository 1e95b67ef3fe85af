package dev.heartbeat.engine.spi;

import java.nio.ByteBuffer;

/**
 * Receives what happens on a {@link Link}. Every method is called on the link's
 * {@link Link#scheduler()}, never concurrently, and must not block.
 */
public interface LinkHandler {

    /** The link (re)connected. */
    void onConnected(Link link);

    /**
     * One whole frame arrived: the bytes from {@code frame}'s position to its limit. The buffer is
     * valid only during the call; the transport reclaims it afterwards.
     */
    void onFrame(Link link, ByteBuffer frame);

    /** The connection was lost or could not be made; {@code detail} says how, in words. */
    void onDisconnected(Link link, DisconnectCause cause, String detail);

    /** The link's writability changed (see {@link Link#isWritable()}). */
    default void onWritabilityChanged(Link link, boolean writable) {
    }
}
