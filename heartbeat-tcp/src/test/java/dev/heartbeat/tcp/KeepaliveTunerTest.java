package dev.heartbeat.tcp;

import static dev.heartbeat.tcp.KeepaliveTuner.SO_KEEPALIVE;
import static dev.heartbeat.tcp.KeepaliveTuner.TCP_KEEPCNT;
import static dev.heartbeat.tcp.KeepaliveTuner.TCP_KEEPIDLE;
import static dev.heartbeat.tcp.KeepaliveTuner.TCP_KEEPINTVL;
import static dev.heartbeat.tcp.KeepaliveTuner.TCP_USER_TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.heartbeat.tcp.internal.NettyIo;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The keepalive tuner: its maths, and what the OS reads back on every kind of socket. */
class KeepaliveTunerTest {

    private static boolean linux() {
        return System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux");
    }

    @Test
    void splitsTheTargetIntoIdleIntervalAndCount() {
        KeepaliveTuner t = KeepaliveTuner.forDetectionWithin(Duration.ofSeconds(10));
        assertThat(t.idleSeconds()).isEqualTo(4);
        assertThat(t.intervalSeconds()).isEqualTo(2);
        assertThat(t.count()).isEqualTo(3);
        assertThat(t.userTimeoutMillis()).isEqualTo(10_000);
        for (int s = 2; s <= 600; s++) {
            KeepaliveTuner k = KeepaliveTuner.forDetectionWithin(Duration.ofSeconds(s));
            assertThat(k.idleSeconds() + k.intervalSeconds() * k.count()).as("target %d s", s).isEqualTo(s);
            assertThat(k.idleSeconds()).isGreaterThanOrEqualTo(k.intervalSeconds()).isPositive();
        }
        KeepaliveTuner min = KeepaliveTuner.forDetectionWithin(Duration.ofSeconds(2));
        assertThat(new int[] {min.idleSeconds(), min.intervalSeconds(), min.count()}).containsExactly(1, 1, 1);
        KeepaliveTuner nine = KeepaliveTuner.forDetectionWithin(Duration.ofSeconds(60), 9);
        assertThat(nine.count()).isEqualTo(9);
        assertThat(nine.intervalSeconds()).isEqualTo(6);
        assertThat(nine.idleSeconds()).isEqualTo(6);
    }

    @Test
    void rejectsTargetsTheKernelCannotExpress() {
        assertThatThrownBy(() -> KeepaliveTuner.forDetectionWithin(Duration.ofMillis(1500)))
                .hasMessageStartingWith("keepalive target : PT1.5S (expected: PT2S..PT9H6M7S");
        assertThatThrownBy(() -> KeepaliveTuner.forDetectionWithin(Duration.ofSeconds(10), 0))
                .hasMessage("keepalive probes : 0 (expected: 1..127)");
    }

    @Test
    void plainSocketGetsKeepaliveButNoUserTimeout() throws Exception {
        KeepaliveTuner t = KeepaliveTuner.forDetectionWithin(Duration.ofSeconds(10));
        try (ServerSocket ss = new ServerSocket(0); Socket s = new Socket("127.0.0.1", ss.getLocalPort())) {
            KeepaliveReport r = t.apply(s);
            assertThat(r.applied()).containsEntry(SO_KEEPALIVE, true);
            assertThat(s.getKeepAlive()).isTrue();
            assertThat(r.unsupported()).containsKey(TCP_USER_TIMEOUT);
            assertThat(r.unsupported().get(TCP_USER_TIMEOUT)).contains("JDK has no TCP_USER_TIMEOUT");
            assertThat(r.complete()).isFalse();
            if (linux()) {
                assertThat(r.applied()).containsEntry(TCP_KEEPIDLE, 4).containsEntry(TCP_KEEPINTVL, 2)
                        .containsEntry(TCP_KEEPCNT, 3);
            }
        }
    }

    @Test
    void socketChannelGetsKeepaliveButNoUserTimeout() throws Exception {
        KeepaliveTuner t = KeepaliveTuner.forDetectionWithin(Duration.ofSeconds(7));
        try (ServerSocket ss = new ServerSocket(0);
             SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", ss.getLocalPort()))) {
            KeepaliveReport r = t.apply(ch);
            assertThat(r.applied()).containsEntry(SO_KEEPALIVE, true);
            assertThat(r.unsupported()).containsOnlyKeys(TCP_USER_TIMEOUT);
            if (linux()) {
                assertThat(r.applied()).containsEntry(TCP_KEEPIDLE, t.idleSeconds())
                        .containsEntry(TCP_KEEPINTVL, t.intervalSeconds()).containsEntry(TCP_KEEPCNT, t.count());
            }
        }
    }

    @Test
    void epollChannelGetsEverythingIncludingUserTimeout() throws Exception {
        assumeTrue(NettyIo.best() == NettyIo.EPOLL, "epoll native transport not available here");
        KeepaliveReport r = applyToNettyChannel(NettyIo.EPOLL, KeepaliveTuner.forDetectionWithin(Duration.ofSeconds(5)));
        assertThat(r.appliedTo()).isEqualTo("EpollSocketChannel");
        assertThat(r.unsupported()).isEmpty();
        assertThat(r.applied()).containsEntry(SO_KEEPALIVE, true).containsEntry(TCP_KEEPIDLE, 2)
                .containsEntry(TCP_KEEPINTVL, 1).containsEntry(TCP_KEEPCNT, 3).containsEntry(TCP_USER_TIMEOUT, 5000);
        assertThat(r.complete()).isTrue();
    }

    @Test
    void nioChannelReportsUserTimeoutUnsupported() throws Exception {
        KeepaliveReport r = applyToNettyChannel(NettyIo.NIO, KeepaliveTuner.forDetectionWithin(Duration.ofSeconds(5)));
        assertThat(r.appliedTo()).isEqualTo("NioSocketChannel");
        assertThat(r.unsupported()).containsOnlyKeys(TCP_USER_TIMEOUT);
        assertThat(r.applied()).containsEntry(SO_KEEPALIVE, true);
        if (linux()) {
            assertThat(r.applied()).containsEntry(TCP_KEEPIDLE, 2).containsEntry(TCP_KEEPINTVL, 1)
                    .containsEntry(TCP_KEEPCNT, 3);
        }
    }

    @Test
    void otherChannelsReportWhatTheyCannotDo() {
        EmbeddedChannel ch = new EmbeddedChannel();
        KeepaliveReport r = KeepaliveTuner.forDetectionWithin(Duration.ofSeconds(5)).apply(ch);
        assertThat(r.unsupported()).containsKeys(TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT, TCP_USER_TIMEOUT);
        assertThat(r.unsupported().get(TCP_KEEPIDLE)).contains("EmbeddedChannel");
        assertThat(r.toString()).contains("unsupported");
        ch.finishAndReleaseAll();
    }

    private static KeepaliveReport applyToNettyChannel(NettyIo io, KeepaliveTuner t) throws Exception {
        MultiThreadIoEventLoopGroup g = io.newGroup(1, "tuner-test");
        try (ServerSocket ss = new ServerSocket(0)) {
            Channel ch = new Bootstrap().group(g).channel(io.socketChannel()).handler(new ChannelInboundHandlerAdapter())
                    .connect(new InetSocketAddress("127.0.0.1", ss.getLocalPort())).sync().channel();
            try (Socket accepted = ss.accept()) {
                return t.apply(ch);
            } finally {
                ch.close().sync();
            }
        } finally {
            g.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
        }
    }
}
