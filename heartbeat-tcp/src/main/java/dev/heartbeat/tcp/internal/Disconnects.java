package dev.heartbeat.tcp.internal;

import dev.heartbeat.engine.spi.DisconnectCause;
import io.netty.handler.codec.DecoderException;
import java.io.IOException;
import java.util.Locale;

/** Maps what Netty reports to a {@link DisconnectCause}. */
public final class Disconnects {

    private Disconnects() {
    }

    /**
     * RESET for "Connection reset" / "Broken pipe" (the peer's kernel answered with RST: its
     * process died or the socket was hard-closed), PROTOCOL_ERROR for framing and decoding
     * failures, ERROR for anything else.
     */
    public static DisconnectCause classify(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof DecoderException) {
                return DisconnectCause.PROTOCOL_ERROR;
            }
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof IOException && isReset(c.getMessage())) {
                return DisconnectCause.RESET;
            }
        }
        return DisconnectCause.ERROR;
    }

    /** True when the message is the OS's way of saying RST. */
    public static boolean isReset(String message) {
        if (message == null) {
            return false;
        }
        String m = message.toLowerCase(Locale.ROOT);
        // Linux/macOS: "Connection reset by peer", "Broken pipe"; Windows: "An existing connection
        // was forcibly closed by the remote host". Other locales' OS messages are not recognised
        // and classify as ERROR (the peer is still DEAD at once; only the cause is less specific).
        return m.contains("connection reset") || m.contains("broken pipe") || m.contains("forcibly closed");
    }

    /** The first message in the cause chain (the OS's words, e.g. "Connection refused"), never null. */
    public static String message(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getMessage() != null) {
                return c.getMessage();
            }
        }
        return t.getClass().getSimpleName();
    }
}
