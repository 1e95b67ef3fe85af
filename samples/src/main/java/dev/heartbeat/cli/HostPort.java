package dev.heartbeat.cli;

import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A {@code host:port} address ({@code [v6]:port} for IPv6 literals), optionally with the transport
 * it asks for ({@code udp://host:port}, {@code tcp://host:port}), checked before a transport
 * sees it so a typo is a usage error (exit 3), not an unreachable peer (exit 2).
 *
 * <p>A host is a name or an IPv4 literal (letters, digits, {@code .}, {@code -}, {@code _}) or,
 * in brackets, an IPv6 literal (hex digits, {@code :}, {@code .}, and an optional
 * {@code %zone}). Whether the name resolves is the transport's business.
 *
 * @param scheme "tcp" or "udp" when the address named one, else null
 * @param host the host name or address, without brackets
 * @param port 1..65535
 */
public record HostPort(String scheme, String host, int port) {

    /** A bare address (no scheme). */
    public HostPort(String host, int port) {
        this(null, host, port);
    }

    /** A host name or IPv4 literal. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");
    /** An IPv6 literal, as written between brackets. */
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[A-Za-z0-9._-]+)?");
    private static final String EXPECTED = "expected: HOST:PORT, e.g. 127.0.0.1:7070 or [::1]:7070";
    private static final String HOST_RULE = "a host name or IPv4 address (letters, digits, '.', '-', '_') "
            + "or an IPv6 address in brackets";

    /** Parses {@code host:port}. */
    public static HostPort parse(String s) {
        String v = s == null ? "" : s.trim();
        String scheme = null;
        int sep = v.indexOf("://");
        if (sep >= 0) {
            scheme = v.substring(0, sep).toLowerCase(java.util.Locale.ROOT);
            if (!scheme.equals("tcp") && !scheme.equals("udp")) {
                throw new TypeConversionException("'" + s + "' names transport '" + v.substring(0, sep)
                        + "' (expected: tcp:// or udp://, or no scheme)");
            }
            v = v.substring(sep + 3);
        }
        String host;
        String rest; // what follows the host: ":PORT" when well formed
        if (v.startsWith("[")) {
            int close = v.indexOf(']');
            if (close < 0) {
                throw new TypeConversionException("'" + s + "' has no ']' after the IPv6 host (" + EXPECTED + ")");
            }
            host = v.substring(1, close);
            rest = v.substring(close + 1);
            if (host.isEmpty()) {
                throw new TypeConversionException("'" + s + "' has an empty host (" + EXPECTED + ")");
            }
            if (!IPV6.matcher(host).matches()) {
                throw new TypeConversionException("'" + s + "' has host '[" + host + "]' (expected: an IPv6 address "
                        + "between the brackets, e.g. [::1]:7070)");
            }
            if (rest.isEmpty() || rest.equals(":")) {
                throw new TypeConversionException("'" + s + "' is missing a port (expected: [IPV6]:PORT, e.g. [::1]:7070)");
            }
            if (rest.charAt(0) != ':') {
                throw new TypeConversionException("'" + s + "' is not an address (expected: ':' and a port after ']', "
                        + "e.g. [::1]:7070)");
            }
        } else {
            int colon = v.lastIndexOf(':');
            if (colon <= 0 || colon == v.length() - 1) {
                throw new TypeConversionException("'" + s + "' is not an address (" + EXPECTED + ")");
            }
            host = v.substring(0, colon);
            rest = v.substring(colon);
            if (host.indexOf(':') >= 0) {
                throw new TypeConversionException("'" + s + "' is not an address (expected: an IPv6 host in brackets, e.g. [::1]:7070)");
            }
            checkHost(s, host);
        }
        String portText = rest.substring(1);
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65_535) {
            throw new TypeConversionException("'" + s + "' has port '" + portText + "' (expected: 1..65535)");
        }
        return new HostPort(scheme, host, port);
    }

    private static void checkHost(String input, String host) {
        if (host.isEmpty()) {
            throw new TypeConversionException("'" + input + "' has an empty host (" + EXPECTED + ")");
        }
        if (!NAME.matcher(host).matches()) {
            throw new TypeConversionException("'" + input + "' has host '" + host + "' (expected: " + HOST_RULE + ")");
        }
    }

    /** The address as monitors take it: {@code [scheme://]host:port}, IPv6 in brackets. */
    @Override
    public String toString() {
        return (scheme == null ? "" : scheme + "://") + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** picocli converter. */
    public static final class Converter implements ITypeConverter<HostPort> {
        @Override
        public HostPort convert(String value) {
            return parse(value);
        }
    }
}
