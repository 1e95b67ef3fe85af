package dev.heartbeat.tcp.internal;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;

/** The only class that links against the optional epoll classes. */
final class EpollSupport {

    private EpollSupport() {
    }

    /** Null when epoll is usable, else why not. */
    static Throwable unavailabilityCause() {
        try {
            return Epoll.isAvailable() ? null : Epoll.unavailabilityCause();
        } catch (Throwable t) { // NoClassDefFoundError when the native jar is not on the class path
            return t;
        }
    }

    static IoHandlerFactory ioHandlerFactory() {
        return EpollIoHandler.newFactory();
    }

    static Class<? extends SocketChannel> socketChannel() {
        return EpollSocketChannel.class;
    }

    static Class<? extends ServerChannel> serverChannel() {
        return EpollServerSocketChannel.class;
    }
}
