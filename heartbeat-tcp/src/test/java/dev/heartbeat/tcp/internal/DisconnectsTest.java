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

    @Test
    void noRouteToHostIsSaidInWordsNotNull() {
        // Netty's epoll reports EHOSTUNREACH/ENETUNREACH as a NoRouteToHostException without a message,
        // then annotates it with the address: "null: /10.0.0.7:7070".
        java.net.NoRouteToHostException bare = new java.net.NoRouteToHostException();
        java.net.NoRouteToHostException annotated = new java.net.NoRouteToHostException("null: /10.0.0.7:7070");
        annotated.initCause(bare);
        assertThat(Disconnects.message(annotated)).isEqualTo("no route to host");
        assertThat(Disconnects.message(bare)).isEqualTo("no route to host");
        assertThat(Disconnects.message(new IOException("null"))).isEqualTo("IOException");
        assertThat(Disconnects.message(new java.net.ConnectException())).isEqualTo("connection refused");
        assertThat(Disconnects.message(new java.nio.channels.UnresolvedAddressException())).isEqualTo("unknown host");
    }

    @Test
    void nativeCallNamesAndAnnotatedAddressesAreLeftOut() {
        assertThat(Disconnects.message(new java.net.ConnectException(
                "finishConnect(..) failed with error(-111): Connection refused: /127.0.0.1:7071")))
                .isEqualTo("Connection refused");
        assertThat(Disconnects.message(new java.net.ConnectException("connect(..) failed: Connection refused: localhost/127.0.0.1:7071")))
                .isEqualTo("Connection refused");
        assertThat(Disconnects.message(new java.net.ConnectException("Connection refused: /[0:0:0:0:0:0:0:1]:7070")))
                .isEqualTo("Connection refused");
        assertThat(Disconnects.message(new IOException("Connection reset by peer"))).isEqualTo("Connection reset by peer");
    }
}
