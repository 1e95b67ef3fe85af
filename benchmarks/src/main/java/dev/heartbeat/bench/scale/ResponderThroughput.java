package dev.heartbeat.bench.scale;

import dev.heartbeat.protocol.FrameCodec;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Responder throughput: C connections (TCP) or sockets (UDP), each keeping exactly one PING
 * outstanding (the next is sent when the PONG arrives), against a responder child JVM — the
 * project's ({@code TcpResponderServer}, {@code UdpResponderServer}) or bare Netty answering with
 * a PONG of the same length ({@link ResponderProcess.BarePong}). UDP PINGs are padded to the PONG's
 * length, as the project's monitor pads them (a responder answers no more bytes than it got).
 * Each socket or connection is one monitor: its own epoch and node id. Prints one {@code RESULT}
 * line with round trips per second and how many pingers got no PONG in the measured window
 * ({@code stalled}: over UDP a lost datagram stops its pinger), and the CPU both processes spent
 * per round trip (the responder's is the steadier figure on a shared machine). Both ends share this
 * machine's CPUs.
 *
 * <pre>
 * ResponderThroughput --side project|bare --transport tcp|udp [--connections 1000] [--seconds 10]
 *                     [--warmup 5] [--responder-threads 2] [--client-threads 2]
 * </pre>
 * Bounded: runs warm-up plus measurement seconds, then closes everything.
 */
public final class ResponderThroughput {

    private ResponderThroughput() {
    }

    public static void main(String[] args) throws Exception {
        MonitorScale.Args a = new MonitorScale.Args(args);
        String side = a.get("side", "project");
        boolean udp = a.get("transport", "tcp").equals("udp");
        int connections = a.getInt("connections", 1000);
        int seconds = a.getInt("seconds", 10);
        int warmup = a.getInt("warmup", 5);
        String mode = (side.equals("bare") ? "bare-" : "") + (udp ? "udp" : "tcp");
        try (Child responder = Child.start(ResponderProcess.class,
                List.of("-Xmx512m", "-Dthreads=" + a.getInt("responder-threads", 2),
                        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"), Child.tempLog("throughput-responder"), mode,
                "127.0.0.2")) {
            String[] ready = responder.await("READY").split(" ");
            String[] hp = ready[2].split(":");
            InetSocketAddress target = new InetSocketAddress(hp[0], Integer.parseInt(hp[1]));
            int pongLength = Integer.parseInt(ready[3]);
            MultiThreadIoEventLoopGroup group = Wire.group(a.getInt("client-threads", 2));
            LongAdder trips = new LongAdder();
            List<Channel> channels = new ArrayList<>();
            List<Pinger> pingers = new ArrayList<>();
            try {
                for (int i = 0; i < connections; i++) {
                    // One monitor process per socket: its own epoch and its own node id, as 1,000 monitors would
                    // have (one node id with 1,000 epochs is one monitor replaced 1,000 times, to a replay window).
                    Pinger p = new Pinger(udp, target, udp ? pongLength : 0, trips,
                            String.format(Locale.ROOT, "bare-c%04d", i % 10_000));
                    pingers.add(p);
                    if (udp) {
                        channels.add(new Bootstrap().group(group).channel(Wire.datagram()).handler(p)
                                .bind("127.0.0.1", 0).sync().channel());
                    } else {
                        channels.add(new Bootstrap().group(group).channel(Wire.socket())
                                .option(ChannelOption.TCP_NODELAY, true)
                                .handler(new ChannelInitializer<Channel>() {
                                    @Override
                                    protected void initChannel(Channel ch) {
                                        ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(FrameCodec.MAX_FRAME_LENGTH,
                                                FrameCodec.LENGTH_FIELD_OFFSET, 2, -(FrameCodec.LENGTH_FIELD_OFFSET + 2), 0), p);
                                    }
                                }).connect(target).sync().channel());
                    }
                    if (i % 100 == 99) {
                        Thread.sleep(20);
                    }
                }
                Thread.sleep(warmup * 1000L);
                long n0 = trips.sum();
                long t0 = System.nanoTime();
                long c0 = ProcStats.cpuNanos();
                long r0 = cpuNanos(responder);
                long[] before = new long[pingers.size()];
                for (int i = 0; i < before.length; i++) {
                    before[i] = pingers.get(i).answered;
                }
                Thread.sleep(seconds * 1000L);
                long n1 = trips.sum();
                long t1 = System.nanoTime();
                long c1 = ProcStats.cpuNanos();
                long r1 = cpuNanos(responder);
                int stalled = 0; // a lost UDP datagram stops its pinger for good: say how many were not running
                for (int i = 0; i < before.length; i++) {
                    if (pingers.get(i).answered == before[i]) {
                        stalled++;
                    }
                }
                System.out.printf(Locale.ROOT, "RESULT side=%s transport=%s connections=%d rt_per_s=%.0f client_cpu_us_per_rt=%.2f"
                        + " responder_cpu_us_per_rt=%.2f stalled=%d%n", side, udp ? "udp" : "tcp", connections,
                        (n1 - n0) / ((t1 - t0) / 1e9), (c1 - c0) / 1e3 / Math.max(1, n1 - n0),
                        (r1 - r0) / 1e3 / Math.max(1, n1 - n0), stalled);
            } finally {
                for (Channel c : channels) {
                    c.close();
                }
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
            }
        }
        System.exit(0);
    }

    /** CPU time of the responder child so far (all its threads), ns; -1 where the OS does not say. */
    private static long cpuNanos(Child c) {
        return c.process.toHandle().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(-1L);
    }

    /** One connection's closed loop: a PING, wait for its PONG, the next PING. */
    private static final class Pinger extends ChannelInboundHandlerAdapter {
        private final boolean udp;
        private final InetSocketAddress target;
        private final int padTo;
        private final LongAdder trips;
        private final String node;
        private final long epoch = ThreadLocalRandom.current().nextLong() | 1;
        private int seq = ThreadLocalRandom.current().nextInt();
        /** PONGs this pinger got; written by its event loop, read (racily, as a progress mark) by main. */
        volatile long answered;

        Pinger(boolean udp, InetSocketAddress target, int padTo, LongAdder trips, String node) {
            this.udp = udp;
            this.target = target;
            this.padTo = padTo;
            this.trips = trips;
            this.node = node;
        }

        @Override
        public boolean isSharable() {
            return false;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ping(ctx);
            ctx.fireChannelActive();
        }

        private void ping(ChannelHandlerContext ctx) {
            ByteBuf b = ctx.alloc().ioBuffer(Math.max(padTo, Wire.PING_LENGTH));
            Wire.writePing(b, epoch, node, ++seq, System.nanoTime(), 1000, padTo); // 1 s: no dead-client eviction
            ctx.writeAndFlush(udp ? new DatagramPacket(b, target) : b, ctx.voidPromise());
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf b = udp ? ((DatagramPacket) msg).content() : (ByteBuf) msg;
            try {
                if (Wire.isPong(b) && b.getInt(Wire.echoOffset(b)) == seq) {
                    trips.increment();
                    answered++; // only this pinger's event loop writes it
                    ping(ctx);
                }
            } finally {
                io.netty.util.ReferenceCountUtil.release(msg);
            }
        }
    }
}
