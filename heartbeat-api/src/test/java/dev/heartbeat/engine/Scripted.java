package dev.heartbeat.engine;

import dev.heartbeat.engine.spi.ClientTransport;
import dev.heartbeat.engine.spi.Link;
import dev.heartbeat.engine.spi.LinkHandler;
import dev.heartbeat.engine.spi.SerialScheduler;
import dev.heartbeat.peer.Peer;
import dev.heartbeat.peer.PeerEvent;
import dev.heartbeat.peer.PeerRegistry;
import dev.heartbeat.protocol.Frame;
import dev.heartbeat.protocol.FrameCodec;
import dev.heartbeat.protocol.FrameDecodeException;
import dev.heartbeat.protocol.LoadReport;
import dev.heartbeat.protocol.ServingStatus;
import dev.heartbeat.testing.VirtualScheduler;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One monitored peer on virtual time whose link is scripted by the test: it records every PING
 * the monitor sends and lets the test play the peer, frame by frame — including a hostile one.
 */
final class Scripted implements AutoCloseable {

    final VirtualScheduler scheduler = new VirtualScheduler();
    final List<ByteBuffer> sent = new ArrayList<>();
    /**
     * Our send time of each PING, by sequence: a PING's {@code sendTimeNanos} is a sealed token
     * ({@link EchoSeal}), not a time a test can read.
     */
    final Map<Integer, Long> sentAt = new HashMap<>();
    final List<PeerEvent> events = new ArrayList<>();
    final HeartbeatMonitor monitor;
    LinkHandler handler;
    Link link;
    boolean connected = true;
    boolean closed;
    final Peer peer;

    Scripted() {
        this(MonitorConfig.ofDefaults(), null);
    }

    Scripted(MonitorConfig config, PeerObserver observer) {
        this(config, observer, Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));
    }

    /** A peer whose monitor stamps events with {@code clock}. */
    Scripted(MonitorConfig config, PeerObserver observer, Clock clock) {
        ClientTransport transport = new ClientTransport() {
            @Override
            public Link open(String address, LinkHandler h) {
                handler = h;
                link = new Link() {
                    @Override
                    public SerialScheduler scheduler() {
                        return scheduler;
                    }

                    @Override
                    public boolean send(ByteBuffer frame) {
                        ByteBuffer copy = ByteBuffer.allocate(frame.remaining());
                        copy.put(frame).flip();
                        sent.add(copy);
                        sentAt.put(decode(copy).sequence(), scheduler.ticker().nanoTime());
                        return true;
                    }

                    @Override
                    public boolean isConnected() {
                        return connected;
                    }

                    @Override
                    public boolean isWritable() {
                        return true;
                    }

                    @Override
                    public String describe() {
                        return "scripted";
                    }

                    @Override
                    public void close() {
                        closed = true;
                    }
                };
                return link;
            }

            @Override
            public String name() {
                return "scripted";
            }

            @Override
            public void close() {
            }
        };
        HeartbeatMonitor.Builder b = HeartbeatMonitor.builder(transport).config(config).ticker(scheduler.ticker())
                .clock(clock)
                .registry(PeerRegistry.create(Runnable::run)).watchGarbageCollector(false)
                .random(new java.util.Random(3));
        if (observer != null) {
            b.observer(observer);
        }
        monitor = b.build();
        monitor.addListener(events::add);
        peer = monitor.addPeer("b", "b:1");
        scheduler.runPending();
    }

    /** Runs until the monitor sends its next PING (at most 10 s) and returns it. */
    Frame nextPing() {
        int n = sent.size();
        for (int i = 0; i < 10_000 && sent.size() == n; i++) {
            scheduler.advance(java.time.Duration.ofMillis(1));
        }
        if (sent.size() == n) {
            throw new AssertionError("no PING within 10 s; events: " + events);
        }
        return ping(n);
    }

    /** Runs until the peer has liveness {@code l}; returns the virtual time it took. */
    java.time.Duration runUntil(dev.heartbeat.peer.Liveness l, java.time.Duration max) {
        long start = scheduler.ticker().nanoTime();
        while (peer.liveness() != l) {
            if (scheduler.ticker().nanoTime() - start > max.toNanos()) {
                throw new AssertionError(peer + " did not become " + l + " within " + max + "; events: " + events);
            }
            scheduler.advance(java.time.Duration.ofMillis(1));
        }
        return java.time.Duration.ofNanos(scheduler.ticker().nanoTime() - start);
    }

    Frame lastPing() {
        return ping(sent.size() - 1);
    }

    Frame ping(int i) {
        return decode(sent.get(i));
    }

    private static Frame decode(ByteBuffer b) {
        Frame f = new Frame();
        try {
            FrameCodec.decode(b.duplicate(), f);
        } catch (FrameDecodeException e) {
            throw new AssertionError(e);
        }
        return f;
    }

    /** The monitor's send time of {@code ping} (its ticker's, when the link took it). */
    long sentAt(Frame ping) {
        Long t = sentAt.get(ping.sequence());
        if (t == null) {
            throw new AssertionError("PING " + ping.sequence() + " was not sent on this link");
        }
        return t;
    }

    /**
     * {@code echo} if the monitor, delivered it now, would not take it for the token of
     * {@code ping} (under the process's seal, decoded against the last PING sent), else the next
     * value it would not: what a peer that echoes a value of its choosing sends, made certain to be
     * refused (a made-up value passes by a chance of 2^-24, and a test must not depend on chance).
     */
    long notItsToken(Frame ping, long echo) {
        long latest = sentAt(lastPing());
        long e = echo;
        for (int i = 0; i < 64; i++, e++) {
            if (!EchoSeal.PROCESS.verifies(ping.sequence(), e, EchoSeal.sendTime(e, latest))) {
                return e;
            }
        }
        throw new AssertionError("64 values in a row pass as the token of PING " + ping.sequence());
    }

    /** A PONG answering {@code ping} from epoch {@code epoch}. */
    static Frame pong(Frame ping, long epoch, ServingStatus status, int adviceMillis) {
        return new Frame().pong(epoch, 1, 0, "b", ping.sequence(), ping.sendTimeNanos(), status, adviceMillis,
                LoadReport.UNKNOWN);
    }

    /** Answers {@code ping} exactly {@code rtt} after it was sent (time moves on to then, if needed). */
    void answerAfter(Frame ping, java.time.Duration rtt, long epoch) {
        long wait = sentAt(ping) + rtt.toNanos() - scheduler.ticker().nanoTime();
        if (wait > 0) {
            scheduler.advanceNanos(wait);
        }
        answer(ping, epoch);
    }

    void answer(Frame ping, long epoch) {
        deliver(pong(ping, epoch, ServingStatus.SERVING, 0));
    }

    /** Answers the last PING if there is one not answered yet. */
    void answerLast(long epoch, int adviceMillis) {
        deliver(pong(lastPing(), epoch, ServingStatus.SERVING, adviceMillis));
    }

    void deliver(Frame f) {
        ByteBuffer b = ByteBuffer.allocate(FrameCodec.MAX_FRAME_LENGTH);
        FrameCodec.encode(f, b);
        b.flip();
        handler.onFrame(link, b);
    }

    List<PeerEvent> transitions() {
        return events.stream().filter(e -> e.kind() == PeerEvent.Kind.TRANSITION || e.kind() == PeerEvent.Kind.RESTARTED)
                .toList();
    }

    PeerEvent last() {
        return events.get(events.size() - 1);
    }

    @Override
    public void close() {
        monitor.close();
    }
}
