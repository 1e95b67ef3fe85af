package dev.heartbeat.udp.internal;

import io.netty.channel.ChannelOption;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketProtocolFamily;

/** The only class that links against the optional epoll classes. */
final class EpollUdp {

    private EpollUdp() {
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

    static DatagramChannel newChannel(SocketProtocolFamily family) {
        return new EpollDatagramChannel(family);
    }

    static ChannelOption<Boolean> reusePort() {
        return EpollChannelOption.SO_REUSEPORT;
    }

    static ChannelOption<Integer> maxDatagramPayloadSize() {
        return EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE;
    }
}
