package dev.heartbeat.tcp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The I/O flavour choice and its one-time announcement. */
class NettyIoTest {

    @Test
    void bestIsStableAndLoggingTwiceIsHarmless() {
        NettyIo best = NettyIo.best();
        assertThat(NettyIo.best()).isSameAs(best);
        assertThat(best.transportName()).isIn("tcp/epoll", "tcp/nio");
        best.logOnce(); // whether or not a transport in this JVM logged already
        assertThat(best.logOnce()).as("once per JVM").isFalse();
        NettyIo.NIO.logOnce();
        assertThat(NettyIo.NIO.logOnce()).isFalse();
    }
}
