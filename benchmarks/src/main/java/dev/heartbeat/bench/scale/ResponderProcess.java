package dev.heartbeat.bench.scale;

import dev.heartbeat.engine.HeartbeatResponder;
import dev.heartbeat.protocol.Frame;
import dev.heartbeat.protocol.FrameCodec;
import dev.heartbeat.protocol.FrameDecodeException;
import dev.heartbeat.tcp.TcpResponderServer;
import dev.heartbeat.udp.UdpResponderServer;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A child JVM that answers heartbeats, in one of these modes (first argument):
 * <ul>
 *   <li>{@code tcp HOST}: a {@link TcpResponderServer} on HOST, port chosen by the OS, limits
 *       raised for a harness whose monitors all connect from 127.0.0.1;</li>
 *   <li>{@code udp HOST}: a {@link UdpResponderServer} on HOST (reply rate limit raised);</li>
 *   <li>{@code udp-many HOST COUNT FILE [distinct|shared]}: COUNT UDP sockets on HOST (one address
 *       per monitored peer), all on one event loop group; their addresses are written to FILE.
 *       {@code distinct} (the default): each socket answers with its own {@link HeartbeatResponder},
 *       node id {@code responder-PID-i} for the i-th socket (and its own epoch), as N processes of a
 *       fleet would; {@code shared}: all answer with one responder, node id {@code responder-PID};</li>
 *   <li>{@code tcp-many HOST [distinct|shared]}: a harness TCP answerer on HOST (port chosen by the
 *       OS) that frames the stream with the frame's own length field and answers each PING through
 *       {@link HeartbeatResponder#respond} — the real protocol, without {@link TcpResponderServer}'s
 *       limits and eviction, which a server answering as one process has no use for here.
 *       {@code distinct} (the default): each accepted connection answers with its own responder, node
 *       id {@code responder-PID-i} for the i-th connection; {@code shared}: one responder for all
 *       (what {@code tcp} does, through the same answerer as {@code distinct}, so that the two differ
 *       only in node ids). {@link TcpResponderServer} takes one responder for all its connections, so
 *       it cannot give each connection its own node id;</li>
 *   <li>{@code bare-tcp HOST} / {@code bare-udp HOST}: bare Netty answering each PING with a PONG of
 *       exactly the project's PONG length (prebuilt bytes, echo fields copied in), for the
 *       throughput baselines;</li>
 *   <li>{@code fault HOST}: a TCP and a UDP responder, and a plain listener that accepts and holds
 *       connections (the tuned-keepalive socket's peer), for the fault harness.</li>
 * </ul>
 * Prints {@code READY} and its addresses on stdout; exits when stdin closes.
 */
public final class ResponderProcess {

    private static final List<AutoCloseable> OPEN = new CopyOnWriteArrayList<>();
    /** SO_RCVBUF of both UDP responders, project and bare: 1,000 outstanding PINGs fit without loss. */
    static final int UDP_RECEIVE_BUFFER = 4 << 20;
    /** The answerers' scratch, per event loop thread (not per socket or connection): a PING in, a PONG out. */
    private static final ThreadLocal<Frame> SCRATCH = ThreadLocal.withInitial(Frame::new);
    private static final ThreadLocal<ByteBuffer> INBOUND = ThreadLocal.withInitial(() -> ByteBuffer.allocate(65_536));
    private static final ThreadLocal<ByteBuffer> OUT =
            ThreadLocal.withInitial(() -> ByteBuffer.allocate(FrameCodec.MAX_FRAME_LENGTH));

    private ResponderProcess() {
    }

    public static void main(String[] args) throws Exception {
        Child.exitWhenParentGoes(cmd -> { });
        String mode = args[0];
        String host = args[1];
        HeartbeatResponder responder = HeartbeatResponder.builder().nodeId("responder-" + ProcessHandle.current().pid())
                .minInterval(Duration.ZERO).build();
        int threads = Integer.getInteger("threads", 1);
        switch (mode) {
            case "tcp": {
                TcpResponderServer s = tcp(responder, host, threads);
                System.out.println("READY tcp " + host + ":" + s.port() + " " + pongLength(responder));
                break;
            }
            case "udp": {
                UdpResponderServer s = udp(responder, host, threads);
                System.out.println("READY udp " + host + ":" + s.port() + " " + pongLength(responder));
                break;
            }
            case "udp-many": {
                int count = Integer.parseInt(args[2]);
                NodeIds ids = NodeIds.of(responder, args.length > 4 ? args[4] : "distinct");
                List<String> addresses = udpMany(ids, host, count, threads);
                Files.write(Path.of(args[3]), addresses);
                System.out.println("READY udp-many " + addresses.size() + " " + ids.name());
                break;
            }
            case "tcp-many": {
                NodeIds ids = NodeIds.of(responder, args.length > 2 ? args[2] : "distinct");
                int port = tcpMany(ids, host, threads);
                System.out.println("READY tcp-many " + host + ":" + port + " " + ids.name());
                break;
            }
            case "bare-tcp": {
                int port = bareTcp(host, pongLength(responder), threads);
                System.out.println("READY bare-tcp " + host + ":" + port + " " + pongLength(responder));
                break;
            }
            case "bare-udp": {
                int port = bareUdp(host, pongLength(responder), threads);
                System.out.println("READY bare-udp " + host + ":" + port + " " + pongLength(responder));
                break;
            }
            case "fault": {
                TcpResponderServer t = tcp(responder, host, threads);
                UdpResponderServer u = udp(responder, host, threads);
                ServerSocket plain = new ServerSocket();
                plain.bind(new InetSocketAddress(host, 0));
                Thread acceptor = new Thread(() -> {
                    List<Socket> held = new ArrayList<>();
                    try {
                        while (true) {
                            held.add(plain.accept()); // held open, never read: the kernel ACKs for us
                        }
                    } catch (Exception e) {
                        // closed
                    }
                }, "plain-acceptor");
                acceptor.setDaemon(true);
                acceptor.start();
                System.out.println("READY fault " + host + ":" + t.port() + " " + host + ":" + u.port() + " " + host + ":"
                        + plain.getLocalPort());
                break;
            }
            default:
                throw new IllegalArgumentException("mode : " + mode
                        + " (expected: tcp, udp, udp-many, tcp-many, bare-tcp, bare-udp or fault)");
        }
        System.out.flush();
        Thread.currentThread().join(); // until the parent's pipe closes
    }

    static TcpResponderServer tcp(HeartbeatResponder responder, String host, int threads) {
        TcpResponderServer s = TcpResponderServer.builder(responder).host(host).port(0).eventLoopThreads(threads)
                .maxConnections(200_000).maxConnectionsPerSource(200_000).backlog(8192)
                .maxPingRate(100_000).pingBurst(10_000).bind();
        OPEN.add(s);
        return s;
    }

    static UdpResponderServer udp(HeartbeatResponder responder, String host, int threads) {
        UdpResponderServer s = UdpResponderServer.builder(responder).host(host).port(0).eventLoopThreads(threads)
                .maxReplyRate(1_000_000).replyBurst(100_000).receiveBufferBytes(UDP_RECEIVE_BUFFER).bind();
        OPEN.add(s);
        return s;
    }

    /** The length of this responder's PONG to a bare PING (what the bare responders send back). */
    static int pongLength(HeartbeatResponder responder) throws Exception {
        ByteBuf ping = io.netty.buffer.Unpooled.buffer();
        Wire.writePing(ping, Wire.EPOCH, 1, 1, 1000);
        ByteBuffer reply = ByteBuffer.allocate(FrameCodec.MAX_FRAME_LENGTH);
        responder.respond(ping.nioBuffer(), reply, new Frame());
        return reply.position();
    }

    /**
     * The responder each monitored peer gets: its own ({@code distinct}: node id
     * {@code responder-PID-i}, its own epoch, this process's one load provider) or the process's one
     * ({@code shared}). Thread-safe.
     */
    static final class NodeIds {
        private final HeartbeatResponder shared;
        private final boolean distinct;
        private final AtomicInteger next = new AtomicInteger();

        private NodeIds(HeartbeatResponder shared, boolean distinct) {
            this.shared = shared;
            this.distinct = distinct;
        }

        /** {@code mode}: {@code distinct} or {@code shared}. */
        static NodeIds of(HeartbeatResponder shared, String mode) {
            switch (mode) {
                case "distinct":
                    return new NodeIds(shared, true);
                case "shared":
                    return new NodeIds(shared, false);
                default:
                    throw new IllegalArgumentException("node ids : " + mode + " (expected: distinct or shared)");
            }
        }

        String name() {
            return distinct ? "distinct" : "shared";
        }

        /** The responder for the next peer (socket or connection). */
        HeartbeatResponder next() {
            if (!distinct) {
                return shared;
            }
            return HeartbeatResponder.builder().nodeId(shared.nodeId() + "-" + next.getAndIncrement())
                    .loadProvider(shared.loadProvider()).minInterval(Duration.ZERO).build();
        }
    }

    /** COUNT UDP sockets on HOST, each answering with the next of {@code ids}' responders; their addresses. */
    static List<String> udpMany(NodeIds ids, String host, int count, int threads) throws InterruptedException {
        MultiThreadIoEventLoopGroup group = Wire.group(threads);
        OPEN.add(group::shutdownGracefully);
        Bootstrap b = new Bootstrap().group(group).channel(Wire.datagram());
        List<String> addresses = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Channel ch = b.handler(new UdpAnswer(ids.next())).bind(host, 0).sync().channel();
            addresses.add(host + ":" + ((InetSocketAddress) ch.localAddress()).getPort());
        }
        return addresses;
    }

    /**
     * The harness TCP answerer on HOST: one {@link TcpAnswer} per accepted connection, with the next
     * of {@code ids}' responders; its port.
     */
    static int tcpMany(NodeIds ids, String host, int threads) throws InterruptedException {
        MultiThreadIoEventLoopGroup boss = Wire.group(1);
        MultiThreadIoEventLoopGroup workers = Wire.group(threads);
        ServerBootstrap sb = new ServerBootstrap().group(boss, workers).channel(Wire.server())
                .option(ChannelOption.SO_BACKLOG, 8192).childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(FrameCodec.MAX_FRAME_LENGTH,
                                FrameCodec.LENGTH_FIELD_OFFSET, 2, -(FrameCodec.LENGTH_FIELD_OFFSET + 2), 0),
                                new TcpAnswer(ids.next()));
                    }
                });
        OPEN.add(workers::shutdownGracefully);
        OPEN.add(boss::shutdownGracefully);
        Channel ch = sb.bind(host, 0).sync().channel();
        return ((InetSocketAddress) ch.localAddress()).getPort();
    }

    /** Closes every server and event loop group this JVM opened (a child just exits; tests call this). */
    static void closeAll() throws Exception {
        for (AutoCloseable c : OPEN) {
            c.close();
        }
        OPEN.clear();
    }

    /**
     * The PONG {@code responder} answers to the frame in {@code frame} (its readable bytes), in a
     * new buffer from {@code ctx}'s allocator, or null when the frame is not a PING or not valid.
     * The scratch buffers are per thread (an event loop's), whichever socket or connection reads.
     */
    private static ByteBuf answer(ChannelHandlerContext ctx, HeartbeatResponder responder, ByteBuf frame) {
        ByteBuffer in = INBOUND.get();
        in.clear().limit(frame.readableBytes());
        frame.getBytes(frame.readerIndex(), in);
        in.flip();
        ByteBuffer reply = OUT.get();
        reply.clear();
        try {
            if (!responder.respond(in, reply, SCRATCH.get())) {
                return null;
            }
        } catch (FrameDecodeException e) {
            return null; // not a heartbeat: ignored
        }
        reply.flip();
        ByteBuf b = ctx.alloc().ioBuffer(reply.remaining());
        b.writeBytes(reply);
        return b;
    }

    /** Answers each PING datagram with its responder's PONG (no rate limits or replay window: a harness). */
    @ChannelHandler.Sharable
    private static final class UdpAnswer extends ChannelInboundHandlerAdapter {
        private final HeartbeatResponder responder;

        UdpAnswer(HeartbeatResponder responder) {
            this.responder = responder;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            DatagramPacket p = (DatagramPacket) msg;
            try {
                ByteBuf pong = answer(ctx, responder, p.content());
                if (pong != null) {
                    ctx.writeAndFlush(new DatagramPacket(pong, p.sender()), ctx.voidPromise());
                }
            } finally {
                p.release();
            }
        }
    }

    /** Answers each framed PING on one connection with its responder's PONG (a harness: no limits). */
    private static final class TcpAnswer extends ChannelInboundHandlerAdapter {
        private final HeartbeatResponder responder;

        TcpAnswer(HeartbeatResponder responder) {
            this.responder = responder;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf frame = (ByteBuf) msg;
            try {
                ByteBuf pong = answer(ctx, responder, frame);
                if (pong != null) {
                    ctx.writeAndFlush(pong, ctx.voidPromise());
                }
            } finally {
                frame.release();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // a stream that is not ours (the framer refused it): closed
        }
    }

    /** Bare TCP: a length-field framer and a handler that copies the PING's sequence and time into a prebuilt PONG. */
    private static int bareTcp(String host, int pongLength, int threads) throws InterruptedException {
        MultiThreadIoEventLoopGroup boss = Wire.group(1);
        MultiThreadIoEventLoopGroup workers = Wire.group(threads);
        ServerBootstrap sb = new ServerBootstrap().group(boss, workers).channel(Wire.server())
                .option(ChannelOption.SO_BACKLOG, 8192).childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(FrameCodec.MAX_FRAME_LENGTH,
                                FrameCodec.LENGTH_FIELD_OFFSET, 2, -(FrameCodec.LENGTH_FIELD_OFFSET + 2), 0),
                                new BarePong(pongLength, false));
                    }
                });
        Channel ch = sb.bind(host, 0).sync().channel();
        return ((InetSocketAddress) ch.localAddress()).getPort();
    }

    private static int bareUdp(String host, int pongLength, int threads) throws InterruptedException {
        // Like UdpResponderServer: one SO_REUSEPORT socket per thread on epoll, so both use the same cores.
        MultiThreadIoEventLoopGroup group = Wire.group(threads);
        Bootstrap b = new Bootstrap().group(group).channel(Wire.datagram()).handler(new BarePong(pongLength, true))
                .option(ChannelOption.SO_RCVBUF, UDP_RECEIVE_BUFFER); // the project's responder gets the same
        if (Wire.EPOLL) {
            b.option(io.netty.channel.epoll.EpollChannelOption.SO_REUSEPORT, true);
        }
        Channel ch = b.bind(host, 0).sync().channel();
        int port = ((InetSocketAddress) ch.localAddress()).getPort();
        for (int i = 1; Wire.EPOLL && i < threads; i++) {
            b.bind(host, port).sync();
        }
        return port;
    }

    /** The bare responder: PONG bytes of the project's length, echo fields from the PING. */
    @ChannelHandler.Sharable
    static final class BarePong extends ChannelInboundHandlerAdapter {
        private final int length;
        private final boolean datagram;

        BarePong(int length, boolean datagram) {
            this.length = length;
            this.datagram = datagram;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = datagram ? ((DatagramPacket) msg).content() : (ByteBuf) msg;
            try {
                if (in.readableBytes() < FrameCodec.MIN_FRAME_LENGTH || in.getUnsignedByte(in.readerIndex() + 3) != 1) {
                    return;
                }
                int r = in.readerIndex();
                int seq = in.getInt(r + 16);
                long time = in.getLong(r + 20);
                ByteBuf b = ctx.alloc().ioBuffer(length);
                b.writeShort(FrameCodec.MAGIC).writeByte(1).writeByte(2).writeShort(0).writeShort(length)
                        .writeLong(Wire.EPOCH).writeInt(seq).writeLong(time).writeByte(Wire.NODE.length());
                for (int i = 0; i < Wire.NODE.length(); i++) {
                    b.writeByte(Wire.NODE.charAt(i));
                }
                b.writeInt(seq).writeLong(time);
                b.writeZero(length - b.writerIndex());
                Object out = datagram ? new DatagramPacket(b, ((DatagramPacket) msg).sender()) : b;
                ctx.writeAndFlush(out, ctx.voidPromise());
            } finally {
                io.netty.util.ReferenceCountUtil.release(msg);
            }
        }
    }

}
