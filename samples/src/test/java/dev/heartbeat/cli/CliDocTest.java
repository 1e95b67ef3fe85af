package dev.heartbeat.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.heartbeat.detect.PhiAccrualDetector;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/cli.md quotes the detector's reasons; they must look like what the detector says. */
class CliDocTest {

    private static final Path DOC = Path.of("..", "docs", "cli.md");
    /** Any φ reason in the document: "φ" in Markdown, "\u03c6" in its JSON examples. */
    private static final Pattern QUOTED = Pattern.compile("(?:φ|\\\\u03c6) [^\"`|]*");
    /** The form of PhiAccrualDetector.explain once a peer has heartbeats. */
    /** The detector's φ reason, and the note the monitor adds to a verdict made while it lags. */
    private static final Pattern REASON = Pattern.compile("φ \\d+\\.\\d\\d (>= \\d+\\.\\d \\(silent \\d+ ms\\)|< \\d+\\.\\d)"
            + "(; \\d+ probes? unanswered)?( \\(this monitor is lagging: local health [1-8]/8\\))?");

    @Test
    void theDetectorsReasonsHaveTheFormTheDocumentShows() {
        long ms = 1_000_000;
        PhiAccrualDetector d = new PhiAccrualDetector(PhiAccrualDetector.Config.ofDefaults(), Duration.ofMillis(100));
        for (long t = 0; t <= 2_000 * ms; t += 100 * ms) {
            d.heartbeat(t, true);
        }
        List<String> real = List.of(d.explain(2_400 * ms), d.explain(4_000 * ms));
        assertThat(real).allMatch(r -> REASON.matcher(r).matches(), "matches " + REASON);
        assertThat(real.get(1)).contains(" >= 8.0 (silent 2000 ms)");
    }

    @Test
    void everyPhiReasonInTheDocumentHasTheDetectorsForm() throws IOException {
        if (!Files.isRegularFile(DOC)) {
            fail("docs/cli.md not found at " + DOC.toAbsolutePath().normalize()
                    + " (the test expects to run with the samples module as working directory)");
        }
        List<String> quoted = new ArrayList<>();
        List<String> lines = Files.readAllLines(DOC, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = QUOTED.matcher(lines.get(i));
            while (m.find()) {
                String reason = m.group().replace("\\u03c6", "φ").strip();
                if (reason.matches("φ [0-9].*")) { // a reason, not prose such as "φ; SUSPECT at 3"
                    quoted.add("line " + (i + 1) + ": " + reason);
                }
            }
        }
        assertThat(quoted).isNotEmpty()
                .allSatisfy(q -> assertThat(q.substring(q.indexOf(": ") + 2)).as(q).matches(REASON));
    }
}
