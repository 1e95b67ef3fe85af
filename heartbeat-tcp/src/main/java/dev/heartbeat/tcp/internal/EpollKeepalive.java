package dev.heartbeat.tcp.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;
import java.util.Map;

/** Keepalive options of an epoll channel; linked only when such a channel exists. */
public final class EpollKeepalive {

    private EpollKeepalive() {
    }

    /** True for an epoll socket channel (checked by name, so the epoll classes need not load). */
    public static boolean isEpoll(Channel ch) {
        return ch.getClass().getName().startsWith("io.netty.channel.epoll.");
    }

    /**
     * Sets the options on an epoll channel and reads them back into {@code applied}; options the
     * channel refuses go into {@code unsupported}.
     */
    public static void apply(Channel ch, int idle, int intvl, int cnt, int userTimeoutMillis,
            Map<String, Object> applied, Map<String, String> unsupported) {
        ChannelConfig c = ch.config();
        ChannelOptions.setAndReadBack(c, ChannelOption.SO_KEEPALIVE, Boolean.TRUE, "SO_KEEPALIVE", applied, unsupported);
        ChannelOptions.setAndReadBack(c, EpollChannelOption.TCP_KEEPIDLE, idle, "TCP_KEEPIDLE", applied, unsupported);
        ChannelOptions.setAndReadBack(c, EpollChannelOption.TCP_KEEPINTVL, intvl, "TCP_KEEPINTVL", applied, unsupported);
        ChannelOptions.setAndReadBack(c, EpollChannelOption.TCP_KEEPCNT, cnt, "TCP_KEEPCNT", applied, unsupported);
        ChannelOptions.setAndReadBack(c, EpollChannelOption.TCP_USER_TIMEOUT, userTimeoutMillis, "TCP_USER_TIMEOUT", applied, unsupported);
    }
}
