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
        if (address == null || address.isBlank()) {
            throw new IllegalArgumentException("address : '" + address + "' (expected: host:port or [ipv6]:port)");
        }
        String a = address.trim();
        String host;
        String portText;
        if (a.startsWith("[")) {
            int close = a.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("address : '" + address + "' has no closing ']' (expected: [ipv6]:port)");
            }
            host = a.substring(1, close);
            if (close + 1 >= a.length() || a.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("address : '" + address + "' has no port (expected: [ipv6]:port)");
            }
            portText = a.substring(close + 2);
            if (host.isEmpty()) {
                throw new IllegalArgumentException("address : '" + address + "' has an empty host (expected: [ipv6]:port)");
            }
        } else {
            int colon = a.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("address : '" + address + "' has no port (expected: host:port)");
            }
            host = a.substring(0, colon);
            portText = a.substring(colon + 1);
            if (host.indexOf(':') >= 0) {
                throw new IllegalArgumentException("address : '" + address
                        + "' looks like an IPv6 literal without brackets (expected: [ipv6]:port)");
            }
            if (host.isEmpty()) {
                throw new IllegalArgumentException("address : '" + address + "' has an empty host (expected: host:port)");
            }
        }
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("address : '" + address + "' port '" + portText
                    + "' is not a number (expected: 1..65535)");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("address : '" + address + "' port " + port + " (expected: 1..65535)");
        }
        return InetSocketAddress.createUnresolved(host, port);
    }

    /** "host:port", with brackets around IPv6 literals. */
    public static String format(String host, int port) {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
