package dev.heartbeat.tcp.internal;

import io.netty.util.NetUtil;
import java.net.Inet6Address;
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
     * address is equal to the unnamed one and prints the same ({@code /10.0.0.7:7070}); asked for a
     * host name it answers {@code ""} instead of doing a reverse lookup. An IPv6 literal with a
     * scope ({@code fe80::1%eth0}) keeps the JDK's own address, scope included.
     *
     * @param literal an IPv4 or IPv6 literal (no lookup is made)
     * @throws IllegalArgumentException if it is not one
     */
    public static InetSocketAddress literal(String literal, int port) {
        if (!NetUtil.isValidIpV4Address(literal) && !NetUtil.isValidIpV6Address(literal)) {
            throw new IllegalArgumentException("host : '" + literal + "' (expected: an IPv4 or IPv6 literal)");
        }
        try {
            InetAddress a = InetAddress.getByName(literal); // a literal: parsed, never looked up
            if (a instanceof Inet6Address v6 && (v6.getScopeId() != 0 || v6.getScopedInterface() != null)) {
                return new InetSocketAddress(a, port);
            }
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
