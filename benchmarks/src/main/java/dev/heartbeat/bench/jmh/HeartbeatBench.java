package dev.heartbeat.bench.jmh;

import dev.heartbeat.detect.AdaptiveDetector;
import dev.heartbeat.engine.HeartbeatMonitor;
import dev.heartbeat.engine.HeartbeatResponder;
import dev.heartbeat.engine.MonitorConfig;
import dev.heartbeat.engine.spi.Link;
import dev.heartbeat.engine.spi.LinkHandler;
import dev.heartbeat.engine.spi.SerialScheduler;
import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.Peer;
import dev.heartbeat.peer.PeerSpec;
import dev.heartbeat.protocol.Frame;
import dev.heartbeat.protocol.FrameCodec;
import dev.heartbeat.protocol.FrameDecodeException;
import dev.heartbeat.protocol.LoadReport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One heartbeat, piece by piece, beside bare equivalents that write and read the same bytes with
 * Netty's {@code ByteBuf} accessors (what a hand-rolled heartbeat does: no validation, no
 * detector, a fixed timeout). Frame sizes: a PING with a 10-byte node id (46 bytes) and a PONG
 * with a full load report (all seven figures, two custom metrics: 125 bytes).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@State(Scope.Thread)
public class HeartbeatBench {

    static final long EPOCH = 0x1234_5678_9abc_def0L;
    static final String MONITOR_ID = "monitor-01";
    static final String RESPONDER_ID = "orders-007";

    // --- project ------------------------------------------------------------------------------
    final Frame ping = new Frame();
    final Frame pong = new Frame();
    final Frame respondScratch = new Frame();
    final ByteBuffer pingBytes = ByteBuffer.allocate(FrameCodec.MAX_FRAME_LENGTH);
    final ByteBuffer pongBytes = ByteBuffer.allocate(FrameCodec.MAX_FRAME_LENGTH);
    final ByteBuffer out = ByteBuffer.allocate(FrameCodec.MAX_FRAME_LENGTH);
    HeartbeatResponder responder;
    AdaptiveDetector detector;
    long clock;
    int seq;

    // --- bare ---------------------------------------------------------------------------------
    ByteBuf barePing;
    ByteBuf barePong;
    long bareLastSeen;
    long bareTimeouts;

    /** A load provider like JvmLoadProvider's: a cached report, refreshed now and then. */
    static final LoadReport FULL_LOAD = LoadReport.builder().cpu(0.42).memory(0.61).inFlight(17).queueDepth(3)
            .requestsPerSecond(1250).errorRate(0.001).latencyMicros(2300).custom("pool.active", 12)
            .custom("pool.waiting", 0).build();

    @Setup(Level.Trial)
    public void setup() throws FrameDecodeException {
        responder = HeartbeatResponder.builder().nodeId(RESPONDER_ID).epoch(EPOCH + 1).loadProvider(() -> FULL_LOAD)
                .build();
        ping.ping(EPOCH, 7, 1_000_000, MONITOR_ID, 1000);
        FrameCodec.encode(ping, pingBytes);
        pingBytes.flip();
        responder.respond(pingBytes.duplicate(), pongBytes, respondScratch);
        pongBytes.flip();
        detector = new AdaptiveDetector(AdaptiveDetector.Config.ofDefaults(), Duration.ofSeconds(1));
        clock = 1_000_000_000L;
        for (int i = 0; i < 2000; i++) {
            detectorStep();
        }
        barePing = Unpooled.directBuffer(pingBytes.remaining());
        barePong = Unpooled.directBuffer(pongBytes.remaining());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        barePing.release();
        barePong.release();
    }

    /** Encode a PING into a reused buffer. */
    @Benchmark
    public int encodePing() {
        out.clear();
        ping.ping(EPOCH, ++seq, clock, MONITOR_ID, 1000);
        return FrameCodec.encode(ping, out);
    }

