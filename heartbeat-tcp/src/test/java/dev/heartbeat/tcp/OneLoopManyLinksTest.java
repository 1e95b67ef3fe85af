package dev.heartbeat.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.heartbeat.engine.spi.DisconnectCause;
import dev.heartbeat.engine.spi.Link;
import dev.heartbeat.protocol.Frame;
import dev.heartbeat.protocol.FrameCodec;
import dev.heartbeat.protocol.LoadReport;
import dev.heartbeat.protocol.ServingStatus;
import dev.heartbeat.tcp.TcpLinkTest.Event;
import dev.heartbeat.tcp.TcpLinkTest.Recorder;
import dev.heartbeat.tcp.internal.ChannelOptions;
import dev.heartbeat.tcp.internal.LoopReadAllocator;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.RecvByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Many links on one event loop share one read handle ({@link dev.heartbeat.tcp.internal.LoopReadAllocator}):
 * their reads interleave — frames cut anywhere, a frame's start waiting in one link while the
 * others read, a connection closed inside a read, another reset with a partial frame pending —
 * and every link still gets exactly its own frames, whole and in order. With two loops, each
 * loop's channels read with that loop's handle, one per loop; the responder server's accepted
 * channels too, on loops other than the acceptor's.
 */
class OneLoopManyLinksTest {

    private static final int LINKS = 8;
    /** Event loops of the transport: the links are spread over them, round-robin. */
    private static final int LOOPS = 2;
    private static final LoopReadAllocator RECV = (LoopReadAllocator) ChannelOptions.RECV_ALLOCATOR;
    private static final int FRAMES = 30;

    private static byte[] frame(int socket, int seq) {
        Frame pong = new Frame().pong(42, seq, 0, "s" + socket, 7, 0, ServingStatus.SERVING, 0, LoadReport.UNKNOWN);
        ByteBuffer b = ByteBuffer.allocate(FrameCodec.MAX_FRAME_LENGTH);
        FrameCodec.encode(pong, b);
        byte[] one = new byte[b.flip().remaining()];
        b.get(one);
        return one;
    }

