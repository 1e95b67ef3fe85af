package dev.heartbeat.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.heartbeat.detect.UsabilityPolicy;
import dev.heartbeat.peer.FrameRejection;
import dev.heartbeat.peer.Usability;
import dev.heartbeat.protocol.Frame;
import dev.heartbeat.protocol.LoadReport;
import dev.heartbeat.protocol.ServingStatus;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Peers decode into one holder per thread. The rule that makes that safe: a frame delivered on
 * the same thread while another is being handled (from a policy, an observer or a listener, as an
 * in-memory transport can) is decoded into a holder of its own, so the frame being handled is not
 * overwritten under it.
 */
class SharedDecodeHolderTest {

    private static final long A = 0xAAAA_0001L;

    @Test
    void aFrameDeliveredWhileAnotherIsHandledDoesNotOverwriteIt() {
        AtomicReference<Scripted> script = new AtomicReference<>();
        AtomicReference<Frame> nested = new AtomicReference<>();
        UsabilityPolicy base = MonitorConfig.ofDefaults().usabilityPolicy();
        UsabilityPolicy reentrant = (status, load, rtt, baseline, out) -> {
            Frame f = nested.getAndSet(null);
            if (f != null) {
                script.get().deliver(f); // on this thread, in the middle of handling a PONG
            }
            base.evaluate(status, load, rtt, baseline, out);
        };
        try (Scripted s = new Scripted(MonitorConfig.custom().usabilityPolicy(reentrant).build(), null)) {
            script.set(s);
            Frame p1 = s.lastPing();
            s.answer(p1, A);
            Frame p2 = s.nextPing();
            // A second answer to p1, from another node id, with other load figures: a duplicate.
            nested.set(new Frame().pong(A, 1, 0, "intruder", p1.sequence(), p1.sendTimeNanos(), ServingStatus.DRAINING,
                    5_000, LoadReport.builder().cpu(0.9).build()));
            s.deliver(new Frame().pong(A, 1, 0, "outer", p2.sequence(), p2.sendTimeNanos(), ServingStatus.SERVING, 0,
                    LoadReport.builder().cpu(0.25).build()));
            assertThat(nested.get()).as("the nested frame was delivered").isNull();
            assertThat(s.peer.rejectedFrames(FrameRejection.DUPLICATE)).isEqualTo(1);
            // What the outer PONG's handling read after the nested decode is still the outer PONG.
            assertThat(s.peer.state().nodeId()).isEqualTo("outer");
            assertThat(s.peer.load().cpu()).isEqualTo(0.25);
            assertThat(s.peer.state().status()).isEqualTo(ServingStatus.SERVING);
        }
    }

    @Test
    void aVerdictMadeWhileAnotherFrameIsHandledDoesNotOverwriteTheOuterVerdict() {
        AtomicReference<Scripted> script = new AtomicReference<>();
        AtomicReference<Frame> nested = new AtomicReference<>();
        UsabilityPolicy base = MonitorConfig.ofDefaults().usabilityPolicy();
        UsabilityPolicy reentrant = (status, load, rtt, baseline, out) -> {
            base.evaluate(status, load, rtt, baseline, out);
            Frame f = nested.getAndSet(null);
            if (f != null) {
                script.get().deliver(f); // after the outer verdict was made, before it is offered
            }
        };
        try (Scripted s = new Scripted(MonitorConfig.custom().usabilityPolicy(reentrant).build(), null)) {
            script.set(s);
            s.answer(s.lastPing(), A);
            assertThat(s.peer.usability()).isEqualTo(Usability.USABLE);
            Frame p2 = s.nextPing();
            Frame p3 = s.nextPing();
            // The nested PONG (to the later PING) says SERVING; the outer one says DRAINING.
            nested.set(Scripted.pong(p3, A, ServingStatus.SERVING, 0));
            s.deliver(Scripted.pong(p2, A, ServingStatus.DRAINING, 0));
            assertThat(nested.get()).as("the nested frame was delivered").isNull();
            assertThat(s.peer.rejectedFrames()).isZero(); // both were used
            // The outer DRAINING verdict was offered as made, not replaced by the nested SERVING one.
            assertThat(s.peer.usability()).isEqualTo(Usability.UNUSABLE);
            assertThat(s.peer.state().reason()).contains("DRAINING");
        }
    }

    @Test
    void aPolicyThatFillsNothingGivesUnknownNotAnotherPeersVerdict() {
        UsabilityPolicy lazy = (status, load, rtt, baseline, out) -> {
        };
        try (Scripted s = new Scripted(MonitorConfig.custom().usabilityPolicy(lazy).build(), null)) {
            s.answer(s.lastPing(), A);
            s.answer(s.nextPing(), A);
            assertThat(s.peer.liveness()).isEqualTo(dev.heartbeat.peer.Liveness.ALIVE);
            assertThat(s.peer.usability()).isEqualTo(Usability.UNKNOWN);
        }
    }

    @Test
    void aRepeatedNodeIdIsTheSameArrayAcrossPongs() {
        try (Scripted s = new Scripted()) {
            s.answer(s.lastPing(), A);
            byte[] first = ((PeerMonitor) s.peer).nodeIdUtf8();
            String id = s.peer.state().nodeId();
            s.answer(s.nextPing(), A);
            // decoded against the bytes the peer holds: no new array, the same value for readers
            assertThat(((PeerMonitor) s.peer).nodeIdUtf8()).isSameAs(first);
            assertThat(s.peer.state().nodeId()).isEqualTo(id);
        }
    }
}
