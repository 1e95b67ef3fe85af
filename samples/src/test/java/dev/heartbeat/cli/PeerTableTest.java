package dev.heartbeat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.PeerState;
import dev.heartbeat.peer.Usability;
import dev.heartbeat.protocol.LoadReport;
import dev.heartbeat.protocol.ServingStatus;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The table's cells keep their widths whatever the peers report; see MonitorTableTerminalTest for a real terminal. */
class PeerTableTest {

    private static PeerState state(String name, Liveness l, Usability u, String reason, double phi, long rtt,
                                   LoadReport load) {
        return new PeerState(name, "127.0.0.1:1", l, u, reason, phi, rtt, rtt, ServingStatus.SERVING, load, 1L, "n",
                Instant.EPOCH);
    }

    private static final String PHI_REASON = "\u03c6 8.04 >= 8.0 (silent 762 ms)";

    private static List<PeerState> peers() {
        LoadReport busy = LoadReport.builder().cpu(0.22).memory(0.01).inFlight(LoadReport.MAX_COUNT).build();
        return List.of(
                state("127.0.0.1:17511", Liveness.ALIVE, Usability.USABLE, "status SERVING for 3 heartbeats", 0.1, 850_000,
                        busy),
                state("127.0.0.1:17512", Liveness.DEAD, Usability.UNKNOWN, PHI_REASON, Double.MAX_VALUE, 1_234_567_890_123L,
                        LoadReport.UNKNOWN));
    }

    @Test
    void phiRttAndCountsHaveFixedWidths() {
        assertThat(PeerTable.phi(Double.MAX_VALUE)).isEqualTo("∞");
        assertThat(PeerTable.phi(Double.POSITIVE_INFINITY)).isEqualTo("∞");
        assertThat(PeerTable.phi(123.4)).isEqualTo(">99");
        assertThat(PeerTable.phi(99.99)).isEqualTo("99.99");
        assertThat(PeerTable.phi(-0.001)).isEqualTo("0.00");
        assertThat(PeerTable.phi(Double.NaN)).isEqualTo("-");
        assertThat(PeerTable.rtt(850_000)).isEqualTo("0.85ms");
        assertThat(PeerTable.rtt(12_340_000)).isEqualTo("12.3ms");
        assertThat(PeerTable.rtt(812_000_000)).isEqualTo("812ms");
        assertThat(PeerTable.rtt(1_500_000_000)).isEqualTo("1.5s");
        assertThat(PeerTable.rtt(Long.MAX_VALUE)).isEqualTo(">999s");
        assertThat(PeerTable.percent(0.22)).isEqualTo("22%");
        assertThat(PeerTable.percent(200)).isEqualTo(">999%");
        assertThat(PeerTable.count(Long.MAX_VALUE)).isEqualTo("9.2E");
        assertThat(PeerTable.count(99_999_999)).isEqualTo("99999999");
        assertThat(PeerTable.count(123_456_789)).isEqualTo("123M");
        assertThat(PeerTable.count(-1)).isEqualTo("-");
    }

    @Test
    void at200ColumnsEveryReasonIsInlineAndWhole() {
        List<String> lines = PeerTable.render(peers(), 200);
        assertThat(lines).hasSize(3).allSatisfy(l -> assertThat(Text.width(l)).isLessThanOrEqualTo(200));
        assertThat(lines.get(0)).startsWith("PEER            LIVENESS").endsWith("INFLIGHT  REASON");
        assertThat(lines.get(1)).startsWith("127.0.0.1:17511 ALIVE    USABLE     0.10 0.85ms   22%    1%     2.1G  status SERVING");
        assertThat(lines.get(2)).startsWith("127.0.0.1:17512 DEAD     UNKNOWN       ∞  >999s     -     -        -  ")
                .endsWith(PHI_REASON);
    }

    @Test
    void at80ColumnsTheReasonGoesBelowItsRowAndTheColumnsStay() {
        List<String> lines = PeerTable.render(peers(), 80);
        assertThat(lines).hasSize(6).allSatisfy(l -> assertThat(Text.width(l)).isLessThanOrEqualTo(80));
        assertThat(lines.get(0)).endsWith("INFLIGHT");
        assertThat(lines.get(1)).isEqualTo("    REASON");
        assertThat(lines.get(3)).isEqualTo("    status SERVING for 3 heartbeats");
        assertThat(lines.get(4)).startsWith("127.0.0.1:17512 DEAD     UNKNOWN       ∞");
        assertThat(lines.get(5)).isEqualTo("    " + PHI_REASON);
    }

    @Test
    void longNamesKeepTheirDistinguishingEnds() {
        List<PeerState> p = List.of(
                state("orders.eu-west-1.internal.example.com:7070", Liveness.ALIVE, Usability.USABLE, "ok", 0, 1, LoadReport.UNKNOWN),
                state("orders.eu-west-1.internal.example.com:7071", Liveness.ALIVE, Usability.USABLE, "ok", 0, 1, LoadReport.UNKNOWN));
        List<String> lines = PeerTable.render(p, 80);
        String a = lines.get(2).split(" ")[0];
        String b = lines.get(4).split(" ")[0];
        assertThat(a).endsWith("7070").contains("…");
        assertThat(b).endsWith("7071");
        assertThat(a).isNotEqualTo(b);
        // On a terminal too narrow even for the fixed columns, nothing is wider than the terminal.
        assertThat(PeerTable.render(p, 50)).allSatisfy(l -> assertThat(Text.width(l)).isLessThanOrEqualTo(50));
    }

    @Test
    void whatPeersSayIsEscaped() {
        PeerState hostile = state("evil\u001b[2J", Liveness.ALIVE, Usability.USABLE, "status\u001b]0;pwned\u0007 \u202eSERVING",
                0, 1, LoadReport.UNKNOWN);
        assertThat(PeerTable.render(List.of(hostile), 0)).allSatisfy(l -> assertThat(l).doesNotContainPattern(TextTest.ACTIVE))
                .anySatisfy(l -> assertThat(l).contains("evil\\e[2J", "status\\e]0;pwned\\x07 \\u202eSERVING"));
    }
}
