package dev.heartbeat.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A child {@code serve} JVM: close() ends the process and releases our ends of its pipes. */
class ChildResponderTest {

    @Test
    void closeKillsTheProcessAndClosesItsStreams() throws Exception {
        try (Cli cli = new Cli()) {
            ChildResponder c = cli.serve("closing", "--load", "none");
            c.close();
            assertThat(c.isAlive()).isFalse();
            // On Linux the output pump (at end of stream) and the JDK (when the process exits) close these
            // pipes anyway, so this guards the contract rather than catching the old leak there; not every
            // platform's JDK closes them, and nothing closed the stdin writer.
            assertThatThrownBy(() -> c.process().getInputStream().read()).isInstanceOf(IOException.class)
                    .hasMessageContaining("Stream closed");
            assertThatThrownBy(() -> c.command("status DRAINING")).isInstanceOf(IOException.class);
            c.close(); // idempotent
            assertThat(c.waitFor(Duration.ZERO)).isTrue();
        }
    }
}
