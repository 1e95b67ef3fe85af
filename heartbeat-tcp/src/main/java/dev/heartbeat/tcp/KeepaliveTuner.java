package dev.heartbeat.tcp;

import dev.heartbeat.internal.Checks;
import dev.heartbeat.tcp.internal.ChannelOptions;
import dev.heartbeat.tcp.internal.Disconnects;
import dev.heartbeat.tcp.internal.EpollKeepalive;
import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.nio.NioChannelOption;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.NetworkChannel;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import jdk.net.ExtendedSocketOptions;

/**
 * The fallback for peers that do not speak the heartbeat protocol: tunes the kernel's own TCP
 * keepalive on a socket from a target detection time, and reports what the OS applied.
 *
 * <h2>The maths</h2>
 * On an idle connection Linux sends the first probe after {@code TCP_KEEPIDLE} seconds without
 * traffic, then one every {@code TCP_KEEPINTVL} seconds, and aborts the connection after
 * {@code TCP_KEEPCNT} unanswered probes: a dead path is seen after at most
 * {@code idle + intvl × cnt} seconds. From a target {@code T} (whole seconds, T ≥ 2):
 * <pre>
 * cnt   = min(probes, T − 1)             (default probes 3)
 * intvl = max(1, ⌊T / (cnt + 1)⌋)
 * idle  = T − intvl × cnt                (≥ intvl)
 * TCP_USER_TIMEOUT = T (in ms)
 * </pre>
 * e.g. T = 10 s → idle 4, intvl 2, cnt 3; T = 2 s → idle 1, intvl 1, cnt 1.
 *
 * <h2>What it can and cannot see</h2>
 * Keepalive only proves the peer's <em>kernel</em> still answers. It never notices a frozen
 * process (SIGSTOP, a stuck event loop, an exhausted pool): the kernel keeps ACKing. Its probes
 * are not sent while data waits for retransmission, so a blackholed connection that has data in
 * flight is seen only by {@code TCP_USER_TIMEOUT} (budget the timeout + ≈0.4 s on Linux) or after
 * ≈15 minutes ({@code tcp_retries2}). {@code TCP_USER_TIMEOUT} exists only on Linux and only
 * through the epoll transport; the JDK has no such option, so on NIO, a {@link Socket} or a
 * {@link java.nio.channels.SocketChannel} it is reported as unsupported.
 *
 * <p>Immutable and thread-safe.
 */
public final class KeepaliveTuner {

    /** Option names used in {@link KeepaliveReport}. */
    public static final String SO_KEEPALIVE = "SO_KEEPALIVE";
    public static final String TCP_KEEPIDLE = "TCP_KEEPIDLE";
    public static final String TCP_KEEPINTVL = "TCP_KEEPINTVL";
    public static final String TCP_KEEPCNT = "TCP_KEEPCNT";
    public static final String TCP_USER_TIMEOUT = "TCP_USER_TIMEOUT";

    /** Default number of keepalive probes. */
    public static final int DEFAULT_PROBES = 3;
    /** Smallest target: one idle second and one probe second (the kernel counts whole seconds). */
    public static final Duration MIN_TARGET = Duration.ofSeconds(2);
    /** Largest target (Linux caps TCP_KEEPIDLE and TCP_KEEPINTVL at 32767 s). */
    public static final Duration MAX_TARGET = Duration.ofSeconds(32_767);

    private static final String NO_USER_TIMEOUT = "the JDK has no TCP_USER_TIMEOUT; only the epoll transport (Linux) sets it";

    private final Duration target;
    private final int idleSeconds;
    private final int intervalSeconds;
    private final int count;
    private final int userTimeoutMillis;

