package dev.heartbeat.bench.scale;

import dev.heartbeat.protocol.FrameCodec;
import io.netty.buffer.ByteBuf;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * The bare side's frames, written and read with {@code ByteBuf} accessors as a hand-rolled
 * heartbeat would (the byte layout of docs/protocol.md, so the project's responders answer the
 * bare client's PINGs), and the Netty plumbing both sides share (epoll where available).
 */
final class Wire {

    static final String NODE = "bare-clien"; // 10 bytes, like the project's monitor ids in these runs
    static final long EPOCH = 0x0bad_cafe_0000_0001L | (System.nanoTime() << 20);
    /** A PING with a 10-byte node id: 29 + 10 + 4 + 2. */
    static final int PING_LENGTH = FrameCodec.FIXED_HEADER_LENGTH + NODE.length() + 4 + 2;

    private Wire() {
    }

    static final boolean EPOLL = Epoll.isAvailable();

    static IoHandlerFactory ioFactory() {
        return EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    static MultiThreadIoEventLoopGroup group(int threads) {
        return new MultiThreadIoEventLoopGroup(threads, ioFactory());
    }

    static Class<? extends io.netty.channel.socket.SocketChannel> socket() {
        return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    static Class<? extends io.netty.channel.ServerChannel> server() {
        return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    static Class<? extends io.netty.channel.socket.DatagramChannel> datagram() {
        return EPOLL ? EpollDatagramChannel.class : NioDatagramChannel.class;
    }

    /** Writes a PING (unsealed, no extensions) at the writer index. */
    static void writePing(ByteBuf b, long epoch, int seq, long sendTime, int intervalMillis) {
        b.writeShort(FrameCodec.MAGIC).writeByte(FrameCodec.VERSION).writeByte(1).writeShort(0).writeShort(PING_LENGTH)
                .writeLong(epoch).writeInt(seq).writeLong(sendTime).writeByte(NODE.length());
        for (int i = 0; i < NODE.length(); i++) {
            b.writeByte(NODE.charAt(i));
        }
        b.writeInt(intervalMillis).writeShort(0);
    }

    /**
     * Writes a PING from monitor {@code node} (exactly {@code NODE.length()} ASCII characters),
     * padded to exactly {@code total} bytes (0: unpadded) with one padding extension, as a UDP
     * monitor does so that a responder may answer it in full (anti-amplification).
     */
    static void writePing(ByteBuf b, long epoch, String node, int seq, long sendTime, int intervalMillis, int total) {
        if (node.length() != NODE.length()) {
            throw new IllegalArgumentException("node : '" + node + "' (expected: " + NODE.length() + " characters)");
        }
        int pad = total <= PING_LENGTH ? 0 : Math.max(FrameCodec.MIN_PADDING, total - PING_LENGTH);
        b.writeShort(FrameCodec.MAGIC).writeByte(FrameCodec.VERSION).writeByte(1).writeShort(0)
                .writeShort(PING_LENGTH + pad).writeLong(epoch).writeInt(seq).writeLong(sendTime).writeByte(node.length());
        for (int i = 0; i < node.length(); i++) {
            b.writeByte(node.charAt(i));
        }
        b.writeInt(intervalMillis).writeShort(pad);
        if (pad > 0) {
            b.writeShort(FrameCodec.EXTENSION_PADDING).writeShort(pad - FrameCodec.MIN_PADDING)
                    .writeZero(pad - FrameCodec.MIN_PADDING);
        }
    }

    /** Offset of a PONG's echoed sequence (its echoed send time follows). */
    static int echoOffset(ByteBuf frame) {
        return frame.readerIndex() + FrameCodec.FIXED_HEADER_LENGTH + frame.getUnsignedByte(frame.readerIndex() + 28);
    }

    static boolean isPong(ByteBuf frame) {
        return frame.readableBytes() >= FrameCodec.MIN_FRAME_LENGTH && frame.getUnsignedShort(frame.readerIndex()) == FrameCodec.MAGIC
                && frame.getUnsignedByte(frame.readerIndex() + 3) == 2;
    }

}
