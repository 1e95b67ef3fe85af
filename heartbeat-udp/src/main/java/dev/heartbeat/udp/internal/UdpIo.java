package dev.heartbeat.udp.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The I/O flavour of the UDP transport: Linux epoll when the native transport loads, NIO
 * otherwise. Epoll adds SO_REUSEPORT, with which a responder binds one socket per event loop on the
 * same port and the kernel spreads datagrams over them. The epoll classes are touched only inside
 * {@link EpollUdp}, so the (optional) native jar may be absent.
 */
public enum UdpIo {
    /** Native epoll (Linux): SO_REUSEPORT available. */
    EPOLL("udp/epoll"),
    /** JDK NIO (any platform): one responder socket. */
    NIO("udp/nio");

    private static final Logger log = LoggerFactory.getLogger(UdpIo.class);
    private static volatile UdpIo best;
    private static volatile String epollMissing;

    private final String transportName;
    private final AtomicBoolean logged = new AtomicBoolean();

    UdpIo(String transportName) {
        this.transportName = transportName;
    }

    /** "udp/epoll" or "udp/nio". */
    public String transportName() {
        return transportName;
    }

    /** Epoll when available, else NIO (the reason is kept for {@link #logOnce()}). */
    public static UdpIo best() {
        UdpIo b = best;
        if (b == null) {
            Throwable why = EpollUdp.unavailabilityCause();
            if (why == null) {
                b = EPOLL;
            } else {
                b = NIO;
                epollMissing = why instanceof NoClassDefFoundError || why instanceof ClassNotFoundException
                        ? "netty-transport-native-epoll is not on the class path"
                        : why.toString();
            }
            best = b;
        }
        return b;
    }

    /** Logs once per JVM and flavour, at INFO, which I/O transport UDP heartbeats use. */
    public boolean logOnce() {
        if (!logged.compareAndSet(false, true)) {
            return false;
        }
        if (this == EPOLL) {
            log.info("heartbeat-udp: I/O transport udp/epoll (native): SO_REUSEPORT available, a responder "
                    + "receives on one socket per event loop");
        } else {
            String why = epollMissing != null ? epollMissing : "preferNio(true)";
            log.info("heartbeat-udp: I/O transport udp/nio ({}): a responder receives on one socket (no SO_REUSEPORT); "
                    + "add io.netty:netty-transport-native-epoll (classifier linux-x86_64 or linux-aarch_64) for epoll "
                    + "on Linux", why);
        }
        return true;
    }

    /** True when several sockets may bind one port (SO_REUSEPORT). */
    public boolean supportsReusePort() {
        return this == EPOLL;
    }

    /** A new event loop group of {@code threads} daemon threads named {@code name-N}. */
    public MultiThreadIoEventLoopGroup newGroup(int threads, String name) {
        IoHandlerFactory factory = this == EPOLL ? EpollUdp.ioHandlerFactory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), factory);
    }

    /** Makes {@code b} create datagram channels of {@code family} (IPv4 or IPv6 sockets, never dual-stack). */
    public Bootstrap channel(Bootstrap b, SocketProtocolFamily family) {
        return b.channelFactory(() -> newChannel(family));
    }

    private DatagramChannel newChannel(SocketProtocolFamily family) {
        return this == EPOLL ? EpollUdp.newChannel(family) : new NioDatagramChannel(family);
    }

    /** Sets SO_REUSEPORT on {@code b}; only for {@link #EPOLL}. */
    public Bootstrap reusePort(Bootstrap b) {
        if (this != EPOLL) {
            throw new IllegalStateException("SO_REUSEPORT needs epoll");
        }
        ChannelOption<Boolean> o = EpollUdp.reusePort();
        return b.option(o, true);
    }

    /**
     * Sets how {@code b}'s sockets receive: with epoll, up to {@code datagrams} datagrams of at most
     * {@code maxPayload} bytes per {@code recvmmsg} call (a longer datagram arrives cut to
     * {@code maxPayload}: give one byte more than the longest datagram worth reading, and refuse
     * what arrives at that length); with NIO one datagram of up to {@code maxPayload} bytes per read.
     */
    public Bootstrap receiveBatch(Bootstrap b, int maxPayload, int datagrams) {
        if (maxPayload < 1 || datagrams < 1) {
            throw new IllegalArgumentException("maxPayload : " + maxPayload + ", datagrams : " + datagrams
                    + " (expected: >= 1, >= 1)");
        }
        if (this == EPOLL && datagrams > 1) {
            b.option(EpollUdp.maxDatagramPayloadSize(), maxPayload);
            return b.option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(maxPayload * datagrams));
        }
        return b.option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(maxPayload));
    }

    /** IPv6 for an {@link Inet6Address}, else IPv4. */
    public static SocketProtocolFamily familyOf(InetAddress a) {
        return a instanceof Inet6Address ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET;
    }
}
