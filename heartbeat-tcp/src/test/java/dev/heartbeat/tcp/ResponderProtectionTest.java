package dev.heartbeat.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.heartbeat.engine.HeartbeatMonitor;
import dev.heartbeat.engine.HeartbeatResponder;
import dev.heartbeat.engine.MonitorConfig;
import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.Peer;
import dev.heartbeat.peer.PeerRegistry;
import dev.heartbeat.protocol.Frame;
import dev.heartbeat.protocol.FrameType;
import dev.heartbeat.protocol.LoadReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The responder's self-protection against real loopback sockets: PING floods, flooding clients,
 * slot hoarding, per-source caps. Every load loop is bounded in count and time; no assertion is
 * about speed, only about what the server let through and what it counted.
 */
class ResponderProtectionTest {

    private final HeartbeatResponder responder = Tcp.responder("guarded");
    private TcpResponderServer server;
    private final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void tearDown() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private TcpResponderServer.Builder builder(HeartbeatResponder r) {
        return TcpResponderServer.builder(r).host("127.0.0.1").closeGrace(Duration.ofSeconds(1));
    }

    private Socket connect() throws IOException {
        return connectFrom(null);
    }

    /** A client socket, optionally bound to another loopback source address (127.0.0.0/8). */
    private Socket connectFrom(String source) throws IOException {
        Socket s = new Socket();
        sockets.add(s);
        if (source != null) {
            s.bind(new InetSocketAddress(source, 0));
        }
        s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
        s.setSoTimeout(5_000);
        s.setTcpNoDelay(true);
        return s;
    }

    private static byte[] pings(int n, int firstSeq) {
        byte[] one = Tcp.ping(0);
        byte[] all = new byte[one.length * n];
        for (int i = 0; i < n; i++) {
            byte[] p = Tcp.ping(firstSeq + i);
            System.arraycopy(p, 0, all, i * one.length, one.length);
        }
        return all;
    }

    /** Reads PONGs until {@code quietMillis} pass without one or EOF; returns how many came. */
    private static int countPongs(Socket s, int quietMillis) throws Exception {
        s.setSoTimeout(quietMillis);
        int n = 0;
        InputStream in = s.getInputStream();
        try {
            while (Tcp.readFrame(in) != null) {
                n++;
            }
        } catch (java.net.SocketTimeoutException e) {
            // quiet: done
        }
        s.setSoTimeout(5_000);
        return n;
    }

    private static void assertAnswers(Socket s, int seq) throws Exception {
        s.getOutputStream().write(Tcp.ping(seq));
        Frame f = Tcp.readFrame(s.getInputStream());
        assertThat(f).as("a PONG to PING %d", seq).isNotNull();
        assertThat(f.type()).isEqualTo(FrameType.PONG);
        assertThat(f.echoSequence()).isEqualTo(seq);
    }

    @Test
    void pingsOverTheRateAreDroppedUnansweredAndCountedWhileOthersAreServed() throws Exception {
        server = builder(responder).maxPingRate(50).pingBurst(10).floodCloseAfter(Duration.ZERO).bind();
        Socket good = connect();
        Socket flooder = connect();
        assertAnswers(good, 1);
        long start = System.nanoTime();
        flooder.getOutputStream().write(pings(2_000, 0)); // one burst of 2,000 PINGs, ~100 KB
        await().atMost(Duration.ofSeconds(10))
                .until(() -> server.stats().pingsDropped() + responder.answered() >= 2_001);
        int pongs = countPongs(flooder, 300);
        double seconds = (System.nanoTime() - start) / 1e9;
        TcpResponderServer.Stats st = server.stats();
        // what the bucket allows in the time this took, whatever the machine's speed
        assertThat(pongs).isGreaterThanOrEqualTo(10).isLessThanOrEqualTo(10 + (int) Math.ceil(50 * seconds) + 1);
        assertThat(st.pingsDropped()).isEqualTo(2_000 - pongs);
        assertThat(st.floodCloses()).isZero();
        assertAnswers(good, 2); // another connection is not affected
        assertAnswers(good, 3);
    }