    @ParameterizedTest(name = "preferNio={0}")
    @ValueSource(booleans = {false, true})
    void interleavedReadsOnOneLoopKeepEveryLinksFramesApart(boolean preferNio) throws Exception {
        try (TcpClientTransport transport = TcpClientTransport.builder().eventLoopThreads(LOOPS).preferNio(preferNio)
                .reconnect(java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(10),
                        java.time.Duration.ofSeconds(5))
                .build();
             ServerSocket ss = new ServerSocket(0)) {
            if (!preferNio) {
                assumeTrue(transport.name().equals("tcp/epoll"), "epoll requested but not loaded: " + transport.name());
            }
            Recorder[] recs = new Recorder[LINKS];
            Link[] links = new Link[LINKS];
            Socket[] socks = new Socket[LINKS];
            for (int i = 0; i < LINKS; i++) {
                recs[i] = new Recorder();
                links[i] = transport.open("127.0.0.1:" + ss.getLocalPort(), recs[i]);
            }
            for (int i = 0; i < LINKS; i++) {
                socks[i] = ss.accept();
                socks[i].setTcpNoDelay(true);
            }
            for (Recorder r : recs) {
                assertThat(r.next().kind()).isEqualTo("connected");
            }
            byte[][][] frames = new byte[LINKS][FRAMES][];
            byte[][] streams = new byte[LINKS][];
            for (int s = 0; s < LINKS; s++) {
                ByteArrayOutputStream all = new ByteArrayOutputStream();
                for (int k = 0; k < FRAMES; k++) {
                    frames[s][k] = frame(s, k);
                    all.write(frames[s][k]);
                }
                streams[s] = all.toByteArray();
            }

            // Socket 0: two whole frames and garbage in one write, amid the others' pieces — the link
            // closes the connection inside that read. Socket 1: a frame and half of the next, reset
            // later with the half in the link. The others: their streams in pieces of 1..150 bytes,
            // round-robin, so partial frames wait in several links while the loop reads the rest.
            ByteArrayOutputStream bad = new ByteArrayOutputStream();
            bad.write(frames[0][0]);
            bad.write(frames[0][1]);
            bad.write("SSH-2.0-OpenSSH_9.6\r\n".getBytes(StandardCharsets.US_ASCII));
            bad.write(frames[0][2]);
            Random random = new Random(11);
            int[] sent = new int[LINKS];
            boolean more = true;
            int round = 0;
            while (more) {
                more = false;
                for (int s = 2; s < LINKS; s++) {
                    if (sent[s] < streams[s].length) {
                        int n = Math.min(1 + random.nextInt(150), streams[s].length - sent[s]);
                        socks[s].getOutputStream().write(streams[s], sent[s], n);
                        socks[s].getOutputStream().flush();
                        sent[s] += n;
                        more = true;
                    }
                }
                if (round == 3) {
                    socks[0].getOutputStream().write(bad.toByteArray());
                    socks[0].getOutputStream().flush();
                }
                if (round == 5) {
                    OutputStream o = socks[1].getOutputStream();
                    o.write(frames[1][0]);
                    o.write(frames[1][1], 0, frames[1][1].length / 2);
                    o.flush();
                }
                round++;
            }
            assertThat(round).as("rounds enough for both victims").isGreaterThan(6);

            // Which recorder is which socket: by its first frame.
            Map<Recorder, Integer> socketOf = new IdentityHashMap<>();
            for (Recorder r : recs) {
                Event first = r.next();
                assertThat(first.kind()).isEqualTo("frame");
                int s = -1;
                for (int c = 0; c < LINKS; c++) {
                    if (Arrays.equals(first.frame(), frames[c][0])) {
                        s = c;
                    }
                }
                assertThat(s).as("the first frame is some socket's first frame").isNotNegative();
                socketOf.put(r, s);
            }
            assertThat(new HashSet<>(socketOf.values())).as("one link per socket").hasSize(LINKS);

            // Socket 1 resets with half a frame pending while the survivors send one more frame each.
            socks[1].setSoLinger(true, 0);
            socks[1].close();
            for (int s = 2; s < LINKS; s++) {
                socks[s].getOutputStream().write(frame(s, 99));
                socks[s].getOutputStream().flush();
            }

            for (Recorder r : recs) {
                int s = socketOf.get(r);
                if (s == 0) {
                    assertThat(r.next().frame()).isEqualTo(frames[0][1]);
                    Event lost = r.next();
                    assertThat(lost.kind()).as("nothing after the garbage").isEqualTo("disconnected");
                    assertThat(lost.cause()).isEqualTo(DisconnectCause.PROTOCOL_ERROR);
                } else if (s == 1) {
                    Event lost = r.next();
                    assertThat(lost.kind()).as("half a frame never arrives").isEqualTo("disconnected");
                    assertThat(lost.cause()).isEqualTo(DisconnectCause.RESET);
                } else {
                    for (int k = 1; k < FRAMES; k++) {
                        Event e = r.next();
                        assertThat(e.kind()).isEqualTo("frame");
                        assertThat(e.frame()).as("socket %d frame %d", s, k).isEqualTo(frames[s][k]);
                    }
                    assertThat(r.next().frame()).as("socket %d, after the closes", s).isEqualTo(frame(s, 99));
                    assertThat(r.events.poll(50, TimeUnit.MILLISECONDS)).as("nothing else for socket %d", s).isNull();
                }
            }

            // And each loop's links read with that loop's handle: one per loop, not one per link.
            List<Channel> channels = new ArrayList<>();
            for (Link l : links) {
                Channel ch = channelOf(l);
                if (ch != null) {
                    channels.add(ch);
                }
            }
            assertReadWithTheirLoopsHandles(channels);
            // Nor does any keep its own copy of the literal's text in its remote address (Addresses.literal).
            Set<String> names = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
            for (Link l : links) {
                Channel ch = channelOf(l);
                if (ch != null) {
                    names.add(((java.net.InetSocketAddress) ch.remoteAddress()).getHostString());
                }
            }
            assertThat(names).hasSize(1).allSatisfy(n -> assertThat(n).isEmpty());
            for (Channel ch : channels) { // so Netty's channel toString shows it unnamed
                assertThat(ch.toString()).contains("R:/127.0.0.1:" + ss.getLocalPort());
            }
            for (int s = 2; s < LINKS; s++) {
                socks[s].close();
            }
            socks[0].close();
        }
    }

