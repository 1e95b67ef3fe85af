package dev.heartbeat.udp.internal;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** Parses {@code host:port} and {@code [ipv6]:port}, with errors that name the address and the rule. */
public final class Addresses {

    private Addresses() {
    }

    /**
     * Parses {@code address} into an <em>unresolved</em> socket address. An optional
     * {@code udp://} prefix is accepted (the monitor strips it; users of the transport alone may
     * not).
     *
     * <pre>
     * "10.0.0.7:7070"      host 10.0.0.7, port 7070
     * "orders.internal:80" a name: resolved off the event loop
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
        if (a.startsWith("udp://")) {
            a = a.substring(6);
        }
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
        }
        if (host.isEmpty()) {
            throw bad(address, "has an empty host", "host:port");
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

    private static IllegalArgumentException bad(String address, String what, String rule) {
        return new IllegalArgumentException("address : '" + address + "' " + what + " (expected: " + rule + ")");
    }

    /** True when {@code host} is an IPv4 or IPv6 literal (no DNS lookup needed). */
    public static boolean isLiteral(String host) {
        return NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host);
    }

    /** The address of a literal, without any lookup. */
    public static InetAddress literal(String host) {
        byte[] b = NetUtil.createByteArrayFromIpAddressString(host);
        if (b == null) {
            throw new IllegalArgumentException("host : '" + host + "' (expected: an IPv4 or IPv6 literal)");
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("host : '" + host + "' (expected: an IPv4 or IPv6 literal)", e);
        }
    }

    /** "host:port", with brackets around IPv6 literals. */
    public static String format(String host, int port) {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }

    /** "host:port" of a socket address, with brackets around IPv6 and no "/" artefacts. */
    public static String format(InetSocketAddress a) {
        String host = a.getAddress() != null ? NetUtil.toAddressString(a.getAddress()) : a.getHostString();
        return format(host, a.getPort());
    }
}
