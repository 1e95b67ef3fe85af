package dev.heartbeat.cli;

import dev.heartbeat.protocol.Frame;
import dev.heartbeat.protocol.FrameCodec;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A peer that misbehaves on purpose, on a loopback port: it sends a greeting on accept (an SSH
 * banner) and/or answers each PING with whatever bytes {@code reply} makes of it (a PONG with a
 * wrong echo, a bad status…). One thread per connection; {@link #close()} closes everything.
 */
final class FakePeer implements AutoCloseable {

    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    private FakePeer(byte[] greeting, Function<Frame, byte[]> reply) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(() -> accept(greeting, reply), "fake-peer-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Answers every PING with {@code reply.apply(ping)} (null: no answer). */
    static FakePeer answering(Function<Frame, byte[]> reply) throws IOException {
        return new FakePeer(null, reply);
    }

    /** Sends {@code greeting} on accept and nothing else. */
    static FakePeer greeting(byte[] greeting) throws IOException {
        return new FakePeer(greeting, null);
    }

    String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** A well-formed PONG answering {@code ping}, as a real responder would send it. */
    static byte[] pong(Frame ping, String nodeId) {
        Frame f = new Frame().pong(0x1234_5678_9abc_def0L, 1, System.nanoTime(), nodeId, ping.sequence(),
                ping.sendTimeNanos(), dev.heartbeat.protocol.ServingStatus.SERVING, 0, dev.heartbeat.protocol.LoadReport.UNKNOWN);
        return encode(f);
    }

    static byte[] encode(Frame f) {
        ByteBuffer b = ByteBuffer.allocate(FrameCodec.MAX_FRAME_LENGTH);
        FrameCodec.encode(f, b);
        b.flip();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private void accept(byte[] greeting, Function<Frame, byte[]> reply) {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                sockets.add(s);
                Thread t = new Thread(() -> serve(s, greeting, reply), "fake-peer-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private static void serve(Socket s, byte[] greeting, Function<Frame, byte[]> reply) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            if (greeting != null) {
                out.write(greeting);
                out.flush();
            }
            DataInputStream data = new DataInputStream(in);
            byte[] head = new byte[8];
            while (true) {
                data.readFully(head);
                int length = ((head[6] & 0xff) << 8) | (head[7] & 0xff);
                byte[] frame = new byte[length];
                System.arraycopy(head, 0, frame, 0, 8);
                data.readFully(frame, 8, length - 8);
                Frame ping = new Frame();
                FrameCodec.decode(ByteBuffer.wrap(frame), ping);
                byte[] answer = reply == null ? null : reply.apply(ping);
                if (answer != null) {
                    out.write(answer);
                    out.flush();
                }
            }
        } catch (Exception e) {
            // the monitor went away, or sent something we do not parse: this fake only needs PINGs
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
