package dev.heartbeat.internal;

import java.net.InetSocketAddress;

/**
 * The one parser of {@code host:port} and {@code [ipv6]:port} peer addresses, shared by every
 * transport, with errors that name the address and the rule. Internal use only.
 */
public final class SocketAddresses {

    private SocketAddresses() {
    }

    /**
     * Parses {@code address} into an <em>unresolved</em> socket address (a name is resolved by the
     * transport, off its event loop, and again after a reconnect, so a peer that moves to a new IP
     * is found again).
     *
     * <pre>
     * "10.0.0.7:7070"        host 10.0.0.7
     * "[::1]:7070"           host ::1
     * "orders.internal:80"   a name
     * "::1:7070"             refused: an IPv6 literal needs brackets
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
                throw bad(address, "has no closing ']'", "[ipv6]:port");
            }
            host = a.substring(1, close);
            if (close + 1 >= a.length() || a.charAt(close + 1) != ':') {
                throw bad(address, "has no port", "[ipv6]:port");
            }
            portText = a.substring(close + 2);
            if (host.isEmpty()) {
                throw bad(address, "has an empty host", "[ipv6]:port");
            }
        } else {
            int colon = a.lastIndexOf(':');
            if (colon < 0) {
                throw bad(address, "has no port", "host:port");
            }
            host = a.substring(0, colon);
            portText = a.substring(colon + 1);
            if (host.indexOf(':') >= 0) {
                throw bad(address, "looks like an IPv6 literal without brackets", "[ipv6]:port");
            }
            if (host.isEmpty()) {
                throw bad(address, "has an empty host", "host:port");
            }
        }
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw bad(address, "port '" + portText + "' is not a number", "1..65535");
        }
        if (port < 1 || port > 65535) {
            throw bad(address, "port " + port, "1..65535");
        }
        return InetSocketAddress.createUnresolved(host, port);
    }

    /** "host:port", with brackets around IPv6 literals. */
    public static String format(String host, int port) {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }

    private static IllegalArgumentException bad(String address, String what, String rule) {
        return new IllegalArgumentException("address : '" + address + "' " + what + " (expected: " + rule + ")");
    }
}
