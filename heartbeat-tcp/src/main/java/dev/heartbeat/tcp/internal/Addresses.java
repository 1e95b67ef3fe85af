package dev.heartbeat.tcp.internal;

import java.net.InetSocketAddress;

/** Parses {@code host:port} and {@code [ipv6]:port} addresses, with errors that name the rule. */
public final class Addresses {

    private Addresses() {
    }

    /**
     * Parses {@code address} into an <em>unresolved</em> socket address (it is resolved on every
     * connect, so a peer that moves to a new IP is found again after a reconnect).
     *
     * <pre>
     * "10.0.0.7:7070"      host 10.0.0.7, port 7070
     * "orders.internal:80" host orders.internal
     * "[::1]:7070"         IPv6 literals go in brackets
     * </pre>
     *
     * @throws IllegalArgumentException naming the address and what is wrong with it
     */
    public static InetSocketAddress parse(String address) {
        return dev.heartbeat.internal.SocketAddresses.parse(address);
    }

    /** "host:port", with brackets around IPv6 literals. */
    public static String format(String host, int port) {
        return dev.heartbeat.internal.SocketAddresses.format(host, port);
    }
}
