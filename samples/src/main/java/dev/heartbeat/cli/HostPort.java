package dev.heartbeat.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A {@code host:port} address ({@code [v6]:port} for IPv6 literals), checked before a transport
 * sees it so a typo is a usage error (exit 3), not an unreachable peer (exit 2).
 *
 * @param host the host name or address, without brackets
 * @param port 1..65535
 */
public record HostPort(String host, int port) {

    /** Parses {@code host:port}. */
    public static HostPort parse(String s) {
        String v = s == null ? "" : s.trim();
        int colon = v.lastIndexOf(':');
        if (colon <= 0 || colon == v.length() - 1) {
            throw new TypeConversionException("'" + s + "' is not an address (expected: HOST:PORT, e.g. 127.0.0.1:7070 or [::1]:7070)");
        }
        String host = v.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw new TypeConversionException("'" + s + "' is not an address (expected: an IPv6 host in brackets, e.g. [::1]:7070)");
        }
        if (host.isEmpty()) {
            throw new TypeConversionException("'" + s + "' has an empty host (expected: HOST:PORT)");
        }
        int port;
        try {
            port = Integer.parseInt(v.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65_535) {
            throw new TypeConversionException("'" + s + "' has port '" + v.substring(colon + 1) + "' (expected: 1..65535)");
        }
        return new HostPort(host, port);
    }

    /** The address as transports take it: {@code host:port}, IPv6 in brackets. */
    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** picocli converter. */
    public static final class Converter implements ITypeConverter<HostPort> {
        @Override
        public HostPort convert(String value) {
            return parse(value);
        }
    }
}
