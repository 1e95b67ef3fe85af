package dev.heartbeat.udp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** The decision behind the unauthenticated-exposure warning (no socket needed). */
class ExposureTest {

    @Test
    void warnsOnlyForUnauthenticatedNonLoopbackAddresses() throws Exception {
        assertThat(Exposure.unauthenticatedWarning(InetAddress.getByName("127.0.0.1"), 7070, false)).isNull();
        assertThat(Exposure.unauthenticatedWarning(InetAddress.getByName("::1"), 7070, false)).isNull();
        assertThat(Exposure.unauthenticatedWarning(InetAddress.getByName("0.0.0.0"), 7070, true)).isNull();
        assertThat(Exposure.unauthenticatedWarning(InetAddress.getByName("10.1.2.3"), 7070, true)).isNull();
        assertThat(Exposure.unauthenticatedWarning(InetAddress.getByName("0.0.0.0"), 7070, false))
                .contains("0.0.0.0:7070 (every interface)", "UNAUTHENTICATED", "--key-file");
        assertThat(Exposure.unauthenticatedWarning(InetAddress.getByName("10.1.2.3"), 7070, false))
                .contains("10.1.2.3:7070", "non-loopback");
        assertThat(Exposure.unauthenticatedWarning(InetAddress.getByName("::"), 7070, false)).contains("[::]:7070");
    }
}
