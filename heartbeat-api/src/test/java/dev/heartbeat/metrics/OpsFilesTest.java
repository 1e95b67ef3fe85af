package dev.heartbeat.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The Grafana dashboard and the alerting rules use only documented series, and promtool accepts the rules. */
class OpsFilesTest {

    private static final Path RULES = Path.of("..", "ops", "prometheus", "heartbeat-rules.yml");
    private static final Path DASHBOARD = Path.of("..", "ops", "grafana", "heartbeat-dashboard.json");

    /** Series names in a text, with the suffixes Prometheus adds to a documented name removed. */
    private static Set<String> seriesIn(String text) {
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("\\b(heartbeat_[a-z_]+)").matcher(text);
        while (m.find()) {
            names.add(m.group(1).replaceAll("_(bucket|count|sum|max)$", ""));
        }
        return names;
    }

    @Test
    void theDashboardAndTheRulesUseOnlyDocumentedSeries() throws IOException {
        List<String> documented = HeartbeatMetricsTest.documented();
        Set<String> used = seriesIn(Files.readString(RULES) + Files.readString(DASHBOARD));
        assertThat(used).isNotEmpty();
        assertThat(documented).containsAll(used);
        assertThat(Files.readString(DASHBOARD)).contains("resilience4j_circuitbreaker_state");
    }

    @Test
    void promtoolAcceptsTheRules() throws Exception {
        Path promtool = Path.of("/usr/bin/promtool");
        assumeTrue(Files.isExecutable(promtool), "promtool is not installed (Debian package 'prometheus'; .ci/run installs it)");
        Process p = new ProcessBuilder(promtool.toString(), "check", "rules", RULES.toString()).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("SUCCESS");
    }
}
