package dev.heartbeat.udp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.heartbeat.engine.spi.DisconnectCause;
import dev.heartbeat.engine.spi.Link;
import dev.heartbeat.engine.spi.LinkHandler;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The transport's open links are a list threaded through the links: it counts them whichever
 * order they are closed in, each once however often, and closing the transport closes them all.
 * And a socket finds the link of each datagram by its source in a table threaded through its links.
 */
class LinkListTest {

    @Test
    void theTransportKeepsTrackOfItsOpenLinks() {
        AtomicInteger closedLocally = new AtomicInteger();
        LinkHandler handler = onDisconnect(DisconnectCause.CLOSED_LOCALLY, detail -> closedLocally.incrementAndGet());
        UdpClientTransport t = UdpClientTransport.builder().eventLoopThreads(1).build();
        try {
            List<Link> links = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                links.add(t.open("127.0.0.1:" + (20_000 + i), handler)); // nothing answers: nothing arrives
            }
            assertThat(t.linkCount()).isEqualTo(5);
            for (int i : new int[] {2, 4, 0, 0, 2}) { // the middle, the first opened, the last opened, and twice
                links.get(i).close();
            }
            assertThat(t.linkCount()).isEqualTo(2);
            links.get(1).close();
            assertThat(t.linkCount()).isEqualTo(1);
            t.open("127.0.0.1:20009", handler);
            assertThat(t.linkCount()).isEqualTo(2);
        } finally {
            t.close();
        }
        assertThat(t.linkCount()).as("closing the transport closes its links").isZero();
        assertThat(closedLocally.get()).as("each link reported CLOSED_LOCALLY once").isEqualTo(6);
    }

    /**
     * Forty links share one socket (its table grows past its first size): each peer's reply reaches
     * its own link and no other; once half the links are closed, their peers' replies are unknown
     * sources and the other half still arrive.
     */
    @Test
    void eachDatagramReachesTheLinkOfItsSource() throws Exception {
        int n = 40;
        Map<Link, AtomicInteger> got = new ConcurrentHashMap<>();
        Map<Link, Byte> from = new ConcurrentHashMap<>();
        AtomicInteger wrong = new AtomicInteger();
        LinkHandler handler = new LinkHandler() {
            @Override
            public void onConnected(Link l) {
            }

            @Override
            public void onFrame(Link l, ByteBuffer frame) {
                Byte expected = from.get(l);
                if (expected == null || frame.get(frame.position()) != expected) {
                    wrong.incrementAndGet();
                }
                got.computeIfAbsent(l, k -> new AtomicInteger()).incrementAndGet();
            }

            @Override
            public void onDisconnected(Link l, DisconnectCause cause, String detail) {
            }
        };
        List<DatagramSocket> peers = new ArrayList<>();
        try (UdpClientTransport t = UdpClientTransport.builder().eventLoopThreads(1).padPings(false).build()) {
            List<Link> links = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                DatagramSocket p = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                p.setSoTimeout(5_000);
                peers.add(p);
                Link l = t.open("127.0.0.1:" + p.getLocalPort(), handler);
                from.put(l, (byte) i);
                links.add(l);
            }
            org.awaitility.Awaitility.await().atMost(5, TimeUnit.SECONDS)
                    .until(() -> links.stream().allMatch(Link::isConnected));
            List<java.net.SocketAddress> back = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                assertThat(links.get(i).send(ByteBuffer.wrap(new byte[] {1, 2, 3}))).isTrue();
                DatagramPacket d = new DatagramPacket(new byte[64], 64);
                peers.get(i).receive(d);
                back.add(d.getSocketAddress()); // the transport's socket
            }
            for (int i = 0; i < n; i++) {
                peers.get(i).send(new DatagramPacket(new byte[] {(byte) i}, 1, back.get(i)));
            }
            org.awaitility.Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> got.size() == n);
            for (int i = 0; i < n; i += 2) {
                links.get(i).close();
            }
            org.awaitility.Awaitility.await().atMost(5, TimeUnit.SECONDS) // closed on the loop: off the socket's table
                    .until(() -> links.stream().filter(Link::isConnected).count() == n / 2);
            long unknown0 = t.stats().unknownSource();
            for (int i = 0; i < n; i++) {
                peers.get(i).send(new DatagramPacket(new byte[] {(byte) i}, 1, back.get(i)));
            }
            org.awaitility.Awaitility.await().atMost(5, TimeUnit.SECONDS)
                    .until(() -> t.stats().unknownSource() - unknown0 == n / 2
                            && links.stream().filter(Link::isConnected).allMatch(l -> got.get(l).get() == 2));
            assertThat(wrong.get()).as("datagrams delivered to another peer's link").isZero();
            for (int i = 0; i < n; i += 2) {
                assertThat(got.get(links.get(i)).get()).as("closed link %d", i).isEqualTo(1);
            }
        } finally {
            for (DatagramSocket p : peers) {
                p.close();
            }
        }
    }

    /**
     * A link to a host name looks it up (off the loop) and keeps looking it up; it talks to the
     * address it found, and closing it stops the lookups. ("localhost" needs no DNS server.)
     */
    @Test
    void aLinkToAHostNameLooksItUpAndTalksToTheAddressFound() throws Exception {
        AtomicInteger frames = new AtomicInteger();
        AtomicInteger closedLocally = new AtomicInteger();
        LinkHandler handler = new LinkHandler() {
            @Override
            public void onConnected(Link l) {
            }

            @Override
            public void onFrame(Link l, ByteBuffer frame) {
                frames.incrementAndGet();
            }

            @Override
            public void onDisconnected(Link l, DisconnectCause cause, String detail) {
                if (cause == DisconnectCause.CLOSED_LOCALLY) {
                    closedLocally.incrementAndGet();
                }
            }
        };
        try (DatagramSocket peer = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"));
             UdpClientTransport t = UdpClientTransport.builder().eventLoopThreads(1)
                     .resolveInterval(java.time.Duration.ofSeconds(1)).padPings(false).build()) {
            peer.setSoTimeout(5_000);
            Link l = t.open("localhost:" + peer.getLocalPort(), handler);
            org.awaitility.Awaitility.await().atMost(5, TimeUnit.SECONDS).until(l::isConnected);
            for (int round = 0; round < 2; round++) {
                assertThat(l.send(ByteBuffer.wrap(new byte[] {9}))).isTrue();
                DatagramPacket d = new DatagramPacket(new byte[8], 8);
                peer.receive(d);
                peer.send(new DatagramPacket(new byte[] {1}, 1, d.getSocketAddress()));
                int want = round + 1;
                org.awaitility.Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> frames.get() == want);
                // through one more lookup (every second): the same address, the same link, connected throughout
                org.awaitility.Awaitility.await().during(1_200, TimeUnit.MILLISECONDS).atMost(5, TimeUnit.SECONDS)
                        .until(l::isConnected);
            }
            l.close();
            org.awaitility.Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> closedLocally.get() == 1);
            assertThat(l.isConnected()).isFalse();
        }
    }

    /**
     * A scoped IPv6 literal on an interface that does not exist is looked up like a name (its scope
     * is kept, not dropped as a literal's parse would): the lookup fails, the link reports a failed
     * connect and tries again. Nothing is sent: the address never resolves.
     */
    @Test
    void aScopedLiteralOnNoSuchInterfaceFailsToConnectAndIsRetried() throws Exception {
        assertThat(dev.heartbeat.udp.internal.Addresses.isLiteral("fe80::1%nosuchif0")).isFalse();
        assertThat(dev.heartbeat.udp.internal.Addresses.isLiteral("fe80::1")).isTrue();
        assertThat(dev.heartbeat.udp.internal.Addresses.isLiteral("10.0.0.7")).isTrue();
        java.util.List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        LinkHandler handler = onDisconnect(DisconnectCause.CONNECT_FAILED, failures::add);
        try (UdpClientTransport t = UdpClientTransport.builder().eventLoopThreads(1).padPings(false).build()) {
            Link l = t.open("[fe80::1%nosuchif0]:7", handler);
            org.awaitility.Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> failures.size() >= 2);
            assertThat(failures.get(0)).contains("fe80::1%nosuchif0");
            assertThat(l.isConnected()).isFalse();
            l.close();
        }
    }

    /** A handler that ignores frames and hands {@code then} the detail of each disconnect by {@code cause}. */
    /**
     * A link to a literal written as the transport writes addresses keeps no text of it (the
     * compact kind); any other keeps the text as given. Either way it describes itself with that text.
     */
    @Test
    void aLinkDescribesItsAddressAsGivenWhetherItKeepsTheTextOrNot() {
        LinkHandler handler = onDisconnect(DisconnectCause.CONNECT_FAILED, detail -> { });
        UdpClientTransport t = UdpClientTransport.builder().eventLoopThreads(1).build();
        try {
            for (String a : new String[] {"127.0.0.1:20101", "[::1]:20102"}) {
                Link l = t.open(a, handler);
                assertThat(l.describe()).isEqualTo(t.name() + " " + a);
                assertThat(l).as(a).isExactlyInstanceOf(UdpLink.class);
            }
            for (String a : new String[] {"udp://127.0.0.1:20103", "[0:0:0:0:0:0:0:1]:20104",
                    "localhost:20106"}) {
                Link l = t.open(a, handler);
                assertThat(l.describe()).isEqualTo(t.name() + " " + a);
                assertThat(l).as(a).isExactlyInstanceOf(UdpLink.Named.class);
            }
            assertThat(t.open("  127.0.0.1:20107 ", handler).describe()).as("trimmed, as before")
                    .isEqualTo(t.name() + " 127.0.0.1:20107");
        } finally {
            t.close();
        }
    }

    private static LinkHandler onDisconnect(DisconnectCause cause, java.util.function.Consumer<String> then) {
        return new LinkHandler() {
            @Override
            public void onConnected(Link l) {
            }

            @Override
            public void onFrame(Link l, ByteBuffer frame) {
            }

            @Override
            public void onDisconnected(Link l, DisconnectCause c, String detail) {
                if (c == cause) {
                    then.accept(detail);
                }
            }
        };
    }
}
