package dev.heartbeat.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.heartbeat.engine.spi.DisconnectCause;
import dev.heartbeat.engine.spi.Link;
import dev.heartbeat.engine.spi.LinkHandler;
import dev.heartbeat.protocol.Frame;
import dev.heartbeat.protocol.FrameCodec;
import dev.heartbeat.protocol.FrameType;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a TCP link reports, against hand-driven plain server sockets. */
class TcpLinkTest {

    /** One recorded handler call. */
    record Event(String kind, DisconnectCause cause, String detail, byte[] frame, long nanos, boolean onLoop) {
    }

    static final class Recorder implements LinkHandler {
        final BlockingQueue<Event> events = new LinkedBlockingQueue<>();

        @Override
        public void onConnected(Link link) {
            events.add(new Event("connected", null, null, null, System.nanoTime(), link.scheduler().inScheduler()));
        }

        @Override
        public void onFrame(Link link, ByteBuffer frame) {
            byte[] b = new byte[frame.remaining()];
            frame.get(b);
            events.add(new Event("frame", null, null, b, System.nanoTime(), link.scheduler().inScheduler()));
        }

        @Override
        public void onDisconnected(Link link, DisconnectCause cause, String detail) {
            events.add(new Event("disconnected", cause, detail, null, System.nanoTime(), link.scheduler().inScheduler()));
        }

        @Override
        public void onWritabilityChanged(Link link, boolean writable) {
            events.add(new Event(writable ? "writable" : "unwritable", null, null, null, System.nanoTime(),
                    link.scheduler().inScheduler()));
        }

        Event next() throws InterruptedException {
            Event e = events.poll(10, TimeUnit.SECONDS);
            assertThat(e).as("a link event within 10 s").isNotNull();
            return e;
        }
    }

    private final TcpClientTransport transport = TcpClientTransport.builder()
            .reconnect(Duration.ofMillis(20), Duration.ofMillis(200), Duration.ofSeconds(5)).build();
    private final Recorder rec = new Recorder();

    @AfterEach
    void tearDown() {
        transport.close();
    }

    private Link open(ServerSocket ss) {
        return transport.open("127.0.0.1:" + ss.getLocalPort(), rec);
    }

    @Test
    void refusedConnectionIsConnectFailedWithTheOsMessage() throws Exception {
        int port;
        try (ServerSocket ss = new ServerSocket(0)) {
            port = ss.getLocalPort();
        }
        Link l = transport.open("127.0.0.1:" + port, rec);
        Event e = rec.next();
        assertThat(e.kind()).isEqualTo("disconnected");
        assertThat(e.cause()).isEqualTo(DisconnectCause.CONNECT_FAILED);
        assertThat(e.detail()).contains("127.0.0.1:" + port).containsIgnoringCase("refused");
        assertThat(e.onLoop()).isTrue();
        assertThat(l.isConnected()).isFalse();
        assertThat(l.send(ByteBuffer.wrap(Tcp.ping(1)))).as("nothing to send on").isFalse();
    }

    /**
     * A scoped IPv6 literal whose interface does not exist cannot be connected to: every dial is
     * CONNECT_FAILED, on the loop, and the link keeps trying (a dial that threw on the loop used to
     * stop the link for good, with nothing reported). Nothing is sent anywhere: the address stays
     * unresolved, so no socket ever connects.
     */
    @Test
    void aScopedLiteralOnNoSuchInterfaceFailsToConnectAndIsRetried() throws Exception {
        Link l = transport.open("[fe80::1%nosuchif0]:7", rec);
        for (int attempt = 0; attempt < 2; attempt++) {
            Event e = rec.next();
            assertThat(e.kind()).as("attempt %d", attempt).isEqualTo("disconnected");
            assertThat(e.cause()).isEqualTo(DisconnectCause.CONNECT_FAILED);
            assertThat(e.detail()).contains("[fe80::1%nosuchif0]:7").contains("nosuchif0");
            assertThat(e.onLoop()).isTrue();
        }
        assertThat(l.isConnected()).isFalse();
    }