    @Test
    void aClientThatKeepsFloodingIsClosedAndCounted() throws Exception {
        server = builder(responder).maxPingRate(100).pingBurst(10).floodCloseAfter(Duration.ofSeconds(1)).bind();
        Socket flooder = connect();
        byte[] batch = pings(100, 0);
        OutputStream out = flooder.getOutputStream();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        int batches = 0;
        boolean cut = false;
        // 100 PINGs every ~10 ms (≈10 × the rate), for at most 10 s or 1,000 batches, until the server cuts us off
        while (!cut && batches < 1_000 && System.nanoTime() < deadline) {
            try {
                out.write(batch);
                batches++;
                Thread.sleep(10);
            } catch (IOException e) {
                cut = true; // reset or broken pipe: the server closed us
            }
            if (server.stats().floodCloses() == 1) {
                cut = true;
            }
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().floodCloses() == 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> server.connectionCount() == 0);
        assertThat(server.stats().pingsDropped()).isPositive();
        Socket after = connect(); // the server is fine
        assertAnswers(after, 7);
    }

    /** With the defaults, a monitor at the fastest interval its configuration allows loses nothing. */
    @Test
    void theDefaultsNeverDropAnHonestMonitorAtOneMillisecond() throws Exception {
        server = builder(responder).bind();
        MonitorConfig fastest = MonitorConfig.custom().interval(Duration.ofMillis(1)).probeInterval(Duration.ofMillis(1))
                .initialTimeout(Duration.ofSeconds(5)).build();
        try (TcpClientTransport t = TcpClientTransport.create();
             HeartbeatMonitor m = HeartbeatMonitor.builder(t).config(fastest).nodeId("fast-monitor")
                     .registry(PeerRegistry.create(Runnable::run)).watchGarbageCollector(false).build()) {
            Peer p = m.addPeer("guarded", "127.0.0.1:" + server.port());
            await().atMost(Duration.ofSeconds(10)).until(() -> p.state().liveness() == Liveness.ALIVE);
            long before = responder.answered();
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                    .until(() -> server.stats().pingsDropped() == 0);
            assertThat(responder.answered() - before).as("it really pinged fast").isGreaterThan(100);
        }
        assertThat(server.stats().floodCloses()).isZero();
    }

