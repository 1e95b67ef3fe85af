package dev.heartbeat.cli;

import dev.heartbeat.engine.spi.ClientTransport;
import dev.heartbeat.engine.HeartbeatResponder;
import dev.heartbeat.tcp.TcpClientTransport;
import dev.heartbeat.tcp.TcpResponderServer;
import dev.heartbeat.engine.HeartbeatMonitor;
import dev.heartbeat.engine.spi.ResponderServer;
import dev.heartbeat.protocol.FrameDecodeException;
import dev.heartbeat.udp.UdpClientTransport;
import dev.heartbeat.udp.UdpDrop;
import dev.heartbeat.udp.UdpResponderServer;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * The transports the CLI can use ({@code --transport}). Each command asks this enum for a client
 * or a server, so adding UDP is one constant here (and nothing in the commands).
 */
public enum Transport {
    /** Heartbeats over TCP (Netty; epoll on Linux). */
    TCP {
        @Override
        public ClientTransport client() {
            return TcpClientTransport.create();
        }

        @Override
        public ClientTransport client(Duration maxReconnectBackoff) {
            return TcpClientTransport.builder()
                    .reconnect(RECONNECT_BASE, maxReconnectBackoff, RECONNECT_STABLE)
                    .build();
        }

        @Override
        public Server serve(HeartbeatResponder responder, String host, int port) {
            TcpResponderServer s = TcpResponderServer.builder(responder).host(host).port(port).bind();
            return new Bound(s) {
                @Override
                public int connections() {
                    return s.connectionCount();
                }

                @Override
                public Stats stats() {
                    TcpResponderServer.Stats st = s.stats();
                    Map<String, Long> refused = new LinkedHashMap<>();
                    long byReason = 0;
                    for (Map.Entry<FrameDecodeException.Reason, Long> e : s.rejectedFrames().entrySet()) {
                        refused.put("invalid frames (" + e.getKey() + ")", e.getValue());
                        byReason += e.getValue();
                    }
                    refused.put("invalid frames (other)", st.protocolErrors() - byReason);
                    refused.put("idle timeouts (no PING in time)", st.idleTimeouts());
                    refused.put("evicted (stopped pinging)", st.evicted());
                    refused.put("evicted (server full)", st.evictedAtLimit());
                    refused.put("refused (per-source limit)", st.refusedPerSource());
                    refused.put("refused (server full)", st.rejected());
                    refused.put("PINGs dropped (over the rate)", st.pingsDropped());
                    refused.put("closed (flooding)", st.floodCloses());
                    refused.put("PONGs dropped (client not reading)", st.dropped());
                    refused.put("PINGs refused by the verifier", responder.rejected());
                    refused.put("accept failures", st.acceptFailures());
                    refused.values().removeIf(n -> n <= 0);
                    return new Stats(s.connectionCount(), st.accepted(), st.resets(), refused);
                }

                @Override
                public Map<String, LongSupplier> counters() {
                    Map<String, LongSupplier> c = new LinkedHashMap<>();
                    c.put("connections.accepted", () -> s.stats().accepted());
                    c.put("connections.resets", () -> s.stats().resets());
                    c.put("connections.idle.timeouts", () -> s.stats().idleTimeouts());
                    c.put("connections.evicted.silent", () -> s.stats().evicted());
                    c.put("connections.evicted.server.full", () -> s.stats().evictedAtLimit());
                    c.put("connections.refused.per.source", () -> s.stats().refusedPerSource());
                    c.put("connections.refused.server.full", () -> s.stats().rejected());
                    c.put("connections.closed.flooding", () -> s.stats().floodCloses());
                    c.put("accept.failures", () -> s.stats().acceptFailures());
                    c.put("frames.invalid", () -> s.stats().protocolErrors());
                    for (FrameDecodeException.Reason r : FrameDecodeException.Reason.values()) {
                        c.put("frames.invalid." + counterWords(r), () -> s.rejectedFrames().getOrDefault(r, 0L));
                    }
                    c.put("pings.dropped", () -> s.stats().pingsDropped());
                    c.put("pongs.dropped", () -> s.stats().dropped());
                    return c;
                }

                @Override
                public Map<String, DoubleSupplier> gauges() {
                    return Map.of("connections", s::connectionCount);
                }
            };
        }
    },

    /** Heartbeats over UDP (Netty; epoll and SO_REUSEPORT on Linux): one datagram per heartbeat. */
    UDP {
        @Override
        public ClientTransport client() {
            return UdpClientTransport.create();
        }

        @Override
        public ClientTransport client(Duration maxReconnectBackoff) {
            return UdpClientTransport.create(); // connectionless: nothing to reconnect
        }

        @Override
        public Server serve(HeartbeatResponder responder, String host, int port) {
            UdpResponderServer s = UdpResponderServer.builder(responder).host(host).port(port).bind();
            return new Bound(s) {
                /** UDP has no connections: the monitors (senders) heard from recently. */
                @Override
                public int connections() {
                    return s.senderCount();
                }

                /** Datagrams: "accepted" counts those received; nothing is reset. */
                @Override
                public Stats stats() {
                    UdpResponderServer.Stats st = s.stats();
                    Map<String, Long> refused = new LinkedHashMap<>();
                    for (UdpDrop d : UdpDrop.values()) {
                        refused.put("datagrams dropped (" + d + ")", st.dropped(d));
                    }
                    refused.values().removeIf(n -> n <= 0);
                    return new Stats(s.senderCount(), st.received(), 0, refused);
                }

                @Override
                public Map<String, LongSupplier> counters() {
                    Map<String, LongSupplier> c = new LinkedHashMap<>();
                    c.put("datagrams.received", () -> s.stats().received());
                    c.put("datagrams.answered", () -> s.stats().answered());
                    c.put("datagrams.answered.reduced", () -> s.stats().reducedReplies());
                    c.put("goodbyes", () -> s.stats().goodbyes());
                    c.put("bytes.received", () -> s.stats().bytesIn());
                    c.put("bytes.sent", () -> s.stats().bytesOut());
                    for (UdpDrop d : UdpDrop.values()) {
                        c.put("datagrams.dropped." + counterWords(d), () -> s.stats().dropped(d));
                    }
                    return c;
                }

                @Override
                public Map<String, DoubleSupplier> gauges() {
                    return Map.of("senders", s::senderCount);
                }
            };
        }
    };

