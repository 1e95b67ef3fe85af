package dev.heartbeat.tcp.internal;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

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

    /**
     * The socket address of an IP literal, to connect to, named by the empty string.
     *
     * <p>A connected Netty channel (epoll) remembers its peer as an address named after the host
     * string of the address it was asked to connect to. An address made from a literal has no
     * name, so its host string is the literal's text made anew, and each connection would keep a
     * copy of it: 56 bytes (a String and its bytes). The empty name is one constant for all. The
     * address is equal to the unnamed one, and its {@code toString()} is the same
     * ({@code /10.0.0.7:7070}); asked for a host name it answers {@code ""} instead of doing a
     * reverse lookup.
     *
     * <p>An IPv6 literal with a scope ({@code fe80::1%eth0}) is made as it always was,
     * {@code new InetSocketAddress(literal, port)}: the JDK's address, scope included, when the
     * scope names an interface that exists and has an IPv6 scope id; otherwise (no such interface,
     * or one without a link-local address such as {@code %lo}) an <em>unresolved</em> address,
     * whose connect fails with the lookup's error — a failed connect, retried, not an exception.
     *
     * @param literal an IPv4 or IPv6 literal (no lookup is made)
     * @throws IllegalArgumentException if it is not one
     */
    public static InetSocketAddress literal(String literal, int port) {
        if (!NetUtil.isValidIpV4Address(literal) && !NetUtil.isValidIpV6Address(literal)) {
            throw new IllegalArgumentException("host : '" + literal + "' (expected: an IPv4 or IPv6 literal)");
        }
        if (literal.indexOf('%') >= 0) {
            return new InetSocketAddress(literal, port); // scoped: never throws; unresolved if the scope is not one here
        }
        try {
            InetAddress a = InetAddress.getByName(literal); // an unscoped literal: parsed, never looked up
            return new InetSocketAddress(InetAddress.getByAddress("", a.getAddress()), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("host : '" + literal + "' (expected: an IPv4 or IPv6 literal)", e);
        }
    }

    /** "host:port", with brackets around IPv6 literals. */
    public static String format(String host, int port) {
        return dev.heartbeat.internal.SocketAddresses.format(host, port);
    }
}