    /** A host name is looked up on the resolver thread (never on the event loop), then dialled. */
    @Test
    void hostNamesAreResolvedOffTheLoopAndConnect() throws Exception {
        try (ServerSocket ss = new ServerSocket(0)) {
            Link l = transport.open("localhost:" + ss.getLocalPort(), rec);
            try (Socket s = ss.accept()) {
                Event e = rec.next();
                assertThat(e.kind()).isEqualTo("connected");
                assertThat(e.onLoop()).isTrue();
                assertThat(l.isConnected()).isTrue();
            }
        }
    }

    @Test
    void orderlyCloseByPeerIsClosedByPeer() throws Exception {
        try (ServerSocket ss = new ServerSocket(0)) {
            Link l = open(ss);
            try (Socket s = ss.accept()) {
                assertThat(rec.next().kind()).isEqualTo("connected");
                assertThat(l.isConnected()).isTrue();
                assertThat(l.describe()).isEqualTo(transport.name() + " 127.0.0.1:" + ss.getLocalPort());
            }
            Event e = rec.next();
            assertThat(e.cause()).isEqualTo(DisconnectCause.CLOSED_BY_PEER);
            assertThat(e.onLoop()).isTrue();
        }
    }

    @Test
    void resetByPeerIsReset() throws Exception {
        try (ServerSocket ss = new ServerSocket(0)) {
            open(ss);
            Socket s = ss.accept();
            assertThat(rec.next().kind()).isEqualTo("connected");
            s.setSoLinger(true, 0);
            s.close(); // RST
            Event e = rec.next();
            assertThat(e.cause()).isEqualTo(DisconnectCause.RESET);
            assertThat(e.detail()).containsIgnoringCase("reset");
        }
    }

    @Test
    void garbageIsProtocolErrorAndTheLinkClosesTheConnection() throws Exception {
        try (ServerSocket ss = new ServerSocket(0)) {
            open(ss);
            try (Socket s = ss.accept()) {
                assertThat(rec.next().kind()).isEqualTo("connected");
                s.getOutputStream().write("SSH-2.0-OpenSSH_9.6\r\n".getBytes(StandardCharsets.US_ASCII));
                Event e = rec.next();
                assertThat(e.cause()).isEqualTo(DisconnectCause.PROTOCOL_ERROR);
                assertThat(e.detail()).contains("magic");
                s.setSoTimeout(5_000);
                assertThat(s.getInputStream().read()).as("the link closed its side").isEqualTo(-1);
            }
        }
    }

    @Test
    void framesArriveWholeWhateverTheSegmentation() throws Exception {
        Frame pong = new Frame().pong(42, 1, 0, "peer", 7, 0, dev.heartbeat.protocol.ServingStatus.SERVING, 0,
                dev.heartbeat.protocol.LoadReport.UNKNOWN);
        ByteBuffer b = ByteBuffer.allocate(FrameCodec.MAX_FRAME_LENGTH);
        FrameCodec.encode(pong, b);
        byte[] one = new byte[b.flip().remaining()];
        b.get(one);
        try (ServerSocket ss = new ServerSocket(0)) {
            Link l = open(ss);
            try (Socket s = ss.accept()) {
                s.setTcpNoDelay(true);
                assertThat(rec.next().kind()).isEqualTo("connected");
                OutputStream out = s.getOutputStream();
                byte[] two = new byte[one.length * 2];
                System.arraycopy(one, 0, two, 0, one.length);
                System.arraycopy(one, 0, two, one.length, one.length);
                out.write(two, 0, 5); // split inside the header
                out.flush();
                out.write(two, 5, one.length + 3); // rest of frame 1, start of frame 2
                out.flush();
                out.write(two, one.length + 8, one.length - 8);
                out.flush();
                for (int i = 0; i < 2; i++) {
                    Event e = rec.next();
                    assertThat(e.kind()).isEqualTo("frame");
                    assertThat(e.frame()).isEqualTo(one);
                }
                // and a frame the link sends arrives whole at the peer
                assertThat(l.send(ByteBuffer.wrap(Tcp.ping(9)))).isTrue();
                s.setSoTimeout(5_000);
                Frame got = Tcp.readFrame(s.getInputStream());
                assertThat(got.type()).isEqualTo(FrameType.PING);
                assertThat(got.sequence()).isEqualTo(9);
            }
        }
    }

