package dev.heartbeat.failover;

import static org.assertj.core.api.Assertions.assertThat;

import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.Peer;
import dev.heartbeat.peer.PeerState;
import dev.heartbeat.peer.Usability;
import dev.heartbeat.protocol.LoadReport;
import dev.heartbeat.protocol.ServingStatus;
import dev.heartbeat.testing.ManualTicker;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Age of the last PONG and the median RTT, on virtual time. */
class LoadSamplesTest {

    private static final long MS = 1_000_000L;

    private static final Peer PEER = new Peer() {
        @Override
        public String name() {
            return "p";
        }

        @Override
        public String address() {
            return "p:1";
        }

        @Override
        public Liveness liveness() {
            return Liveness.ALIVE;
        }

        @Override
        public Usability usability() {
            return Usability.USABLE;
        }

        @Override
        public PeerState state() {
            throw new UnsupportedOperationException();
        }
    };

    @Test
    void ageIsMeasuredOnTheTickerFromTheLastPong() {
        ManualTicker t = new ManualTicker();
        LoadSamples s = LoadSamples.create(t);
        assertThat(s.ageNanos(PEER, t.nanoTime())).isEqualTo(-1);
        assertThat(s.rttNanos(PEER)).isEqualTo(-1);
        s.onPongMatched(PEER, 2 * MS, ServingStatus.SERVING, LoadReport.UNKNOWN);
        t.advance(Duration.ofMillis(300));
        assertThat(s.ageNanos(PEER, t.nanoTime())).isEqualTo(300 * MS);
        s.forget(PEER);
        assertThat(s.size()).isZero();
    }

    @Test
    void theRttIsTheMedianOfTheLastFiveSoAFreezesQueuedAnswersAreForgottenQuickly() {
        LoadSamples s = LoadSamples.create(new ManualTicker());
        s.onPongMatched(PEER, 3 * MS, ServingStatus.SERVING, LoadReport.UNKNOWN);
        assertThat(s.rttNanos(PEER)).isEqualTo(3 * MS);
        s.onPongMatched(PEER, 90 * MS, ServingStatus.SERVING, LoadReport.UNKNOWN); // one noisy sample
        s.onPongMatched(PEER, 2 * MS, ServingStatus.SERVING, LoadReport.UNKNOWN);
        assertThat(s.rttNanos(PEER)).isEqualTo(3 * MS);
        // a frozen peer resumes: the PINGs that queued up are answered at once, oldest first
        for (long rtt : new long[] {1500, 1400, 1300, 1200, 1100, 1000}) {
            s.onPongMatched(PEER, rtt * MS, ServingStatus.SERVING, LoadReport.UNKNOWN);
        }
        assertThat(s.rttNanos(PEER)).isEqualTo(1200 * MS);
        s.onPongMatched(PEER, 2 * MS, ServingStatus.SERVING, LoadReport.UNKNOWN);
        s.onPongMatched(PEER, 2 * MS, ServingStatus.SERVING, LoadReport.UNKNOWN);
        s.onPongMatched(PEER, 3 * MS, ServingStatus.SERVING, LoadReport.UNKNOWN);
        assertThat(s.rttNanos(PEER)).as("three fresh samples later").isEqualTo(3 * MS);
    }
}
