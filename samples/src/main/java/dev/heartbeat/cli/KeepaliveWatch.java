package dev.heartbeat.cli;

import dev.heartbeat.protocol.Frame;
import dev.heartbeat.protocol.FrameCodec;
import dev.heartbeat.tcp.KeepaliveReport;
import dev.heartbeat.tcp.KeepaliveTuner;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * The comparison in the demo: a plain {@link Socket} to the same responder, with kernel keepalive
 * tuned by {@link KeepaliveTuner} to 1 s idle, 1 s interval, 3 probes (a dead path in ≈4 s), and
 * one thread blocked in {@code read()} — exactly what a client relying on TCP alone can learn.
 *
 * <p>It sends one PING on connect, advertising a one-hour interval: a responder closes connections
 * that never ping (its idle timeout) and evicts clients after ten missed intervals, so without
 * this the responder, not the fault, would end the connection. After that the socket is idle,
 * which is the case keepalive is built for.
 *
 * <p>Thread-safe: the reader thread writes the outcome once; the demo reads it.
 */
final class KeepaliveWatch implements AutoCloseable {

    /** 1 s idle + 3 × 1 s probes. */
    static final KeepaliveTuner TUNER = KeepaliveTuner.forDetectionWithin(Duration.ofSeconds(4), 3);

    private final Socket socket;
    private final KeepaliveReport report;
    private volatile boolean closing;
    private volatile long endedNanos;
    private volatile String how;

    private KeepaliveWatch(String name, Socket socket, KeepaliveReport report) {
        this.socket = socket;
        this.report = report;
        Thread t = new Thread(this::read, "heartbeat-keepalive-" + name);
        t.setDaemon(true);
        t.start();
    }

    /** Connects, tunes keepalive, sends the one PING and starts reading. */
    static KeepaliveWatch open(String name, String host, int port) throws IOException {
        Socket s = new Socket();
        try {
            KeepaliveReport report = TUNER.apply(s);
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(host, port), 2_000);
            ByteBuffer buf = ByteBuffer.allocate(FrameCodec.MAX_FRAME_LENGTH);
            Frame ping = new Frame().ping(0x6b65657061L, 1, System.nanoTime(), "keepalive-watch", 3_600_000);
            FrameCodec.encode(ping, buf);
            s.getOutputStream().write(buf.array(), 0, buf.position());
            s.getOutputStream().flush();
            return new KeepaliveWatch(name, s, report);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private void read() {
        byte[] sink = new byte[4096];
        try (InputStream in = socket.getInputStream()) {
            while (in.read(sink) >= 0) {
                // PONGs and a GOODBYE are read and ignored: this client only looks at the connection.
            }
            end("closed by the peer's kernel (FIN)");
        } catch (IOException e) {
            if (!closing) {
                end(e.getMessage() == null ? e.toString() : e.getMessage());
            }
        }
    }

    private void end(String what) {
        if (endedNanos == 0) {
            how = what;
            endedNanos = System.nanoTime();
        }
    }

    /** What the OS applied (and what it could not). */
    KeepaliveReport report() {
        return report;
    }

    /** {@link System#nanoTime()} when the connection ended, or 0 while it looks fine. */
    long endedNanos() {
        return endedNanos;
    }

    /** How it ended ("Connection reset", "closed … (FIN)", "Connection timed out"), or null. */
    String how() {
        return how;
    }

    @Override
    public void close() {
        closing = true;
        try {
            socket.close();
        } catch (IOException e) {
            // nothing to do
        }
    }
}