    /**
     * The responder server's accepted channels (made on the acceptor's loop, then registered with
     * loops of their own) read with the handle of the loop they read on, one per loop.
     */
    @ParameterizedTest(name = "preferNio={0}")
    @ValueSource(booleans = {false, true})
    void acceptedChannelsOnLoopsOtherThanTheAcceptorsReadWithTheirOwnLoopsHandle(boolean preferNio) throws Exception {
        try (TcpResponderServer server = TcpResponderServer.builder(Tcp.responder("srv")).host("127.0.0.1").port(0)
                .eventLoopThreads(LOOPS + 1).preferNio(preferNio).closeGrace(java.time.Duration.ofSeconds(1)).bind()) {
            if (!preferNio) {
                assumeTrue(server.transportName().equals("tcp/epoll"),
                        "epoll requested but not loaded: " + server.transportName());
            }
            Socket[] socks = new Socket[2 * (LOOPS + 1)];
            try {
                for (int i = 0; i < socks.length; i++) {
                    socks[i] = new Socket("127.0.0.1", server.port());
                    socks[i].setSoTimeout(5_000);
                    socks[i].setTcpNoDelay(true);
                    socks[i].getOutputStream().write(Tcp.ping(i + 1));
                    socks[i].getOutputStream().flush();
                    Frame pong = Tcp.readFrame(socks[i].getInputStream()); // the child channel has read
                    assertThat(pong).isNotNull();
                    assertThat(pong.echoSequence()).isEqualTo(i + 1);
                }
                List<Channel> children = new ArrayList<>();
                for (Object c : (Set<?>) field(TcpResponderServer.class, "open").get(server)) {
                    children.add(((ResponderConnection) c).channel());
                }
                assertThat(children).hasSize(socks.length);
                Channel listener = (Channel) field(TcpResponderServer.class, "listener").get(server);
                assertThat(children).as("some accepted channels live on loops other than the acceptor's")
                        .anySatisfy(ch -> assertThat(ch.eventLoop()).isNotSameAs(listener.eventLoop()));
                assertReadWithTheirLoopsHandles(children);
            } finally {
                for (Socket s : socks) {
                    if (s != null) {
                        s.close();
                    }
                }
            }
        }
    }

    /**
     * Every channel holds the allocator's one forwarding handle (behind epoll's per-channel
     * wrapper), and what it forwards to on the channel's loop is that loop's own handle: one
     * distinct handle per loop, over at least two loops, each of which has read (a handle that
     * never read has recorded no read at all).
     */
    private static void assertReadWithTheirLoopsHandles(List<Channel> channels) throws Exception {
        Map<EventLoop, RecvByteBufAllocator.Handle> perLoop = new IdentityHashMap<>();
        for (Channel ch : channels) {
            Object[] seen = ch.eventLoop().submit(() -> new Object[] {
                delegateOf(ch.unsafe().recvBufAllocHandle()), RECV.newHandle(), RECV.threadHandle()
            }).get(10, TimeUnit.SECONDS);
            assertThat(seen[0]).as("the channel's handle is the allocator's forwarding one").isSameAs(seen[1]);
            RecvByteBufAllocator.Handle own = (RecvByteBufAllocator.Handle) seen[2];
            RecvByteBufAllocator.Handle before = perLoop.putIfAbsent(ch.eventLoop(), own);
            assertThat(own).as("the same handle for every channel of a loop").isSameAs(before == null ? own : before);
        }
        assertThat(perLoop).as("channels on two loops at least").hasSizeGreaterThanOrEqualTo(2);
        Set<Object> distinct = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (Map.Entry<EventLoop, RecvByteBufAllocator.Handle> e : perLoop.entrySet()) {
            distinct.add(e.getValue());
            int last = e.getKey().submit(() -> e.getValue().lastBytesRead()).get(10, TimeUnit.SECONDS);
            assertThat(last).as("the loop's own handle did the loop's reads").isNotZero();
        }
        assertThat(distinct).as("one handle per loop").hasSameSizeAs(perLoop.keySet());
    }

    private static Field field(Class<?> c, String name) throws ReflectiveOperationException {
        Field f = c.getDeclaredField(name);
        f.setAccessible(true);
        return f;
    }

    private static Channel channelOf(Link l) throws ReflectiveOperationException {
        Field f = TcpLink.class.getDeclaredField("channel");
        f.setAccessible(true);
        return (Channel) f.get(l);
    }

    /** The shared handle behind epoll's per-channel wrapper, or the handle itself (NIO). */
    private static Object delegateOf(RecvByteBufAllocator.Handle h) {
        if (h instanceof RecvByteBufAllocator.DelegatingHandle) {
            try {
                Field f = RecvByteBufAllocator.DelegatingHandle.class.getDeclaredField("delegate");
                f.setAccessible(true);
                return f.get(h);
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        }
        return h;
    }
}
