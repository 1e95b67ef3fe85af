package dev.heartbeat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.PeerEvent;
import dev.heartbeat.peer.PeerState;
import dev.heartbeat.peer.Usability;
import dev.heartbeat.protocol.LoadReport;
import dev.heartbeat.protocol.ServingStatus;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The JSON-lines format is API (docs/cli.md): these are its golden lines. */
class JsonTest {

    private static final Instant TS = Instant.parse("2026-11-24T13:45:01.123Z");

    @Test
    void transitionEventGoldenLine() {
        LoadReport load = LoadReport.builder().cpu(0.25).memory(0.5).inFlight(3).queueDepth(0).build();
        PeerState s = new PeerState("alpha", "127.0.0.1:7001", Liveness.DEAD, Usability.UNKNOWN, "φ 8.43 >= 8.0 (silent 760 ms)",
                8.4321, 312_000, 300_000, ServingStatus.SERVING, load, 0x0123456789abcdefL, "alpha", TS);
        PeerEvent e = new PeerEvent(PeerEvent.Kind.TRANSITION, "alpha", Liveness.SUSPECT, Liveness.DEAD, Usability.USABLE,
                Usability.UNKNOWN, "φ 8.43 >= 8.0 (silent 760 ms)", TS, s);
        assertThat(Json.event(e)).isEqualTo("{\"v\":1,\"ts\":\"2026-11-24T13:45:01.123Z\",\"peer\":\"alpha\","
                + "\"address\":\"127.0.0.1:7001\",\"kind\":\"TRANSITION\","
                + "\"from\":{\"liveness\":\"SUSPECT\",\"usability\":\"USABLE\"},"
                + "\"to\":{\"liveness\":\"DEAD\",\"usability\":\"UNKNOWN\"},"
                + "\"reason\":\"\\u03c6 8.43 >= 8.0 (silent 760 ms)\",\"phi\":8.432,\"rtt_ms\":0.312,\"status\":\"SERVING\","
                + "\"epoch\":\"0123456789abcdef\",\"node_id\":\"alpha\","
                + "\"load\":{\"cpu\":0.25,\"memory\":0.5,\"in_flight\":3,\"queue_depth\":0,\"rps\":null,"
                + "\"error_rate\":null,\"latency_us\":null,\"custom\":{}}}");
    }

    @Test
    void unknownsAreNullAndStringsAreEscaped() {
        PeerState s = new PeerState("a\"b", "h:1", Liveness.UNKNOWN, Usability.UNKNOWN, "added", Double.POSITIVE_INFINITY, -1,
                -1, null, LoadReport.UNKNOWN, 0, null, TS);
        PeerEvent e = new PeerEvent(PeerEvent.Kind.ADDED, "a\"b", Liveness.UNKNOWN, Liveness.UNKNOWN, Usability.UNKNOWN,
                Usability.UNKNOWN, "line\nbreak \\ tab\t", TS, s);
        assertThat(Json.event(e)).isEqualTo("{\"v\":1,\"ts\":\"2026-11-24T13:45:01.123Z\",\"peer\":\"a\\\"b\","
                + "\"address\":\"h:1\",\"kind\":\"ADDED\","
                + "\"from\":{\"liveness\":\"UNKNOWN\",\"usability\":\"UNKNOWN\"},"
                + "\"to\":{\"liveness\":\"UNKNOWN\",\"usability\":\"UNKNOWN\"},"
                + "\"reason\":\"line\\nbreak \\\\ tab\\t\",\"phi\":null,\"rtt_ms\":null,\"status\":null,\"epoch\":null,"
                + "\"node_id\":null,\"load\":{\"cpu\":null,\"memory\":null,\"in_flight\":null,\"queue_depth\":null,"
                + "\"rps\":null,\"error_rate\":null,\"latency_us\":null,\"custom\":{}}}");
    }

    @Test
    void unreachableProbeResult() {
        assertThat(Json.probe("127.0.0.1:1", 2, "unreachable", null, "connection refused", 3_500_000))
                .isEqualTo("{\"v\":1,\"address\":\"127.0.0.1:1\",\"result\":\"unreachable\",\"exit\":2,\"liveness\":null,"
                        + "\"usability\":null,\"reason\":\"connection refused\",\"elapsed_ms\":3.5}");
    }
}
