package dev.heartbeat.udp.internal;

import java.net.InetAddress;

/**
 * The decision behind the responder's one warning: running without authentication on an address
 * that other hosts can reach. A pure function, so it is tested without binding anything.
 */
public final class Exposure {

    private Exposure() {
    }

    /**
     * The warning to log when a responder bound to {@code bound} answers unauthenticated PINGs, or
     * {@code null} when there is nothing to warn about (authenticated, or loopback only).
     * The wildcard address counts as reachable: it listens on every interface.
     */
    public static String unauthenticatedWarning(InetAddress bound, int port, boolean authenticated) {
        if (authenticated || bound.isLoopbackAddress()) {
            return null;
        }
        String where = Addresses.format(io.netty.util.NetUtil.toAddressString(bound), port)
                + (bound.isAnyLocalAddress() ? " (every interface)" : "");
        return "heartbeat-udp: responder on " + where + " answers UNAUTHENTICATED PINGs on a non-loopback address: "
                + "anyone who can reach it can read this process's status and load, or spoof and replay heartbeats. "
                + "Configure an HMAC key ring (HeartbeatResponder.Builder.sealer/verifier with an "
                + "HmacSha256Authenticator, e.g. from HmacKeyFile.load; the CLI's --key-file)";
    }
}
