package dev.heartbeat.tcp.internal;

import dev.heartbeat.engine.spi.DisconnectCause;
import io.netty.handler.codec.DecoderException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;
import java.util.Locale;
import java.util.regex.Pattern;

/** Maps what Netty reports to a {@link DisconnectCause}. */
public final class Disconnects {

    /** Netty's native prefix: "connect(..) failed: ", "finishConnect(..) failed with error(-111): ". */
    private static final Pattern NATIVE_CALL = Pattern.compile("^\\w+\\(\\.\\.\\) failed(?: with error\\(-?\\d+\\))?: ");
    /** Netty's annotation of a connect failure: ": /10.0.0.7:7070", ": host/10.0.0.7:7070", ": /[::1]:7070". */
    private static final Pattern ANNOTATED_ADDRESS = Pattern.compile(":\\s*[^\\s/:]*/[0-9A-Fa-f.:\\[\\]%]+:\\d+$");

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

    /**
     * What went wrong, in the OS's words where there are some ("Connection refused"), never null
     * and never "null". Netty's native transport names the failed call and errno and appends the
     * address ("finishConnect(..) failed with error(-111): Connection refused: /10.0.0.7:7070");
     * only the words are kept, as callers name the address themselves. Exceptions that carry no
     * words get some: Netty reports EHOSTUNREACH and ENETUNREACH as a {@link NoRouteToHostException}
     * without a message, which its annotation turns into "null: /10.0.0.7:7070" — that is
     * "no route to host".
     */
    public static String message(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof NoRouteToHostException) {
                return "no route to host";
            }
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            String words = words(c.getMessage());
            if (words != null) {
                return words;
            }
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ConnectException) {
                return "connection refused";
            }
            if (c instanceof UnresolvedAddressException) {
                return "unknown host";
            }
            if (c instanceof ClosedChannelException) {
                return "channel closed";
            }
        }
        return t.getClass().getSimpleName();
    }

    /** "call(..) failed with error(-N): Words: /addr" → "Words"; null when nothing is left. */
    private static String words(String message) {
        if (message == null) {
            return null;
        }
        String m = NATIVE_CALL.matcher(message).replaceFirst("");
        m = ANNOTATED_ADDRESS.matcher(m).replaceFirst("");
        m = m.strip();
        return m.isEmpty() || m.equals("null") ? null : m;
    }
}
