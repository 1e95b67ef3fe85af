package dev.heartbeat.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class ParsingTest {

    @Test
    void durationsAsPeopleWriteThem() {
        assertThat(DurationConverter.parse("100ms")).isEqualTo(Duration.ofMillis(100));
        assertThat(DurationConverter.parse("1s")).isEqualTo(Duration.ofSeconds(1));
        assertThat(DurationConverter.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(DurationConverter.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(DurationConverter.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(DurationConverter.parse(" 250MS ")).isEqualTo(Duration.ofMillis(250));
        assertThat(DurationConverter.parse("0ms")).isEqualTo(Duration.ZERO);
    }

    @Test
    void badDurationsSayWhatIsAllowed() {
        for (String bad : new String[] {"5", "5x", "-1s", "s", "", "1 s 2", "1e3ms"}) {
            assertThatThrownBy(() -> DurationConverter.parse(bad)).as(bad)
                    .isInstanceOf(TypeConversionException.class)
                    .hasMessageContaining("'" + bad + "'")
                    .hasMessageContaining("expected: a number and a unit ms, s, m or h");
        }
        // No range here: the converter does not know the option; each option checks its own range.
        assertThat(DurationConverter.parse("9000h")).isEqualTo(Duration.ofHours(9000));
        assertThat(DurationConverter.parse("99999999999999999999h")).isEqualTo(DurationConverter.SATURATED);
        assertThat(DurationConverter.parse("2562048h")).isEqualTo(DurationConverter.SATURATED); // past 2^63 ns
    }

    @Test
    void portsAsTyped() {
        PortConverter c = new PortConverter();
        assertThat(c.convert("0")).isZero();
        assertThat(c.convert("65535")).isEqualTo(65_535);
        assertThat(c.convert("007070")).isEqualTo(7070);
        assertThatThrownBy(() -> c.convert("65536")).hasMessage("'65536' is out of range (expected: 0..65535; 0 picks a free port)");
        assertThatThrownBy(() -> c.convert("http")).hasMessage("'http' is not a port number (expected: 0..65535; 0 picks a free port)");
    }

    @Test
    void durationsFormatTheWayTheyParse() {
        assertThat(DurationConverter.format(Duration.ofMillis(100))).isEqualTo("100ms");
        assertThat(DurationConverter.format(Duration.ofSeconds(40))).isEqualTo("40s");
        assertThat(DurationConverter.format(Duration.ofMillis(1500))).isEqualTo("1.5s");
        assertThat(DurationConverter.format(Duration.ofMinutes(2))).isEqualTo("2m");
    }

    @Test
    void addresses() {
        assertThat(HostPort.parse("127.0.0.1:7070")).isEqualTo(new HostPort("127.0.0.1", 7070));
        assertThat(HostPort.parse("[::1]:7070")).isEqualTo(new HostPort("::1", 7070));
        assertThat(HostPort.parse("[::1]:7070").toString()).isEqualTo("[::1]:7070");
        assertThat(HostPort.parse("orders.internal:80").toString()).isEqualTo("orders.internal:80");
        assertThatThrownBy(() -> HostPort.parse("127.0.0.1")).hasMessageContaining("expected: HOST:PORT");
        assertThatThrownBy(() -> HostPort.parse("::1:7070")).hasMessageContaining("IPv6 host in brackets");
        assertThatThrownBy(() -> HostPort.parse("h:0")).hasMessageContaining("expected: 1..65535");
        assertThatThrownBy(() -> HostPort.parse("h:http")).hasMessageContaining("port 'http' (expected: 1..65535)");
        assertThatThrownBy(() -> HostPort.parse(":7070")).hasMessageContaining("expected: HOST:PORT");
    }

    @Test
    void hostsAreNamesOrIpLiterals() {
        assertThat(HostPort.parse("my_host-1.example:80")).isEqualTo(new HostPort("my_host-1.example", 80));
        assertThat(HostPort.parse("[fe80::1%eth0]:7070")).isEqualTo(new HostPort("fe80::1%eth0", 7070));
        assertThat(HostPort.parse("[::ffff:10.0.0.1]:7070").host()).isEqualTo("::ffff:10.0.0.1");
        for (String bad : new String[] {"=h:1", "a=b:1", "h h:1", "h/x:1", "h@x:1", "[h]:1", "[zz::1]:1"}) {
            assertThatThrownBy(() -> HostPort.parse(bad)).as(bad).isInstanceOf(TypeConversionException.class)
                    .hasMessageStartingWith("'" + bad + "' has host '").hasMessageContaining("(expected: ");
        }
    }

    @Test
    void aBracketedHostWithoutAPortSaysThePortIsMissing() {
        for (String bad : new String[] {"[::1]", "[::1]:", " [::1] "}) {
            assertThatThrownBy(() -> HostPort.parse(bad)).as(bad)
                    .hasMessage("'" + bad + "' is missing a port (expected: [IPV6]:PORT, e.g. [::1]:7070)");
        }
        assertThatThrownBy(() -> HostPort.parse("[::1")).hasMessageContaining("no ']' after the IPv6 host");
        assertThatThrownBy(() -> HostPort.parse("[]:1")).hasMessageContaining("empty host");
        assertThatThrownBy(() -> HostPort.parse("[::1]x")).hasMessageContaining("expected: ':' and a port after ']'");
    }
}