    /** More frames in one write than one read takes (reads are 2,048 bytes): every frame arrives whole, in order. */
    @Test
    void framesSpanningReadsArriveWholeAndInOrder() throws Exception {
        List<byte[]> sent = new ArrayList<>();
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < 60; i++) {
            Frame pong = new Frame().pong(42, i, 0, "peer-" + i, 7, 0, dev.heartbeat.protocol.ServingStatus.SERVING, 0,
                    dev.heartbeat.protocol.LoadReport.UNKNOWN);
            ByteBuffer b = ByteBuffer.allocate(FrameCodec.MAX_FRAME_LENGTH);
            FrameCodec.encode(pong, b);
            byte[] one = new byte[b.flip().remaining()];
            b.get(one);
            sent.add(one);
            all.write(one);
        }
        assertThat(all.size()).isGreaterThan(2 * 2_048);
        try (ServerSocket ss = new ServerSocket(0)) {
            open(ss);
            try (Socket s = ss.accept()) {
                assertThat(rec.next().kind()).isEqualTo("connected");
                s.getOutputStream().write(all.toByteArray());
                s.getOutputStream().flush();
                for (byte[] one : sent) {
                    Event e = rec.next();
                    assertThat(e.kind()).isEqualTo("frame");
                    assertThat(e.frame()).isEqualTo(one);
                }
            }
        }
    }

    /**
     * A peer whose every segment ends inside a frame (each within the rate, each frame whole in
     * the end) keeps a partial frame in the link's cumulation at every read. The bytes already
     * handed on must not stay in it: the buffer should stay near one frame plus one read, not grow
     * by every byte the connection ever received.
     */
    @Test
    void theCumulationDoesNotGrowWithTheBytesAlreadyFramed() throws Exception {
        Frame pong = new Frame().pong(42, 1, 0, "peer", 7, 0, dev.heartbeat.protocol.ServingStatus.SERVING, 0,
                dev.heartbeat.protocol.LoadReport.UNKNOWN);
        ByteBuffer b = ByteBuffer.allocate(FrameCodec.MAX_FRAME_LENGTH);
        FrameCodec.encode(pong, b);
        byte[] one = new byte[b.flip().remaining()];
        b.get(one);
        int half = one.length / 2;
        int rounds = 400;
        try (ServerSocket ss = new ServerSocket(0)) {
            Link link = open(ss);
            try (Socket s = ss.accept()) {
                s.setTcpNoDelay(true);
                assertThat(rec.next().kind()).isEqualTo("connected");
                OutputStream out = s.getOutputStream();
                out.write(one, 0, half);
                out.flush();
                for (int i = 0; i < rounds; i++) {
                    // the rest of one frame and the start of the next, in one segment
                    byte[] seg = new byte[one.length];
                    System.arraycopy(one, half, seg, 0, one.length - half);
                    System.arraycopy(one, 0, seg, one.length - half, half);
                    out.write(seg);
                    out.flush();
                    Event e = rec.next(); // the read happened: the frame it completed arrived
                    assertThat(e.kind()).isEqualTo("frame");
                }
                java.util.concurrent.CompletableFuture<Integer> capacity = new java.util.concurrent.CompletableFuture<>();
                link.scheduler().execute(() -> {
                    try {
                        java.lang.reflect.Field f = TcpLink.class.getDeclaredField("cumulation");
                        f.setAccessible(true);
                        io.netty.buffer.ByteBuf c = (io.netty.buffer.ByteBuf) f.get(link);
                        capacity.complete(c == null ? 0 : c.capacity());
                    } catch (ReflectiveOperationException ex) {
                        capacity.completeExceptionally(ex);
                    }
                });
                int cap = capacity.get(10, TimeUnit.SECONDS);
                assertThat((long) rounds * one.length).isGreaterThan(8 * 2_048);
                assertThat(cap).as("cumulation capacity after %d bytes framed", rounds * one.length)
                        .isLessThanOrEqualTo(2 * 2_048);
            }
        }
    }

    @Test
    void aPeerThatStopsReadingMakesTheLinkUnwritableAndReadingAgainWritable() throws Exception {
        try (TcpClientTransport t = TcpClientTransport.builder().writeBufferWaterMark(1024, 4096).build();
             ServerSocket ss = new ServerSocket(0)) {
            Recorder r = new Recorder();
            Link l = t.open("127.0.0.1:" + ss.getLocalPort(), r);
            try (Socket s = ss.accept()) { // and never reads, for now
                assertThat(r.next().kind()).isEqualTo("connected");
                byte[] ping = Tcp.ping(1);
                // Fill the kernel's buffers on both sides, then Netty's, from the link's own thread.
                java.util.concurrent.CompletableFuture<Integer> sent = new java.util.concurrent.CompletableFuture<>();
                l.scheduler().execute(() -> {
                    int n = 0;
                    while (l.isWritable() && n < 2_000_000) {
                        l.send(ByteBuffer.wrap(ping));
                        n++;
                    }
                    sent.complete(n);
                });
                assertThat(sent.get(30, TimeUnit.SECONDS)).isLessThan(2_000_000);
                Event e = r.next();
                assertThat(e.kind()).isEqualTo("unwritable");
                assertThat(e.onLoop()).isTrue();
                assertThat(l.isWritable()).isFalse();
                // The peer reads again: the backlog drains, the link is writable again.
                Thread reader = new Thread(() -> {
                    try {
                        Tcp.drain(s.getInputStream());
                    } catch (java.io.IOException ignored) {
                        // closed at the end of the test
                    }
                });
                reader.setDaemon(true);
                reader.start();
                assertThat(r.next().kind()).isEqualTo("writable");
                assertThat(l.isWritable()).isTrue();
            }
        }
    }

    @Test
    void closeReportsClosedLocallyOnceAndStopsReconnecting() throws Exception {
        try (ServerSocket ss = new ServerSocket(0)) {
            Link l = open(ss);
            try (Socket s = ss.accept()) {
                assertThat(rec.next().kind()).isEqualTo("connected");
                l.close();
                l.close();
                Event e = rec.next();
                assertThat(e.cause()).isEqualTo(DisconnectCause.CLOSED_LOCALLY);
                s.setSoTimeout(5_000);
                assertThat(s.getInputStream().read()).isEqualTo(-1);
            }
            ss.setSoTimeout(300);
            assertThat(rec.events.poll(300, TimeUnit.MILLISECONDS)).as("nothing after CLOSED_LOCALLY").isNull();
            assertThat(transport.linkCount()).isZero();
        }
    }

    /**
     * Regression: a link closed while its connect was still pending threw a NullPointerException
     * on the event loop (cancelling the attempt ran its listener, which cleared the field being
     * used) and the CLOSED_LOCALLY callback was lost. The window is the time between the dial
     * and Netty's own connect task, so close() is swept across it: each of the 400 links closes
     * after a different short spin, and every one must report CLOSED_LOCALLY exactly once.
     */
    /**
     * A connect that the peer's kernel never completes (its accept queue is full, the SYN is
     * dropped) fails after the connect timeout with CONNECT_FAILED, and the link dials again.
     */
    @Test
    void aConnectThatHangsFailsAfterTheConnectTimeout() throws Exception {
        try (TcpClientTransport t = TcpClientTransport.builder().eventLoopThreads(1)
                .connectTimeout(Duration.ofMillis(300))
                .reconnect(Duration.ofMillis(20), Duration.ofMillis(50), Duration.ofSeconds(5)).build();
             ServerSocket ss = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"));
             PendingConnects fill = PendingConnects.fill(ss)) {
            Recorder r = new Recorder();
            long start = System.nanoTime();
            t.open("127.0.0.1:" + ss.getLocalPort(), r);
            for (int attempt = 0; attempt < 2; attempt++) {
                Event e = r.next();
                assertThat(e.kind()).isEqualTo("disconnected");
                assertThat(e.cause()).isEqualTo(DisconnectCause.CONNECT_FAILED);
                assertThat(e.detail()).contains("127.0.0.1:" + ss.getLocalPort()).contains("timed out after 300 ms");
                assertThat(e.onLoop()).isTrue();
                assertThat(e.nanos() - start).as("attempt %d fails no sooner than the timeout", attempt)
                        .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(300) * (attempt + 1));
            }
        }
    }

    @Test
    void closeWhileTheConnectIsPendingReportsClosedLocally() throws Exception {
        try (TcpClientTransport t = TcpClientTransport.builder().eventLoopThreads(1).build();
             ServerSocket ss = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"));
             PendingConnects fill = PendingConnects.fill(ss)) {
            for (int i = 0; i < 400; i++) {
                Recorder r = new Recorder();
                Link l = t.open("127.0.0.1:" + ss.getLocalPort(), r);
                long until = System.nanoTime() + (i % 100) * 2_000L; // 0..198 µs
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
                l.close();
                Event e = r.events.poll(5, TimeUnit.SECONDS);
                assertThat(e).as("link %d: a CLOSED_LOCALLY within 5 s", i).isNotNull();
                assertThat(e.cause()).as("link %d", i).isEqualTo(DisconnectCause.CLOSED_LOCALLY);
                assertThat(e.onLoop()).isTrue();
            }
            assertThat(t.linkCount()).isZero();
        }
    }

    /**
     * Fills a never-accepting listener's accept queue with plain connections, so the kernel
     * drops the next SYN and a further connect stays pending (it retransmits the SYN after 1 s).
     */
    static final class PendingConnects implements AutoCloseable {
        private final List<java.nio.channels.SocketChannel> open = new ArrayList<>();

        static PendingConnects fill(ServerSocket ss) throws Exception {
            PendingConnects p = new PendingConnects();
            for (int i = 0; i < 16; i++) { // backlog 1 holds two connections on Linux; bounded anyway
                java.nio.channels.SocketChannel c = java.nio.channels.SocketChannel.open();
                p.open.add(c);
                c.configureBlocking(false);
                if (c.connect(ss.getLocalSocketAddress())) {
                    continue;
                }
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
                boolean done = false;
                while (!done && System.nanoTime() < deadline) {
                    done = c.finishConnect();
                    if (!done) {
                        Thread.sleep(5);
                    }
                }
                if (!done) {
                    return p; // this one is pending: the queue is full
                }
            }
            throw new AssertionError("could not fill the accept queue of " + ss);
        }

        @Override
        public void close() throws Exception {
            for (java.nio.channels.SocketChannel c : open) {
                c.close();
            }
        }
    }

    /**
     * A peer that floods frames: those over the link's rate are dropped before the handler sees
     * them, and a flood that lasts closes the connection (PROTOCOL_ERROR) and the link reconnects.
     * The flood is bounded: at most 10 s or 2,000 batches, and it stops when the link hangs up.
     */
    @Test
    void aFloodOfInboundFramesIsDroppedThenTheConnectionIsClosedAndRedialled() throws Exception {
        Frame pong = new Frame().pong(42, 1, 0, "flooder", 7, 0, dev.heartbeat.protocol.ServingStatus.SERVING, 0,
                dev.heartbeat.protocol.LoadReport.UNKNOWN);
        ByteBuffer b = ByteBuffer.allocate(FrameCodec.MAX_FRAME_LENGTH);
        FrameCodec.encode(pong, b);
        byte[] one = new byte[b.flip().remaining()];
        b.get(one);
        byte[] batch = new byte[one.length * 100];
        for (int i = 0; i < 100; i++) {
            System.arraycopy(one, 0, batch, i * one.length, one.length);
        }
        try (TcpClientTransport t = TcpClientTransport.builder().maxInboundFrameRate(100).inboundFrameBurst(10)
                .floodCloseAfter(Duration.ofSeconds(1))
                .reconnect(Duration.ofMillis(20), Duration.ofMillis(200), Duration.ofSeconds(5)).build();
             ServerSocket ss = new ServerSocket(0)) {
            Recorder r = new Recorder();
            t.open("127.0.0.1:" + ss.getLocalPort(), r);
            long start;
            try (Socket s = ss.accept()) {
                assertThat(r.next().kind()).isEqualTo("connected");
                start = System.nanoTime();
                OutputStream out = s.getOutputStream();
                long deadline = start + Duration.ofSeconds(10).toNanos();
                for (int i = 0; i < 2_000 && System.nanoTime() < deadline && t.stats().floodCloses() == 0; i++) {
                    try {
                        out.write(batch); // 100 frames per ~5 ms: ≈200 × the link's rate
                        Thread.sleep(5);
                    } catch (java.io.IOException e) {
                        break; // the link hung up
                    }
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            int frames = 0;
            Event e;
            while ((e = r.next()).kind().equals("frame")) {
                frames++;
            }
            assertThat(e.kind()).isEqualTo("disconnected");
            assertThat(e.cause()).isEqualTo(DisconnectCause.PROTOCOL_ERROR);
            assertThat(e.detail()).contains("inbound frame flood");
            assertThat(frames).isGreaterThanOrEqualTo(10).isLessThanOrEqualTo(10 + (int) Math.ceil(100 * seconds) + 1);
            TcpClientTransport.Stats st = t.stats();
            assertThat(st.floodCloses()).isEqualTo(1);
            assertThat(st.framesDropped()).isPositive();
            try (Socket again = ss.accept()) { // the link dials again
                assertThat(r.next().kind()).isEqualTo("connected");
            }
        }
    }

    /**
     * The link keeps no flood guard while frames come at least one period apart, makes one when
     * they come faster, and drops it once it is full and no flood streak is open — and at every
     * frame decides exactly what a guard kept for the whole connection decides: honest spacing,
     * bursts, quiet spells, a bursty flood that must still be closed, and a seeded random mix.
     */
    @Test
    void theInboundGuardIsMadeOnlyWhenNeededAndDecidesAsAGuardKeptThroughout() throws Exception {
        long ms = 1_000_000L;
        try (TcpClientTransport t = TcpClientTransport.builder().maxInboundFrameRate(100).inboundFrameBurst(5)
                .floodCloseAfter(Duration.ofSeconds(1)).build();
             ServerSocket ss = new ServerSocket(0)) {
            Recorder r = new Recorder();
            TcpLink link = (TcpLink) t.open("127.0.0.1:" + ss.getLocalPort(), r);
            try (Socket s = ss.accept()) {
                assertThat(r.next().kind()).isEqualTo("connected");
                java.util.concurrent.CompletableFuture<String> done = new java.util.concurrent.CompletableFuture<>();
                link.scheduler().execute(() -> { // the guard is loop-confined
                    try {
                        long t0 = 1_000_000 * ms;
                        dev.heartbeat.tcp.internal.FloodGuard reference = new dev.heartbeat.tcp.internal.FloodGuard(
                                10 * ms, 5, 1_000 * ms, TcpClientTransport.FLOOD_GAP_NANOS, t0);
                        long now = t0;
                        int closes = 0;
                        // honest: one frame a second, never a guard
                        for (int i = 0; i < 50; i++) {
                            now += 1_000 * ms;
                            assertThat(link.admit(now)).isEqualTo(reference.onFrame(now));
                            assertThat(link.hasInboundGuard()).as("honest frame %d", i).isFalse();
                        }
                        // a burst: a guard appears at the first frame under one period, and drops set in
                        int drops = 0;
                        for (int i = 0; i < 20; i++) {
                            now += ms;
                            dev.heartbeat.tcp.internal.FloodGuard.Verdict v = link.admit(now);
                            assertThat(v).as("burst frame %d", i).isEqualTo(reference.onFrame(now));
                            assertThat(link.hasInboundGuard()).isTrue();
                            drops += v == dev.heartbeat.tcp.internal.FloodGuard.Verdict.PASS ? 0 : 1;
                        }
                        assertThat(drops).as("over the burst of 5 (and the credit regained)").isPositive();
                        // quiet for 2 s: the next frame finds the guard idle and it is dropped again
                        now += 2_000 * ms;
                        assertThat(link.admit(now)).isEqualTo(reference.onFrame(now));
                        assertThat(link.hasInboundGuard()).isFalse();
                        // a bursty flood: 20 frames every 150 ms. The guard refills between bursts, but
                        // the streak stays open (drops < 1 s apart), so it is kept and the flood closes.
                        for (int b = 0; b < 20; b++) {
                            now += 150 * ms;
                            for (int i = 0; i < 20; i++) {
                                now += ms / 10;
                                dev.heartbeat.tcp.internal.FloodGuard.Verdict v = link.admit(now);
                                assertThat(v).as("flood burst %d frame %d", b, i).isEqualTo(reference.onFrame(now));
                                closes += v == dev.heartbeat.tcp.internal.FloodGuard.Verdict.CLOSE ? 1 : 0;
                            }
                        }
                        assertThat(closes).as("a flood over 1 s is closed").isPositive();
                        // a seeded random mix of spacings around the period
                        Random rnd = new Random(11);
                        for (int i = 0; i < 5_000; i++) {
                            int k = rnd.nextInt(10);
                            now += k < 6 ? rnd.nextInt((int) (3 * 10 * ms)) : k < 9 ? rnd.nextInt((int) ms) : 1_500 * ms;
                            assertThat(link.admit(now)).as("mixed frame %d", i).isEqualTo(reference.onFrame(now));
                        }
                        done.complete("ok");
                    } catch (Throwable e) {
                        done.completeExceptionally(e);
                    }
                });
                assertThat(done.get(10, TimeUnit.SECONDS)).isEqualTo("ok");
            }
        }
    }

    /** The transport counts its open links, whichever order they are closed in, each once however often. */
    @Test
    void theTransportKeepsTrackOfItsOpenLinks() throws Exception {
        int port;
        try (ServerSocket ss = new ServerSocket(0)) {
            port = ss.getLocalPort(); // refused from now on: the links keep redialling
        }
        List<Link> links = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            links.add(transport.open("127.0.0.1:" + port, rec));
        }
        assertThat(transport.linkCount()).isEqualTo(5);
        for (int i : new int[] {2, 4, 0, 0, 2}) { // the middle, the first opened, the last opened, and twice
            links.get(i).close();
        }
        assertThat(transport.linkCount()).isEqualTo(2);
        links.get(1).close();
        links.get(3).close();
        assertThat(transport.linkCount()).isZero();
        Link again = transport.open("127.0.0.1:" + port, rec);
        assertThat(transport.linkCount()).isEqualTo(1);
        transport.close();
        assertThat(transport.linkCount()).as("closing the transport closes its links").isZero();
        assertThat(again.isConnected()).isFalse();
    }

    @Test
    void reconnectsAfterALostConnection() throws Exception {
        try (ServerSocket ss = new ServerSocket(0)) {
            open(ss);
            ss.accept().close();
            assertThat(rec.next().kind()).isEqualTo("connected");
            assertThat(rec.next().cause()).isEqualTo(DisconnectCause.CLOSED_BY_PEER);
            try (Socket again = ss.accept()) {
                assertThat(rec.next().kind()).isEqualTo("connected");
            }
        }
    }

    /**
     * The transport draws its reconnect delays from the builder's Random: with a seeded one, the
     * gap between two failed attempts is never shorter than the delay the same seed gives a
     * reference {@link dev.heartbeat.engine.spi.ReconnectBackoff} (timers never fire early). The exact
     * schedule is checked on virtual time in {@code ReconnectLoopTest}.
     */
    @Test
    void reconnectDelaysComeFromTheSeededBackoff() throws Exception {
        long seed = 20261124L;
        Duration base = Duration.ofMillis(20);
        Duration cap = Duration.ofMillis(160);
        int port;
        try (ServerSocket ss = new ServerSocket(0)) {
            port = ss.getLocalPort();
        }
        try (TcpClientTransport t = TcpClientTransport.builder().eventLoopThreads(1).reconnect(base, cap, Duration.ofSeconds(5))
                .reconnectRandom(new Random(seed)).build()) {
            Recorder r = new Recorder();
            Link l = t.open("127.0.0.1:" + port, r);
            List<Long> failures = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                Event e = r.next();
                assertThat(e.cause()).isEqualTo(DisconnectCause.CONNECT_FAILED);
                failures.add(e.nanos());
            }
            l.close();
            dev.heartbeat.engine.spi.ReconnectBackoff ref = new dev.heartbeat.engine.spi.ReconnectBackoff(base, cap,
                    Duration.ofSeconds(5), new Random(seed));
            for (int i = 0; i + 1 < failures.size(); i++) {
                long expected = ref.nextDelayNanos();
                assertThat(failures.get(i + 1) - failures.get(i)).as("gap %d", i).isGreaterThanOrEqualTo(expected);
            }
        }
    }

    @Test
    void addressesAreParsedWithClearErrors() {
        assertThatThrownBy(() -> transport.open("localhost", rec))
                .hasMessage("address : 'localhost' has no port (expected: host:port)");
        assertThatThrownBy(() -> transport.open("::1:7070", rec))
                .hasMessageContaining("without brackets (expected: [ipv6]:port)");
        assertThatThrownBy(() -> transport.open("[::1]:99999", rec))
                .hasMessage("address : '[::1]:99999' port 99999 (expected: 1..65535)");
        assertThatThrownBy(() -> transport.open("host:http", rec))
                .hasMessage("address : 'host:http' port 'http' is not a number (expected: 1..65535)");
        assertThatThrownBy(() -> transport.open("[::1", rec)).hasMessageContaining("no closing ']'");
        assertThatThrownBy(() -> transport.open("", rec)).hasMessageContaining("expected: host:port");
        assertThat(transport.linkCount()).isZero();
    }

    @Test
    void ipv6LiteralsConnect() throws Exception {
        ServerSocket ss;
        try {
            ss = new ServerSocket(0, 50, java.net.InetAddress.getByName("::1"));
        } catch (java.io.IOException e) {
            org.junit.jupiter.api.Assumptions.abort("no IPv6 loopback here: " + e.getMessage());
            return;
        }
        try (ss) {
            transport.open("[::1]:" + ss.getLocalPort(), rec);
            try (Socket s = ss.accept()) {
                assertThat(rec.next().kind()).isEqualTo("connected");
            }
        }
    }

    @Test
    void builderRejectsBadValuesNamingThem() {
        TcpClientTransport.Builder b = TcpClientTransport.builder();
        assertThatThrownBy(() -> b.eventLoopThreads(0)).hasMessage("eventLoopThreads : 0 (expected: 1..1024)");
        assertThatThrownBy(() -> b.connectTimeout(Duration.ZERO)).hasMessageStartingWith("connectTimeout : PT0S");
        assertThatThrownBy(() -> b.writeBufferWaterMark(10, 5)).hasMessageStartingWith("writeBufferWaterMark : low 10, high 5");
        assertThatThrownBy(() -> b.reconnect(Duration.ofSeconds(1), Duration.ofMillis(10), Duration.ZERO))
                .hasMessageContaining("reconnect cap");
        assertThatThrownBy(() -> b.maxInboundFrameRate(0)).hasMessage("maxInboundFrameRate : 0.0 (expected: 1..1000000 per second)");
        assertThatThrownBy(() -> b.inboundFrameBurst(0)).hasMessage("inboundFrameBurst : 0 (expected: 1..100000)");
        assertThatThrownBy(() -> b.floodCloseAfter(Duration.ofHours(2)))
                .hasMessage("floodCloseAfter : PT2H (expected: 0 or PT1S..PT1H)");
        assertThat(TcpClientTransport.DEFAULT_MAX_INBOUND_FRAME_RATE).isEqualTo(5_000);
        assertThat(TcpClientTransport.DEFAULT_INBOUND_FRAME_BURST).isEqualTo(500);
    }
}
