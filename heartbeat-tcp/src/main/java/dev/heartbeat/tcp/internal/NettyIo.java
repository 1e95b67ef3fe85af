package dev.heartbeat.tcp.internal;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The I/O flavour: Linux epoll when the native transport loads, NIO otherwise. The epoll classes
 * are touched only inside {@link EpollSupport}, so the (optional) native jar may be absent.
 */
public enum NettyIo {
    /** Native epoll (Linux). */
    EPOLL("tcp/epoll"),
    /** JDK NIO (selector-based; any platform). */
    NIO("tcp/nio");

    private static final Logger log = LoggerFactory.getLogger(NettyIo.class);
    private static volatile NettyIo best;
    /** Why epoll is not used, for the one INFO line; null when it is. */
    private static volatile String epollMissing;

    private final String transportName;
    private final AtomicBoolean logged = new AtomicBoolean();

    NettyIo(String transportName) {
        this.transportName = transportName;
    }

    /** "tcp/epoll" or "tcp/nio". */
    public String transportName() {
        return transportName;
    }

    /** Epoll when available (logged once, with the reason when not), else NIO. */
    public static NettyIo best() {
        NettyIo b = best;
        if (b == null) {
            Throwable why = EpollSupport.unavailabilityCause();
            if (why == null) {
                b = EPOLL;
            } else {
                b = NIO;
                epollMissing = why instanceof NoClassDefFoundError || why instanceof ClassNotFoundException
                        ? "netty-transport-native-epoll is not on the class path"
                        : why.toString();
                log.debug("epoll native transport unavailable, using NIO: {}", why.toString());
            }
            best = b;
        }
        return b;
    }

    /**
     * Logs, once per JVM and flavour, at INFO, which I/O transport heartbeats use and, for NIO,
     * what it lacks. Called when a transport or server starts.
     *
     * @return true when this call logged
     */
    public boolean logOnce() {
        if (!logged.compareAndSet(false, true)) {
            return false;
        }
        if (this == EPOLL) {
            log.info("heartbeat-tcp: I/O transport tcp/epoll (native): TCP_USER_TIMEOUT and TCP_KEEPIDLE/INTVL/CNT available");
        } else {
            String why = epollMissing != null ? epollMissing : "preferNio(true)";
            log.info("heartbeat-tcp: I/O transport tcp/nio ({}): no TCP_USER_TIMEOUT (a connection writing into a "
                    + "blackhole is not aborted by the kernel), keepalive knobs only where the JDK offers them; "
                    + "add io.netty:netty-transport-native-epoll (classifier linux-x86_64 or linux-aarch_64) "
                    + "for epoll on Linux", why);
        }
        return true;
    }

    /** A new event loop group of {@code threads} daemon threads named {@code name-N}. */
    public MultiThreadIoEventLoopGroup newGroup(int threads, String name) {
        IoHandlerFactory factory = this == EPOLL ? EpollSupport.ioHandlerFactory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), factory);
    }

    /** The client socket channel class. */
    public Class<? extends SocketChannel> socketChannel() {
        return this == EPOLL ? EpollSupport.socketChannel() : NioSocketChannel.class;
    }

    /** The listening socket channel class. */
    public Class<? extends ServerChannel> serverChannel() {
        return this == EPOLL ? EpollSupport.serverChannel() : NioServerSocketChannel.class;
    }
}
