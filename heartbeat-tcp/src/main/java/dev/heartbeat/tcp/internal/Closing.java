package dev.heartbeat.tcp.internal;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.DuplexChannel;

/**
 * The ways a connection ends. Each channel has one owner (its connection handler) that calls
 * exactly one of these once; Netty's own close is idempotent, but the owner does not rely on it.
 */
public final class Closing {

    private Closing() {
    }

    /**
     * The half-close the seed notes ask for: flush everything already written (an empty write
     * completes only after every earlier write), then shut down our output (FIN). Shutting down
     * output directly would fail the writes still queued. Returns at once.
     *
     * @param then run on the event loop once our FIN is sent (or could not be): the owner's close
     *     when the peer's input has already ended, so both directions are done; may be null
     */
    public static void finishAndShutdownOutput(Channel ch, Runnable then) {
        ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
            if (ch instanceof DuplexChannel && ch.isActive() && !((DuplexChannel) ch).isOutputShutdown()) {
                ((DuplexChannel) ch).shutdownOutput().addListener((ChannelFutureListener) g -> {
                    if (then != null) {
                        then.run();
                    }
                });
            } else if (then != null) {
                then.run();
            }
        });
    }

    /**
     * A hard close: SO_LINGER 0 makes close() synchronous and discards unsent data with an RST,
     * so the socket cannot linger in FIN_WAIT or CLOSE_WAIT. The last resort after a grace period.
     */
    public static void hardClose(Channel ch) {
        if (ch.isOpen()) {
            try {
                ch.config().setOption(ChannelOption.SO_LINGER, 0);
            } catch (RuntimeException ignored) {
                // the socket is already gone: a plain close is all there is left to do
            }
        }
        ch.close();
    }
}
