package dev.heartbeat.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The mutable load view: figures at the wire's resolution, copied and compared without allocating. */
class LoadFiguresTest {

    private static final LoadReport FULL = LoadReport.builder().cpu(0.4251).memory(0.6).inFlight(12).queueDepth(3)
            .requestsPerSecond(1234.5).errorRate(0.0015).latencyMicros(8500).custom("pool.idle", 12)
            .custom("gc.pause_ms", 3.5).build();

    @Test
    void startsUnknownLikeTheUnknownReport() {
        LoadFigures f = new LoadFigures();
        assertThat(f.toReport()).isEqualTo(LoadReport.UNKNOWN);
        assertThat(f.sameAs(LoadReport.UNKNOWN)).isTrue();
        assertThat(f.cpu()).isNaN();
        assertThat(f.inFlight()).isEqualTo(-1);
    }

    @Test
    void copiesAReportAndComparesWithIt() {
        LoadFigures f = new LoadFigures();
        assertThat(f.sameAs(FULL)).isFalse();
        f.copyFrom(FULL);
        assertThat(f.sameAs(FULL)).isTrue();
        assertThat(f.toReport()).isEqualTo(FULL).isNotSameAs(FULL);
        assertThat(f.customName(1)).isEqualTo("gc.pause_ms");
        assertThat(f.customValue(1)).isEqualTo(3.5);

        LoadFigures g = new LoadFigures();
        g.copyFrom(f);
        assertThat(g.sameAs(f)).isTrue();
        g.copyFrom(FULL.toBuilder().custom("gc.pause_ms", 4.0).build());
        assertThat(g.sameAs(f)).as("a custom value differs").isFalse();
        g.copyFrom(LoadReport.UNKNOWN);
        assertThat(g.customCount()).isZero();
        assertThat(g.sameAs(LoadReport.UNKNOWN)).isTrue();
    }

    @Test
    void keepsTheWireResolution() {
        LoadFigures f = new LoadFigures();
        f.copyFrom(LoadReport.builder().cpu(0.123456).build());
        assertThat(f.cpu()).isEqualTo(0.1235);
    }

    @Test
    void aCustomIndexOutOfRangeIsRefusedWithItsBounds() {
        LoadFigures f = new LoadFigures();
        f.copyFrom(FULL);
        assertThatThrownBy(() -> f.customName(2)).isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessage("custom metric index : 2 (expected: 0..1)");
    }

    @Test
    void aDecodedPongsViewIsItsFiguresAndItsReportIsMadeOnDemand() throws FrameDecodeException {
        Frame into = new Frame();
        TestFrames.decode(TestFrames.encode(TestFrames.samplePong(FULL)), into);
        LoadView view = into.loadView();
        assertThat(view).isInstanceOf(LoadFigures.class);
        assertThat(((LoadFigures) view).sameAs(TestFrames.quantised(FULL))).isTrue();
        assertThat(into.load()).isEqualTo(TestFrames.quantised(FULL));
        assertThat(into.loadView()).as("the same holder, refilled by the next decode").isSameAs(view);
    }

    @Test
    void theFixedFiguresAsValuesCompareAndReportAsTheFiguresDo() {
        LoadReport fixed = LoadReport.builder().cpu(0.4251).memory(0.6).inFlight(12).queueDepth(3)
                .requestsPerSecond(1234.5).errorRate(0.0015).latencyMicros(8500).build();
        LoadFigures f = new LoadFigures();
        f.copyFrom(fixed);
        long fractions = LoadFigures.fractionsOf(fixed);
        assertThat(fractions).isEqualTo(LoadFigures.fractionsOf(f));
        int inFlight = LoadFigures.countOf(fixed.inFlight());
        int queue = LoadFigures.countOf(fixed.queueDepth());
        int latency = LoadFigures.countOf(fixed.latencyMicros());
        float rate = (float) fixed.requestsPerSecond();
        assertThat(LoadFigures.sameFixed(fixed, fractions, inFlight, queue, rate, latency)).isTrue();
        assertThat(LoadFigures.sameFixed(f, fractions, inFlight, queue, rate, latency)).isTrue();
        assertThat(LoadFigures.sameFixed(fixed.toBuilder().queueDepth(4).build(), fractions, inFlight, queue, rate,
                latency)).isFalse();
        assertThat(LoadFigures.sameFixed(FULL, fractions, inFlight, queue, rate, latency))
                .as("the custom metric count is part of the fractions").isFalse();
        assertThat(LoadFigures.report(fractions, inFlight, queue, rate, latency)).isEqualTo(fixed).isEqualTo(f.toReport());
        assertThat(LoadFigures.report(LoadFigures.UNKNOWN_FRACTIONS, -1, -1, Float.NaN, -1)).isEqualTo(LoadReport.UNKNOWN);
        assertThat(LoadFigures.countOf(-5)).isEqualTo(-1);
        assertThat(LoadFigures.countOf(Long.MAX_VALUE)).isEqualTo(Integer.MAX_VALUE);
    }
}