    private KeepaliveTuner(Duration target, int probes) {
        long t = target.getSeconds();
        this.target = target;
        this.count = (int) Math.min(probes, t - 1);
        this.intervalSeconds = (int) Math.max(1, t / (count + 1));
        this.idleSeconds = (int) (t - (long) intervalSeconds * count);
        this.userTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, target.toMillis());
    }

    /**
     * A tuner that detects a dead path within {@code target} with {@value #DEFAULT_PROBES} probes.
     *
     * @throws IllegalArgumentException when the target is outside [{@code MIN_TARGET}, {@code MAX_TARGET}]
     */
    public static KeepaliveTuner forDetectionWithin(Duration target) {
        return forDetectionWithin(target, DEFAULT_PROBES);
    }

    /**
     * A tuner that detects a dead path within {@code target} using at most {@code probes} probes
     * (more probes: fewer false aborts on a lossy path, shorter gaps between them).
     *
     * @throws IllegalArgumentException when the target is outside [{@code MIN_TARGET},
     *     {@code MAX_TARGET}] or probes is outside 1..127
     */
    public static KeepaliveTuner forDetectionWithin(Duration target, int probes) {
        if (target == null || target.compareTo(MIN_TARGET) < 0 || target.compareTo(MAX_TARGET) > 0) {
            throw Checks.bad("keepalive target", target, MIN_TARGET + ".." + MAX_TARGET
                    + "; the kernel counts keepalive in whole seconds");
        }
        Checks.range("keepalive probes", probes, 1, 127);
        return new KeepaliveTuner(target, probes);
    }

    /** The target detection time. */
    public Duration target() {
        return target;
    }

    /** TCP_KEEPIDLE in seconds. */
    public int idleSeconds() {
        return idleSeconds;
    }

    /** TCP_KEEPINTVL in seconds. */
    public int intervalSeconds() {
        return intervalSeconds;
    }

    /** TCP_KEEPCNT. */
    public int count() {
        return count;
    }

    /** TCP_USER_TIMEOUT in milliseconds (epoll only). */
    public int userTimeoutMillis() {
        return userTimeoutMillis;
    }

    /** The values this tuner asks for, by option name. */
    public Map<String, Object> requested() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(SO_KEEPALIVE, Boolean.TRUE);
        m.put(TCP_KEEPIDLE, idleSeconds);
        m.put(TCP_KEEPINTVL, intervalSeconds);
        m.put(TCP_KEEPCNT, count);
        m.put(TCP_USER_TIMEOUT, userTimeoutMillis);
        return m;
    }

    /**
     * Tunes a Netty channel: every option on epoll; all but TCP_USER_TIMEOUT on NIO (through
     * {@link NioChannelOption} and {@link ExtendedSocketOptions}); only SO_KEEPALIVE on other
     * channel types. Call it on an open channel (e.g. in {@code channelActive}); safe from any
     * thread.
     */
    public KeepaliveReport apply(Channel channel) {
        Objects.requireNonNull(channel, "channel");
        Map<String, Object> applied = new LinkedHashMap<>();
        Map<String, String> unsupported = new LinkedHashMap<>();
        String what = channel.getClass().getSimpleName();
        if (EpollKeepalive.isEpoll(channel)) {
            EpollKeepalive.apply(channel, idleSeconds, intervalSeconds, count, userTimeoutMillis, applied, unsupported);
        } else if (channel instanceof io.netty.channel.socket.nio.NioSocketChannel) {
            ChannelConfig c = channel.config();
            ChannelOptions.setAndReadBack(c, ChannelOption.SO_KEEPALIVE, Boolean.TRUE, SO_KEEPALIVE, applied, unsupported);
            ChannelOptions.setAndReadBack(c, NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE), idleSeconds, TCP_KEEPIDLE, applied, unsupported);
            ChannelOptions.setAndReadBack(c, NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL), intervalSeconds, TCP_KEEPINTVL, applied,
                    unsupported);
            ChannelOptions.setAndReadBack(c, NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT), count, TCP_KEEPCNT, applied, unsupported);
            unsupported.put(TCP_USER_TIMEOUT, NO_USER_TIMEOUT);
        } else {
            ChannelOptions.setAndReadBack(channel.config(), ChannelOption.SO_KEEPALIVE, Boolean.TRUE, SO_KEEPALIVE, applied, unsupported);
            String why = what + " is neither an epoll nor an NIO socket channel";
            unsupported.putIfAbsent(TCP_KEEPIDLE, why);
            unsupported.putIfAbsent(TCP_KEEPINTVL, why);
            unsupported.putIfAbsent(TCP_KEEPCNT, why);
            unsupported.putIfAbsent(TCP_USER_TIMEOUT, why);
        }
        return new KeepaliveReport(what, requested(), applied, unsupported);
    }

    /** Tunes a connected or unconnected {@link Socket}; TCP_USER_TIMEOUT is reported unsupported. */
    public KeepaliveReport apply(Socket socket) {
        Objects.requireNonNull(socket, "socket");
        Map<String, Object> applied = new LinkedHashMap<>();
        Map<String, String> unsupported = new LinkedHashMap<>();
        Set<SocketOption<?>> supported = socket.supportedOptions();
        jdk(new OptionAccess() {
            @Override
            public <T> void set(SocketOption<T> o, T v) throws IOException {
                socket.setOption(o, v);
            }

            @Override
            public <T> T get(SocketOption<T> o) throws IOException {
                return socket.getOption(o);
            }
        }, supported, applied, unsupported);
        return new KeepaliveReport("java.net.Socket", requested(), applied, unsupported);
    }

    /** Tunes a {@link java.nio.channels.SocketChannel} (or any {@link NetworkChannel}); TCP_USER_TIMEOUT is reported unsupported. */
    public KeepaliveReport apply(NetworkChannel channel) {
        Objects.requireNonNull(channel, "channel");
        Map<String, Object> applied = new LinkedHashMap<>();
        Map<String, String> unsupported = new LinkedHashMap<>();
        jdk(new OptionAccess() {
            @Override
            public <T> void set(SocketOption<T> o, T v) throws IOException {
                channel.setOption(o, v);
            }

            @Override
            public <T> T get(SocketOption<T> o) throws IOException {
                return channel.getOption(o);
            }
        }, channel.supportedOptions(), applied, unsupported);
        return new KeepaliveReport(channel.getClass().getSimpleName(), requested(), applied, unsupported);
    }

    @Override
    public String toString() {
        return "KeepaliveTuner{target=" + target + ", idle=" + idleSeconds + "s, intvl=" + intervalSeconds + "s, cnt="
                + count + ", userTimeout=" + userTimeoutMillis + "ms}";
    }

    private interface OptionAccess {
        <T> void set(SocketOption<T> o, T v) throws IOException;

        <T> T get(SocketOption<T> o) throws IOException;
    }

    private void jdk(OptionAccess a, Set<SocketOption<?>> supported, Map<String, Object> applied,
            Map<String, String> unsupported) {
        jdkSet(a, supported, StandardSocketOptions.SO_KEEPALIVE, Boolean.TRUE, SO_KEEPALIVE, applied, unsupported);
        jdkSet(a, supported, ExtendedSocketOptions.TCP_KEEPIDLE, idleSeconds, TCP_KEEPIDLE, applied, unsupported);
        jdkSet(a, supported, ExtendedSocketOptions.TCP_KEEPINTERVAL, intervalSeconds, TCP_KEEPINTVL, applied, unsupported);
        jdkSet(a, supported, ExtendedSocketOptions.TCP_KEEPCOUNT, count, TCP_KEEPCNT, applied, unsupported);
        unsupported.put(TCP_USER_TIMEOUT, NO_USER_TIMEOUT);
    }

    private static <T> void jdkSet(OptionAccess a, Set<SocketOption<?>> supported, SocketOption<T> o, T v, String name,
            Map<String, Object> applied, Map<String, String> unsupported) {
        if (!supported.contains(o)) {
            unsupported.put(name, "not offered by this JDK/OS (" + System.getProperty("os.name") + ")");
            return;
        }
        try {
            a.set(o, v);
            applied.put(name, a.get(o));
        } catch (IOException | RuntimeException e) {
            unsupported.put(name, "failed: " + Disconnects.message(e));
        }
    }
}