    /** The responder's work: decode and check the PING, build and encode the PONG with a full load report. */
    @Benchmark
    public boolean respond() throws FrameDecodeException {
        out.clear();
        pingBytes.position(0);
        return responder.respond(pingBytes, out, respondScratch);
    }

    /** Decode and check a PONG with a full load report (the load report unchanged: reused). */
    @Benchmark
    public long decodePong() throws FrameDecodeException {
        pongBytes.position(0);
        FrameCodec.decode(pongBytes, pong);
        return pong.echoSendTimeNanos();
    }

    /** The default detector: one heartbeat (learning its lateness) and one evaluation. */
    @Benchmark
    public Object detectorUpdateAndAssess() {
        return detectorStep();
    }

    private Liveness detectorStep() {
        long due = clock + 50_000;
        clock += 1_000_000_000L + ((clock * 0x9E3779B97F4A7C15L) >>> 44); // ~1 s plus up to ~1 ms of jitter
        detector.heartbeat(clock, clock - 60_000, due + 1_000_000_000L, true);
        detector.suspicion(clock);
        return detector.assess(clock + 1_000_000);
    }

    // --- bare equivalents ---------------------------------------------------------------------

    /** Bare: write the same 46 PING bytes field by field. */
    @Benchmark
    public int bareEncodePing() {
        ByteBuf b = barePing.clear();
        writePing(b, ++seq, clock);
        return b.writerIndex();
    }

    /** Bare: read the PING's sequence and time, write the same 125 PONG bytes field by field. */
    @Benchmark
    public int bareRespond() {
        barePing.clear();
        writePing(barePing, seq, clock);
        ByteBuf p = barePing;
        int s = p.getInt(16);
        long t = p.getLong(20);
        ByteBuf b = barePong.clear();
        writePong(b, s, t);
        return b.writerIndex();
    }

    /** Bare: read the PONG's echo fields and a few load figures. */
    @Benchmark
    public long bareDecodePong() {
        ByteBuf b = barePong;
        if (b.writerIndex() == 0) {
            writePong(b, 7, 1_000_000);
        }
        int nodeLen = b.getUnsignedByte(28);
        int p = 29 + nodeLen;
        int echo = b.getInt(p);
        long echoTime = b.getLong(p + 4);
        int cpu = b.getUnsignedShort(p + 17);
        return echoTime + echo + cpu;
    }

    /** Bare: a whole round trip (PING out, PONG back, RTT and a fixed-timeout check). */
    @Benchmark
    public long bareRoundTrip() {
        clock += 1_000_000_000L;
        int s = ++seq;
        barePing.clear();
        writePing(barePing, s, clock);
        int rs = barePing.getInt(16);
        long rt = barePing.getLong(20);
        barePong.clear();
        writePong(barePong, rs, rt);
        int p = 29 + barePong.getUnsignedByte(28);
        long now = clock + 50_000;
        long rtt = now - barePong.getLong(p + 4);
        if (barePong.getInt(p) == s) {
            if (now - bareLastSeen > 3_000_000_000L && bareLastSeen != 0) {
                bareTimeouts++;
            }
            bareLastSeen = now;
        }
        return rtt;
    }

    static void writePing(ByteBuf b, int seq, long time) {
        b.writeShort(FrameCodec.MAGIC).writeByte(1).writeByte(1).writeShort(0).writeShort(46).writeLong(EPOCH)
                .writeInt(seq).writeLong(time).writeByte(MONITOR_ID.length());
        for (int i = 0; i < MONITOR_ID.length(); i++) {
            b.writeByte(MONITOR_ID.charAt(i));
        }
        b.writeInt(1000).writeShort(0);
    }

