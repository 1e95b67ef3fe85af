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
        String a = address != null && address.trim().startsWith("udp://") ? address.trim().substring(6) : address;
        return dev.heartbeat.internal.SocketAddresses.parse(a);
    }

    /**
     * True when {@code host} is an IPv4 or an unscoped IPv6 literal: its address is known without
     * a lookup. A scoped IPv6 literal ({@code fe80::1%eth0}) is not: its scope names an interface,
     * which may not exist (yet), so it goes through the lookup like a name — retried, and reported
     * as a failed connect while it fails — instead of losing its scope here.
     */
    public static boolean isLiteral(String host) {
        return host.indexOf('%') < 0 && (NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host));
    }

    /** The address of a literal ({@link #isLiteral}), without any lookup. */
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
        return dev.heartbeat.internal.SocketAddresses.format(host, port);
    }

    /** "host:port" of a socket address, with brackets around IPv6 and no "/" artefacts. */
    public static String format(InetSocketAddress a) {
        String host = a.getAddress() != null ? NetUtil.toAddressString(a.getAddress()) : a.getHostString();
        return format(host, a.getPort());
    }
}
