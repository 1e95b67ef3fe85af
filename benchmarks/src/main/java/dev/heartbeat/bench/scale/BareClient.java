package dev.heartbeat.bench.scale;

import dev.heartbeat.protocol.FrameCodec;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The baseline: what a hand-rolled Netty heartbeat client does for N peers at 1 Hz. TCP: one
 * connection per peer, a length-field framer, one periodic timer per channel
 * ({@code scheduleAtFixedRate}, reused by Netty), the PING written field by field into a pooled
 * buffer, the PONG's echoed sequence and time read back, and a fixed 3-interval timeout checked on
 * each tick. UDP: one socket per event loop, peers found by source address in a map.
 */
final class BareClient implements AutoCloseable {

    final LongAdder pongs = new LongAdder();
    final LongAdder deadDeclared = new LongAdder();
    final LongAdder answeredOnce = new LongAdder();
    private final MultiThreadIoEventLoopGroup group;
    private final long intervalNanos;
    private final boolean udp;
    private final Bootstrap tcp;
    private final Channel[] udpChannels;
    private final Map<InetSocketAddress, UdpPeer>[] udpPeers;
    private int nextLoop;

    @SuppressWarnings("unchecked")
    BareClient(int threads, long intervalNanos, boolean udp) throws InterruptedException {
        this.group = Wire.group(threads);
        this.intervalNanos = intervalNanos;
        this.udp = udp;
        if (udp) {
            udpChannels = new Channel[threads];
            udpPeers = new Map[threads];
            for (int i = 0; i < threads; i++) {
                Map<InetSocketAddress, UdpPeer> peers = new HashMap<>();
                udpPeers[i] = peers;
                EventLoop loop = group.next();
                udpChannels[i] = new Bootstrap().group(loop).channel(Wire.datagram())
                        .handler(new UdpReceive(peers)).bind("127.0.0.1", 0).sync().channel();
            }
            tcp = null;
        } else {
            udpChannels = null;
            udpPeers = null;
            tcp = new Bootstrap().group(group).channel(Wire.socket()).option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(FrameCodec.MAX_FRAME_LENGTH,
                                    FrameCodec.LENGTH_FIELD_OFFSET, 2, -(FrameCodec.LENGTH_FIELD_OFFSET + 2), 0),
                                    new TcpPeer());
                        }
                    });
        }
    }

    /** Starts monitoring one peer. */
    void add(String host, int port) {
        if (udp) {
            int i = nextLoop++ % udpChannels.length;
            Channel ch = udpChannels[i];
            UdpPeer p = new UdpPeer(ch, new InetSocketAddress(host, port));
            ch.eventLoop().execute(() -> {
                udpPeers[i].put(p.remote, p);
                long phase = ThreadLocalRandom.current().nextLong(intervalNanos);
                ch.eventLoop().scheduleAtFixedRate(p, phase, intervalNanos, TimeUnit.NANOSECONDS);
            });
        } else {
            tcp.connect(host, port);
        }
    }

    /** Common per-peer state: the sequence, the last answer, the fixed-timeout verdict. */
    private abstract class PeerState implements Runnable {
        int seq = ThreadLocalRandom.current().nextInt();
        long lastSeen;
        boolean dead;

        /** One tick: check the timeout, send a PING. */
        @Override
        public void run() {
            long now = System.nanoTime();
            if (lastSeen != 0 && !dead && now - lastSeen > 3 * intervalNanos) {
                dead = true;
                deadDeclared.increment();
            }
            send(++seq, now);
        }

        abstract void send(int seq, long now);

        void pong(ByteBuf frame) {
            int p = Wire.echoOffset(frame);
            if (frame.getInt(p) == seq) {
                if (lastSeen == 0) {
                    answeredOnce.increment();
                }
                lastSeen = System.nanoTime();
                dead = false;
                pongs.increment();
            }
        }
    }

    private final class TcpPeer extends ChannelInboundHandlerAdapter {
        private final PeerState state = new PeerState() {
            @Override
            void send(int seq, long now) {
                ByteBuf b = ctx.alloc().ioBuffer(Wire.PING_LENGTH);
                Wire.writePing(b, Wire.EPOCH, seq, now, (int) (intervalNanos / 1_000_000));
                ctx.writeAndFlush(b, ctx.voidPromise());
            }
        };
        private ChannelHandlerContext ctx;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            this.ctx = ctx;
            long phase = ThreadLocalRandom.current().nextLong(intervalNanos);
            ctx.executor().scheduleAtFixedRate(state, phase, intervalNanos, TimeUnit.NANOSECONDS);
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf b = (ByteBuf) msg;
            try {
                if (Wire.isPong(b)) {
                    state.pong(b);
                }
            } finally {
                b.release();
            }
        }
    }

    private final class UdpPeer extends PeerState {
        final Channel channel;
        final InetSocketAddress remote;

        UdpPeer(Channel channel, InetSocketAddress remote) {
            this.channel = channel;
            this.remote = remote;
        }

        @Override
        void send(int seq, long now) {
            ByteBuf b = channel.alloc().ioBuffer(Wire.PING_LENGTH);
            Wire.writePing(b, Wire.EPOCH, seq, now, (int) (intervalNanos / 1_000_000));
            channel.writeAndFlush(new DatagramPacket(b, remote), channel.voidPromise());
        }
    }

    @ChannelHandler.Sharable
    private static final class UdpReceive extends ChannelInboundHandlerAdapter {
        private final Map<InetSocketAddress, UdpPeer> peers;

        UdpReceive(Map<InetSocketAddress, UdpPeer> peers) {
            this.peers = peers;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            DatagramPacket p = (DatagramPacket) msg;
            try {
                UdpPeer peer = peers.get(p.sender());
                if (peer != null && Wire.isPong(p.content())) {
                    peer.pong(p.content());
                }
            } finally {
                p.release();
            }
        }
    }

    /** Peers that answered at least once. */
    int answered() {
        return answeredOnce.intValue();
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
