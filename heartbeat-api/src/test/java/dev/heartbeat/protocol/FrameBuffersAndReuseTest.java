package dev.heartbeat.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The codec ignores the buffer's byte order, works at any position and on direct or read-only
 * buffers, and decoding an unchanged PONG into the same holder reuses the previous objects.
 */
class FrameBuffersAndReuseTest {

    static final Frame[] SAMPLES = {TestFrames.samplePing(), TestFrames.samplePong(), TestFrames.sampleGoodbye()};

    static byte[] bytesOf(ByteBuffer b, int from, int to) {
        byte[] out = new byte[to - from];
        for (int i = from; i < to; i++) {
            out[i - from] = b.get(i);
        }
        return out;
    }

    // --- byte order and buffer kinds ------------------------------------------------------

    @Test
    void littleEndianAndDirectBuffersGetTheSameBytes() {
        for (Frame f : SAMPLES) {
            byte[] expected = TestFrames.encode(f);
            for (ByteBuffer dst : new ByteBuffer[] {
                    ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN),
                    ByteBuffer.allocateDirect(1024),
                    ByteBuffer.allocateDirect(1024).order(ByteOrder.LITTLE_ENDIAN)}) {
                ByteOrder order = dst.order();
                int n = FrameCodec.encode(f, dst);
                assertThat(bytesOf(dst, 0, n)).as(f.type() + " into " + dst).isEqualTo(expected);
                assertThat(dst.order()).as("the codec leaves the byte order alone").isEqualTo(order);
            }
        }
    }

    @Test
    void decodesFromLittleEndianDirectAndReadOnlyBuffersAtAnyPosition() throws FrameDecodeException {
        for (Frame f : SAMPLES) {
            byte[] bytes = TestFrames.encode(f);
            for (int offset : new int[] {0, 1, 7, 100}) {
                for (ByteBuffer b : new ByteBuffer[] {
                        ByteBuffer.allocate(offset + bytes.length + 5),
                        ByteBuffer.allocate(offset + bytes.length + 5).order(ByteOrder.LITTLE_ENDIAN),
                        ByteBuffer.allocateDirect(offset + bytes.length + 5),
                        ByteBuffer.allocateDirect(offset + bytes.length + 5).order(ByteOrder.LITTLE_ENDIAN)}) {
                    for (int i = 0; i < b.capacity(); i++) {
                        b.put(i, (byte) 0xEE); // junk around the frame
                    }
                    b.position(offset);
                    b.put(bytes);
                    b.position(offset).limit(offset + bytes.length);
                    for (ByteBuffer src : new ByteBuffer[] {b.duplicate().order(b.order()),
                            b.asReadOnlyBuffer()}) {
                        Frame into = new Frame();
                        FrameCodec.decode(src, into);
                        String what = f.type() + " at " + offset + " in " + src;
                        TestFrames.assertSameFields(into, f, what);
                        assertThat(src.position()).as(what + ": position after").isEqualTo(offset + bytes.length);
                        assertThat(src.limit()).as(what + ": limit after").isEqualTo(offset + bytes.length);
                    }
                }
            }
        }
    }

    @Test
    void encodeAtAPositionInADirectBuffer() throws FrameDecodeException {
        Frame f = TestFrames.samplePong();
        byte[] expected = TestFrames.encode(f);
        ByteBuffer dst = ByteBuffer.allocateDirect(512).order(ByteOrder.LITTLE_ENDIAN);
        dst.position(33);
        FrameCodec.encode(f, dst);
        assertThat(dst.position()).isEqualTo(33 + expected.length);
        assertThat(bytesOf(dst, 33, 33 + expected.length)).isEqualTo(expected);
        dst.flip().position(33);
        Frame back = new Frame();
        FrameCodec.decode(dst, back);
        TestFrames.assertSameFields(back, f, "direct");
    }

    @Test
    void streamOfFramesCutWithPeekLength() throws FrameDecodeException {
        // What a TCP framer does: frames back to back, cut by the length field at offset 6.
        ByteBuffer stream = ByteBuffer.allocate(4096);
        for (Frame f : SAMPLES) {
            FrameCodec.encode(f, stream);
        }
        stream.flip();
        Frame into = new Frame();
        for (Frame f : SAMPLES) {
            int start = stream.position();
            int length = FrameCodec.peekLength(stream, start);
            ByteBuffer one = stream.duplicate();
            one.limit(start + length);
            FrameCodec.decode(one, into);
            TestFrames.assertSameFields(into, f, "framed " + f.type());
            stream.position(start + length);
        }
        assertThat(stream.hasRemaining()).isFalse();
    }

    // --- reuse -----------------------------------------------------------------------------

    @Test
    void decodingTheSamePongTwiceReusesTheReportAndStrings() throws FrameDecodeException {
        byte[] bytes = TestFrames.encode(TestFrames.samplePong());
        Frame into = new Frame();
        TestFrames.decode(bytes, into);
        LoadReport first = into.load();
        String node = into.nodeId();
        String name0 = first.customName(0);

        TestFrames.decode(bytes.clone(), into); // equal bytes, different array
        assertThat(into.load()).isSameAs(first);
        assertThat(into.nodeId()).isSameAs(node);
        assertThat(into.load().customName(0)).isSameAs(name0);

        // a PONG with another sequence and echo but the same load still reuses the report
        Frame next = TestFrames.samplePong();
        next.pong(next.epoch(), 43, 1, next.nodeId(), 44, 2, ServingStatus.SERVING, 0, next.load());
        TestFrames.decode(TestFrames.encode(next), into);
        assertThat(into.load()).isSameAs(first);
        assertThat(into.sequence()).isEqualTo(43);
        assertThat(into.status()).isEqualTo(ServingStatus.SERVING);
    }

    @Test
    void changedLoadYieldsANewEqualValuedReport() throws FrameDecodeException {
        Frame into = new Frame();
        TestFrames.decode(TestFrames.encode(TestFrames.samplePong()), into);
        LoadReport first = into.load();

        LoadReport busier = TestFrames.sampleLoad().toBuilder().cpu(0.9).build();
        TestFrames.decode(TestFrames.encode(TestFrames.samplePong(busier)), into);
        LoadReport second = into.load();
        assertThat(second).isNotSameAs(first).isEqualTo(busier);
        assertThat(first.cpu()).as("the earlier report is immutable").isEqualTo(0.425);

        // only a custom value changes
        LoadReport custom = TestFrames.sampleLoad().toBuilder().cpu(0.9).custom("gc.pause_ms", 4.0).build();
        TestFrames.decode(TestFrames.encode(TestFrames.samplePong(custom)), into);
        assertThat(into.load()).isNotSameAs(second).isEqualTo(custom);

        // only a custom name changes (same length)
        LoadReport renamed = LoadReport.builder().cpu(0.9).memory(0.6).inFlight(12).queueDepth(3)
                .requestsPerSecond(1234.5).errorRate(0.0015).latencyMicros(8500)
                .custom("pool.idlers", 12).custom("gc.pause_ms", 4.0).build();
        TestFrames.decode(TestFrames.encode(TestFrames.samplePong(renamed)), into);
        assertThat(into.load()).isEqualTo(renamed);
        assertThat(into.load().customName(0)).isEqualTo("pool.idlers");

        // one metric fewer
        LoadReport fewer = LoadReport.builder().cpu(0.9).memory(0.6).inFlight(12).queueDepth(3)
                .requestsPerSecond(1234.5).errorRate(0.0015).latencyMicros(8500).custom("pool.idlers", 12).build();
        TestFrames.decode(TestFrames.encode(TestFrames.samplePong(fewer)), into);
        assertThat(into.load()).isEqualTo(fewer);
        assertThat(into.load().customCount()).isEqualTo(1);

        // and back to the first: equal to it again
        TestFrames.decode(TestFrames.encode(TestFrames.samplePong()), into);
        assertThat(into.load()).isEqualTo(first);
    }

    @Test
    void changedNodeIdIsDecodedAfresh() throws FrameDecodeException {
        Frame into = new Frame();
        TestFrames.decode(TestFrames.encode(new Frame().ping(1, 0, 0, "node-a", 1)), into);
        assertThat(into.nodeId()).isEqualTo("node-a");
        TestFrames.decode(TestFrames.encode(new Frame().ping(1, 0, 0, "node-b", 1)), into);
        assertThat(into.nodeId()).isEqualTo("node-b");
        TestFrames.decode(TestFrames.encode(new Frame().ping(1, 0, 0, "node-bb", 1)), into);
        assertThat(into.nodeId()).isEqualTo("node-bb");
    }

    @Test
    void asciiAndOtherNodeIdsAreToldApartAndReused() throws FrameDecodeException {
        Frame into = new Frame();
        String[] ids = {"node-a", "n\u00f6de", "node-b", "n\u00f6de", "n\u00f6dez", "node-\u00e9", "node-e", "node-e"};
        String previous = null;
        for (String id : ids) {
            TestFrames.decode(TestFrames.encode(new Frame().ping(1, 0, 0, id, 1)), into);
            assertThat(into.nodeId()).isEqualTo(id);
            if (id.equals(previous)) {
                assertThat(into.nodeId()).as("unchanged: reused").isSameAs(previous);
            }
            previous = into.nodeId();
        }
    }

    @Test
    void aReaderHandsOverTheSendersBytesAndStringsAndTheDecodeReusesThem() throws FrameDecodeException {
        byte[] bytes = TestFrames.encode(TestFrames.samplePong());
        Frame first = TestFrames.decode(bytes);
        byte[] node = first.nodeIdUtf8(); // what a monitor keeps of a peer's node id
        String nodeString = first.nodeId();
        LoadFigures kept = new LoadFigures(); // and of its last PONG's figures
        kept.copyFrom(first.loadView());
        // A holder shared with other senders: it decoded someone else's frame last.
        Frame shared = TestFrames.decode(TestFrames.encode(new Frame().ping(1, 0, 0, "someone-else", 1)));
        TestFrames.decode(bytes.clone(), shared.reuseStrings(node, kept));
        assertThat(shared.nodeIdUtf8()).as("equal bytes: the very array handed over").isSameAs(node);
        assertThat(shared.nodeId()).as("its string, made when asked").isEqualTo(nodeString);
        assertThat(shared.loadView().customName(0)).isSameAs(kept.customName(0));
        assertThat(shared.loadView().customName(1)).isSameAs(kept.customName(1));
        // A node id that differs is decoded afresh, whatever was handed over, into an array of its own.
        TestFrames.decode(TestFrames.encode(new Frame().ping(1, 0, 0, "node-z", 1)), shared.reuseStrings(node, kept));
        assertThat(shared.nodeId()).isEqualTo("node-z");
        byte[] z = shared.nodeIdUtf8();
        assertThat(z).isNotSameAs(node).isEqualTo("node-z".getBytes(StandardCharsets.US_ASCII));
        assertThat(node).as("what was handed over is only compared with").isEqualTo(first.nodeIdUtf8())
                .isEqualTo(nodeString.getBytes(StandardCharsets.UTF_8));
        // Back to the holder's own: its last node id, bytes and string, is reused.
        String zString = shared.nodeId();
        TestFrames.decode(TestFrames.encode(new Frame().ping(1, 0, 0, "node-z", 1)), shared.reuseStrings(null, null));
        assertThat(shared.nodeIdUtf8()).isSameAs(z);
        assertThat(shared.nodeId()).isSameAs(zString);
    }

    @Test
    void aNodeIdKeptAsBytesRoundTripsEveryWidthOfChar() throws FrameDecodeException {
        String[] ids = {"node-1", "n\u00f6de", "\u20ac-\u0800-\uffff", "x\ud83d\ude00y", "\u007f\u0080", "\u0000"};
        Frame shared = new Frame();
        for (String id : ids) {
            byte[] wire = TestFrames.encode(new Frame().ping(1, 0, 0, id, 1));
            Frame alone = TestFrames.decode(wire);
            byte[] kept = alone.nodeIdUtf8();
            assertThat(kept).isEqualTo(id.getBytes(StandardCharsets.UTF_8));
            assertThat(alone.nodeId()).isEqualTo(id);
            // Handed over to a holder that decoded others since: the same array, the same string.
            TestFrames.decode(TestFrames.encode(new Frame().ping(1, 0, 0, "other", 1)), shared.reuseStrings(null, null));
            TestFrames.decode(wire.clone(), shared.reuseStrings(kept, null));
            assertThat(shared.nodeIdUtf8()).isSameAs(kept);
            assertThat(shared.nodeId()).isEqualTo(id);
            assertThat(new String(kept, StandardCharsets.UTF_8)).isEqualTo(id);
        }
    }

    @Test
    void aBuiltFrameHasNoNodeIdBytesAndADecodeAfterItMakesItsOwn() throws FrameDecodeException {
        Frame f = new Frame().ping(1, 0, 0, "node-a", 1);
        assertThat(f.nodeIdUtf8()).isNull();
        TestFrames.decode(TestFrames.encode(new Frame().ping(1, 0, 0, "node-a", 1)), f);
        assertThat(f.nodeIdUtf8()).isEqualTo("node-a".getBytes(StandardCharsets.US_ASCII));
        assertThat(f.nodeId()).isEqualTo("node-a");
        f.ping(1, 0, 0, "node-b", 1); // built again: the decoded bytes are no longer its node id
        assertThat(f.nodeIdUtf8()).isNull();
        assertThat(f.nodeId()).isEqualTo("node-b");
    }

    @Test
    void utf8ComparisonMatchesTheEncoderForEveryWidthOfChar() {
        String[] strings = {"a", "node-1", "n\u00f6de", "\u00e9", "\u20ac", "\u0800", "\u07ff", "\uffff",
            "x\ud83d\ude00y", "\ud83d\ude00", "\udbff\udfff", "\u0000", "\u007f", "\u0080"};
        for (String s : strings) {
            byte[] utf8 = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            ByteBuffer at3 = ByteBuffer.allocate(utf8.length + 5);
            at3.position(3);
            at3.put(utf8);
            assertThat(FrameCodec.isUtf8Of(at3, 3, utf8.length, s)).as("%s against its own bytes", s).isTrue();
            for (String other : strings) {
                if (!other.equals(s)) {
                    assertThat(FrameCodec.isUtf8Of(at3, 3, utf8.length, other)).as("%s against %s", other, s).isFalse();
                }
            }
            // One byte fewer, or one more, is not the string.
            assertThat(FrameCodec.isUtf8Of(at3, 3, utf8.length - 1, s)).isFalse();
            assertThat(FrameCodec.isUtf8Of(at3, 3, utf8.length + 1, s)).isFalse();
        }
        // A lone surrogate has no UTF-8 encoding: nothing equals it (the encoder writes '?' for it).
        ByteBuffer q = ByteBuffer.wrap(new byte[] {'?'});
        assertThat(FrameCodec.isUtf8Of(q, 0, 1, "\ud83d")).isFalse();
        assertThat(FrameCodec.isUtf8Of(ByteBuffer.wrap(new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0xbd}), 0, 3, "\ud83d"))
                .as("CESU-style bytes of a surrogate").isFalse();
        assertThat(FrameCodec.isUtf8Of(ByteBuffer.wrap(new byte[] {'?', '?'}), 0, 2, "\ude00\ud83d")).isFalse();
    }

    @Test
    void aFailedDecodeDoesNotPoisonTheNextOne() throws FrameDecodeException {
        Frame into = new Frame();
        byte[] good = TestFrames.encode(TestFrames.samplePong());
        TestFrames.decode(good, into);
        LoadReport first = into.load();
        // same node id and first metric name, broken later (non-finite second value)
        byte[] bad = TestFrames.put64(good.clone(), good.length - 2 - 8, Double.doubleToRawLongBits(Double.NaN));
        try {
            TestFrames.decode(bad, into);
            throw new AssertionError("expected a FrameDecodeException");
        } catch (FrameDecodeException expected) {
            assertThat(expected.reason()).isEqualTo(FrameDecodeException.Reason.FIELD_OUT_OF_RANGE);
        }
        TestFrames.decode(good, into);
        assertThat(into.load()).isEqualTo(first);
        TestFrames.assertSameFields(into, TestFrames.samplePong(), "after a failure");
    }

    /**
     * A responder decodes each PING into the holder it then builds its PONG in: building clears the
     * node id fields, but the next decode still reuses the monitor's node id (bytes and string),
     * so answering allocates nothing for it.
     */
    @Test
    void aHolderThatBuiltAFrameSinceStillReusesTheNodeIdItDecodedLast() throws FrameDecodeException {
        byte[] ping = TestFrames.encode(new Frame().ping(1, 0, 0, "monitor-1", 1));
        Frame f = new Frame();
        TestFrames.decode(ping, f);
        byte[] bytes = f.nodeIdUtf8();
        String text = f.nodeId();
        f.pong(2, 0, 0, "responder-1", 0, 0, ServingStatus.SERVING, 0, LoadReport.UNKNOWN);
        assertThat(f.nodeIdUtf8()).isNull();
        assertThat(f.nodeId()).isEqualTo("responder-1");
        TestFrames.decode(ping, f);
        assertThat(f.nodeIdUtf8()).isSameAs(bytes);
        assertThat(f.nodeId()).isSameAs(text);
        TestFrames.decode(TestFrames.encode(new Frame().ping(1, 0, 0, "monitor-2", 1)), f);
        assertThat(f.nodeIdUtf8()).isNotSameAs(bytes);
        assertThat(f.nodeId()).isEqualTo("monitor-2");
    }

    @Test
    void decodingPingsAndBuildingPongsInOneHolderAllocatesNothing() throws FrameDecodeException {
        com.sun.management.ThreadMXBean mx = allocationCounter();
        ByteBuffer src = ByteBuffer.wrap(TestFrames.encode(TestFrames.samplePing()));
        ByteBuffer dst = ByteBuffer.allocate(1024);
        Frame f = new Frame();
        int n = 20_000;
        long before = 0;
        for (int round = 0; round < 2; round++) { // the first round warms up
            if (round == 1) {
                before = mx.getThreadAllocatedBytes(Thread.currentThread().getId());
            }
            for (int i = 0; i < n; i++) {
                src.clear();
                FrameCodec.decode(src, f);
                f.nodeId(); // a responder may read it (its replay window does)
                f.pong(2, i, 0, "responder-1", f.sequence(), f.sendTimeNanos(), ServingStatus.SERVING, 0,
                        LoadReport.UNKNOWN);
                dst.clear();
                FrameCodec.encode(f, dst);
            }
        }
        long allocated = mx.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
        assertThat(allocated).as("bytes allocated by %d PING decodes and PONG builds in one holder", n)
                .isLessThan(n / 4);
    }

    @Test
    void steadyStateDecodeAndEncodeAllocateNothing() throws FrameDecodeException {
        com.sun.management.ThreadMXBean mx = allocationCounter();
        byte[] withExtensions = TestFrames.rebuild(TestFrames.encode(TestFrames.samplePong()),
                TestFrames.unhex("0042 0003 616263"), 0, new byte[0]);
        for (byte[] bytes : new byte[][] {TestFrames.encode(TestFrames.samplePong()),
                TestFrames.encode(TestFrames.samplePing()), withExtensions}) {
            ByteBuffer src = ByteBuffer.wrap(bytes);
            ByteBuffer dst = ByteBuffer.allocate(1024);
            Frame into = new Frame();
            int n = 20_000;
            for (int i = 0; i < n; i++) { // warm-up: first decode allocates the report and strings
                src.clear();
                FrameCodec.decode(src, into);
            }
            long tid = Thread.currentThread().getId();
            long before = mx.getThreadAllocatedBytes(tid);
            for (int i = 0; i < n; i++) {
                src.clear();
                FrameCodec.decode(src, into);
                dst.clear();
                FrameCodec.encode(into, dst);
            }
            long allocated = mx.getThreadAllocatedBytes(tid) - before;
            // a few bytes of slack for the measurement itself; one string per frame would be ~500 KB
            assertThat(allocated).as("bytes allocated by %d decode+encode of %s", n, into.type())
                    .isLessThan(n / 4);
        }
    }

    @Test
    void decodedReportsKeepTheirOwnArrays() throws FrameDecodeException {
        Frame into = new Frame();
        TestFrames.decode(TestFrames.encode(TestFrames.samplePong()), into);
        LoadReport first = into.load();
        String[] names = Arrays.copyOf(first.names(), first.customCount());
        LoadReport other = LoadReport.builder().custom("x", 1).custom("y", 2).build();
        TestFrames.decode(TestFrames.encode(TestFrames.samplePong(other)), into);
        assertThat(first.names()).containsExactly(names);
        assertThat(first.customValue(1)).isEqualTo(3.5);
    }

    /** The JVM's per-thread allocation counter; the test is skipped where there is none. */
    private static com.sun.management.ThreadMXBean allocationCounter() {
        java.lang.management.ThreadMXBean plain = ManagementFactory.getThreadMXBean();
        assumeTrue(plain instanceof com.sun.management.ThreadMXBean, "per-thread allocation counter");
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) plain;
        assumeTrue(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled(),
                "per-thread allocation counter enabled");
        return mx;
    }
}
