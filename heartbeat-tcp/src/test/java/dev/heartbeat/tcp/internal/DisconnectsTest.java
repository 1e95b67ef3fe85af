package dev.heartbeat.tcp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.heartbeat.engine.spi.DisconnectCause;
import io.netty.handler.codec.DecoderException;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class DisconnectsTest {

    @Test
    void resetsAreRecognisedInTheWordsOfEachOs() {
        assertThat(Disconnects.classify(new IOException("Connection reset by peer"))).isEqualTo(DisconnectCause.RESET);
        assertThat(Disconnects.classify(new IOException("Broken pipe"))).isEqualTo(DisconnectCause.RESET);
        assertThat(Disconnects.classify(new IOException(
                "An existing connection was forcibly closed by the remote host"))).isEqualTo(DisconnectCause.RESET);
        assertThat(Disconnects.classify(new RuntimeException(new IOException("Connection reset"))))
                .isEqualTo(DisconnectCause.RESET);
        assertThat(Disconnects.classify(new DecoderException("bad"))).isEqualTo(DisconnectCause.PROTOCOL_ERROR);
        assertThat(Disconnects.classify(new IOException("No route to host"))).isEqualTo(DisconnectCause.ERROR);
        assertThat(Disconnects.message(new RuntimeException())).isEqualTo("RuntimeException");
    }
}