    /** Reconnect backoff start and the time a connection must stay up to reset it (TCP defaults). */
    static final Duration RECONNECT_BASE = Duration.ofMillis(100);
    static final Duration RECONNECT_STABLE = Duration.ofSeconds(5);

    /** A reason as words of a counter name: {@code BAD_MAGIC} is {@code bad.magic}. */
    static String counterWords(Enum<?> reason) {
        return reason.name().toLowerCase(Locale.ROOT).replace('_', '.');
    }

    /** The scheme of this transport in peer addresses: "tcp" or "udp". */
    public String scheme() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The transport an address asks for ({@code udp://…}, {@code tcp://…}), or {@code chosen} for a bare one. */
    public static Transport of(HostPort address, Transport chosen) {
        return address.scheme() == null ? chosen : valueOf(address.scheme().toUpperCase(Locale.ROOT));
    }

    /**
     * Adds to a monitor built over {@code chosen}'s client a client of every other transport that
     * {@code addresses} name by scheme ({@code udp://host:port}), so one monitor watches TCP and UDP
     * peers side by side. The monitor closes them.
     */
    public static HeartbeatMonitor.Builder withSchemes(HeartbeatMonitor.Builder b, Transport chosen,
            Collection<String> addresses) {
        for (Transport t : values()) {
            if (t != chosen && addresses.stream().anyMatch(a -> a.startsWith(t.scheme() + "://"))) {
                b.transport(t.scheme(), t.client());
            }
        }
        return b.defaultTransport(chosen.scheme());
    }

    /** A new client transport with the defaults (the caller closes it). */
    public abstract ClientTransport client();

    /**
     * A new client transport whose reconnect backoff grows to at most {@code maxReconnectBackoff}
     * (for connectionless transports: the same as {@link #client()}).
     */
    public abstract ClientTransport client(Duration maxReconnectBackoff);

    /**
     * Binds a responder server.
     *
     * @throws RuntimeException when the address cannot be bound (in use, not local)
     */
    public abstract Server serve(HeartbeatResponder responder, String host, int port);

    /**
     * What a server counted since bind.
     *
     * @param open     connections open now
     * @param accepted connections accepted
     * @param resets   connections reset by their client
     * @param refused  what it refused, closed or dropped and why, in words, in a stable order; only
     *                 the non-zero counts
     */
    public record Stats(int open, long accepted, long resets, Map<String, Long> refused) {

        /** Everything refused, closed or dropped. */
        public long refusedTotal() {
            long n = 0;
            for (long v : refused.values()) {
                n += v;
            }
            return n;
        }

        /** "3 open, 12 accepted, 0 resets; invalid frames (BAD_MAGIC) 1, idle timeouts (no PING in time) 2". */
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder().append(open).append(" open, ").append(accepted).append(" accepted, ")
                    .append(resets).append(" resets; ");
            if (refused.isEmpty()) {
                return sb.append("nothing refused").toString();
            }
            String sep = "";
            for (Map.Entry<String, Long> e : refused.entrySet()) {
                sb.append(sep).append(e.getKey()).append(' ').append(e.getValue());
                sep = ", ";
            }
            return sb.toString();
        }
    }

    /** What every transport's server answers the same way, through the SPI's {@link ResponderServer}. */
    private abstract static class Bound implements Server {
        private final ResponderServer server;

        Bound(ResponderServer server) {
            this.server = server;
        }

        @Override
        public int port() {
            return server.port();
        }

        @Override
        public String name() {
            return server.transportName();
        }

        @Override
        public boolean closing() {
            return server.closing();
        }

        @Override
        public void closeGracefully(Duration comeBackAfter) {
            server.closeGracefully(comeBackAfter);
        }

        @Override
        public void close() {
            server.close();
        }
    }

    /** A bound responder server, whatever its transport. */
    public interface Server extends AutoCloseable {

        /** The bound port (the real one when 0 was asked for). */
        int port();

        /** The transport's name, e.g. "tcp/epoll". */
        String name();

        /** Open connections (monitors and anything else connected). */
        int connections();

        /** True once a close began: from then on the server sends no PONG, only GOODBYE. */
        boolean closing();

        /** What it counted since bind. */
        Stats stats();

        /**
         * What it counts, for metrics: monotonic counts by stable lower-case dotted names (the
         * same set every time, zeros included; listed in docs/metrics.md), read when called.
         * {@code serve --metrics-port} hands them to {@code ResponderMetrics} as transport counters.
         */
        Map<String, LongSupplier> counters();

        /** Current values for metrics (open connections, live senders), named like {@link #counters()}. */
        Map<String, DoubleSupplier> gauges();

        /** Tells every connected monitor GOODBYE, then closes. */
        void closeGracefully(Duration comeBackAfter);

        /** Closes at once. */
        @Override
        void close();
    }
}
