package dev.heartbeat.tcp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which connection a full server gives up, on scripted times. */
class IdlestChoiceTest {

    record Conn(String name, long lastActiveNanos, boolean evictable) implements IdlestChoice.Candidate {
    }

    @Test
    void theConnectionQuietLongestIsChosen() {
        long now = -1_000L; // a ticker may be negative: only differences count
        Conn pinged = new Conn("pinged just now", now - 1, true);
        Conn hoarder = new Conn("pinged an hour ago", now - 3_600_000_000_000L, true);
        Conn fresh = new Conn("accepted, no PING yet", now - 5, true);
        assertThat(IdlestChoice.idlest(List.of(pinged, hoarder, fresh), now)).isSameAs(hoarder);
    }

    @Test
    void connectionsAlreadyClosingOrChosenAreSkipped() {
        long now = 42;
        Conn closing = new Conn("closing", now - 1_000, false);
        Conn next = new Conn("next", now - 10, true);
        assertThat(IdlestChoice.idlest(List.of(closing, next), now)).isSameAs(next);
        assertThat(IdlestChoice.idlest(List.of(closing), now)).isNull();
        assertThat(IdlestChoice.idlest(List.<Conn>of(), now)).isNull();
    }

    @Test
    void tiesGoToTheFirstFoundAndTimesAcrossZeroCompareByDifference() {
        long now = 5;
        Conn a = new Conn("a", -10, true);
        Conn b = new Conn("b", -10, true);
        Conn c = new Conn("c", Long.MIN_VALUE + 100, true); // far in the past, across the sign
        assertThat(IdlestChoice.idlest(List.of(a, b), now)).isSameAs(a);
        assertThat(IdlestChoice.idlest(List.of(a, c, b), Long.MIN_VALUE + 200)).isSameAs(c);
    }
}