    @Test
    void theRateFollowsTheRespondersAdvisedMinimumInterval() throws Exception {
        HeartbeatResponder slow = HeartbeatResponder.builder().nodeId("slow").minInterval(Duration.ofMillis(200))
                .loadProvider(() -> LoadReport.UNKNOWN).build();
        server = builder(slow).pingRateFollowsMinInterval(true).pingBurst(5).floodCloseAfter(Duration.ZERO).bind(); // 2 per 200 ms = 10/s
        Socket s = connect();
        assertAnswers(s, 0); // the first PONG tells the connection the advice
        long start = System.nanoTime();
        s.getOutputStream().write(pings(300, 1));
        await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().pingsDropped() + slow.answered() >= 301);
        int pongs = countPongs(s, 300);
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(pongs).isLessThanOrEqualTo(5 + (int) Math.ceil(10 * seconds) + 1);
        assertThat(server.stats().pingsDropped()).isEqualTo(300 - pongs);
        assertThat(server.pingPeriodNanos(200)).isEqualTo(100_000_000L);
        assertThat(server.pingPeriodNanos(0)).isEqualTo(500_000L); // no advice: the default 2,000/s
    }

    @Test
    void connectionsOverThePerSourceCapAreRefusedOtherSourcesAreNot() throws Exception {
        server = builder(responder).maxConnectionsPerSource(2).bind();
        Socket a = connect();
        Socket b = connect();
        assertAnswers(a, 1);
        assertAnswers(b, 1);
        Socket c = connect();
        assertThat(c.getInputStream().read()).as("refused: EOF").isEqualTo(-1);
        await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().refusedPerSource() == 1);
        assertThat(server.connectionCount(InetAddress.getByName("127.0.0.1"))).isEqualTo(2);
        Socket other = connectFrom("127.0.0.2"); // another loopback address is another source
        assertAnswers(other, 2);
        a.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> server.connectionCount(InetAddress.getByName("127.0.0.1")) == 1);
        Socket again = connect(); // a slot of that source is free again
        assertAnswers(again, 3);
        assertThat(server.stats().refusedPerSource()).isEqualTo(1);
    }

    /** A client that holds every slot (one PING each, a huge advertised interval) no longer locks out newcomers. */
    @Test
    void whenFullTheIdlestConnectionMakesRoomForTheNewcomer() throws Exception {
        server = builder(responder).maxConnections(3).bind();
        Socket h1 = connect();
        Socket h2 = connect();
        Socket h3 = connect();
        for (Socket h : List.of(h1, h2, h3)) { // one PING each, in order, advertising ~24 days
            h.getOutputStream().write(Tcp.ping(1, Integer.MAX_VALUE));
            assertThat(Tcp.readFrame(h.getInputStream()).type()).isEqualTo(FrameType.PONG);
        }
        assertAnswers(h2, 2); // h2 and h3 are alive; h1 is the idlest
        assertAnswers(h3, 2);
        Socket good = connect();
        assertAnswers(good, 9); // the newcomer is served
        assertThat(h1.getInputStream().read()).as("the idlest hoarder was closed").isEqualTo(-1);
        assertAnswers(h2, 3);
        assertAnswers(h3, 3);
        TcpResponderServer.Stats st = server.stats();
        assertThat(st.evictedAtLimit()).isEqualTo(1);
        assertThat(st.rejected()).isZero();
        await().atMost(Duration.ofSeconds(5)).until(() -> server.connectionCount() == 3);
        // and again: now h2 is the idlest of those that pinged
        assertAnswers(h3, 4);
        assertAnswers(good, 10);
        Socket second = connect();
        assertAnswers(second, 11);
        assertThat(h2.getInputStream().read()).isEqualTo(-1);
        assertThat(server.stats().evictedAtLimit()).isEqualTo(2);
    }

    @Test
    void builderRejectsBadProtectionValuesNamingThem() {
        TcpResponderServer.Builder b = TcpResponderServer.builder(responder);
        assertThatThrownBy(() -> b.maxConnectionsPerSource(0))
                .hasMessage("maxConnectionsPerSource : 0 (expected: 1..1000000)");
        assertThatThrownBy(() -> b.maxPingRate(0.5)).hasMessage("maxPingRate : 0.5 (expected: 1..1000000 per second)");
        assertThatThrownBy(() -> b.maxPingRate(Double.NaN)).hasMessage("maxPingRate : NaN (expected: 1..1000000 per second)");
        assertThatThrownBy(() -> b.pingBurst(0)).hasMessage("pingBurst : 0 (expected: 1..100000)");
        assertThatThrownBy(() -> b.floodCloseAfter(Duration.ofMillis(500)))
                .hasMessage("floodCloseAfter : PT0.5S (expected: 0 or PT1S..PT1H)");
        assertThatThrownBy(() -> b.floodCloseAfter(null)).hasMessage("floodCloseAfter : null (expected: 0 or PT1S..PT1H)");
        b.floodCloseAfter(Duration.ZERO).pingRateFollowsMinInterval(false).maxPingRate(1).pingBurst(100_000);
    }

    @Test
    void defaultsAreDocumentedValues() {
        assertThat(TcpResponderServer.DEFAULT_MAX_PING_RATE).isEqualTo(2_000);
        assertThat(TcpResponderServer.DEFAULT_PING_BURST).isEqualTo(200);
        assertThat(TcpResponderServer.DEFAULT_FLOOD_CLOSE_AFTER).isEqualTo(Duration.ofSeconds(5));
        assertThat(TcpResponderServer.DEFAULT_MAX_CONNECTIONS_PER_SOURCE).isEqualTo(256);
    }
}