    static void writePong(ByteBuf b, int echoSeq, long echoTime) {
        b.writeShort(FrameCodec.MAGIC).writeByte(1).writeByte(2).writeShort(0).writeShort(125).writeLong(EPOCH + 1)
                .writeInt(99).writeLong(echoTime + 10_000).writeByte(RESPONDER_ID.length());
        for (int i = 0; i < RESPONDER_ID.length(); i++) {
            b.writeByte(RESPONDER_ID.charAt(i));
        }
        b.writeInt(echoSeq).writeLong(echoTime).writeByte(1).writeInt(0);
        b.writeShort(4200).writeShort(6100).writeInt(17).writeInt(3).writeFloat(1250f).writeShort(10).writeInt(2300)
                .writeByte(2);
        writeMetric(b, "pool.active", 12);
        writeMetric(b, "pool.waiting", 0);
        b.writeShort(0);
    }

    private static void writeMetric(ByteBuf b, String name, double v) {
        b.writeByte(name.length());
        for (int i = 0; i < name.length(); i++) {
            b.writeByte(name.charAt(i));
        }
        b.writeDouble(v);
    }

    // --- the whole round trip through the monitor's engine -------------------------------------

    /**
     * A monitor with one attached peer on a hand-driven loop: each operation runs the peer's tick
     * (PING encoded, handed to the link), the responder answers it, and the PONG is delivered 50 µs
     * later (decode, echo match, detector, usability, state). Nothing else runs.
     */
    @State(Scope.Thread)
    public static class Engine {
        BenchLoop loop;
        HeartbeatMonitor monitor;
        Peer peer;
        LinkHandler handler;
        Link link;
        HeartbeatResponder responder;
        final Frame scratch = new Frame();
        final ByteBuffer reply = ByteBuffer.allocate(FrameCodec.MAX_FRAME_LENGTH);
        boolean pongPending;
        long pongs;
        final Runnable deliver = this::deliver;

        @Setup(Level.Trial)
        public void setup() {
            loop = new BenchLoop();
            responder = HeartbeatResponder.builder().nodeId(RESPONDER_ID).epoch(EPOCH + 1)
                    .loadProvider(() -> FULL_LOAD).ticker(loop).build();
            monitor = HeartbeatMonitor.builder().nodeId(MONITOR_ID).ticker(loop).watchGarbageCollector(false)
                    .config(MonitorConfig.custom().interval(Duration.ofSeconds(1)).build()).build();
            link = new Link() {
                @Override
                public SerialScheduler scheduler() {
                    return loop;
                }

                @Override
                public boolean send(ByteBuffer frame) {
                    reply.clear();
                    try {
                        if (responder.respond(frame, reply, scratch)) {
                            reply.flip();
                            pongPending = true;
                            loop.schedule(deliver, 50_000);
                        }
                    } catch (FrameDecodeException e) {
                        throw new IllegalStateException(e);
                    }
                    return true;
                }

                @Override
                public boolean isConnected() {
                    return true;
                }

                @Override
                public boolean isWritable() {
                    return true;
                }

                @Override
                public String describe() {
                    return "bench";
                }

                @Override
                public void close() {
                }
            };
            HeartbeatMonitor.Attached a = monitor.attach(PeerSpec.of("orders-007", "bench:1"), link, null);
            peer = a.peer();
            handler = a.handler();
            handler.onConnected(link);
            for (int i = 0; i < 5000; i++) {
                beat();
            }
            if (peer.liveness() != Liveness.ALIVE) {
                throw new IllegalStateException("peer not ALIVE after warm-up: " + peer);
            }
        }

        void deliver() {
            pongPending = false;
            pongs++;
            handler.onFrame(link, reply);
        }

        /** Runs tasks until one PONG was delivered. */
        long beat() {
            long before = pongs;
            for (int i = 0; i < 100 && pongs == before; i++) {
                if (!loop.runNext()) {
                    throw new IllegalStateException("nothing scheduled");
                }
            }
            return pongs;
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            monitor.close();
        }
    }

    /** One whole heartbeat through the engine: tick, PING, respond, PONG, detection. */
    @Benchmark
    public long roundTrip(Engine e) {
        return e.beat();
    }
}
