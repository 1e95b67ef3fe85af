package dev.heartbeat.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.heartbeat.peer.Peer;
import dev.heartbeat.failover.PeerClients;
import dev.heartbeat.spring.autoconfigure.InvalidHeartbeatPropertyException;
import dev.heartbeat.spring.autoconfigure.InvalidHeartbeatPropertyFailureAnalyzer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Every property with a rule, broken: start-up fails, and the failure analysis names the property,
 * the value and the rule (the library's rule, in the house format). A last test checks that no
 * property of the generated metadata was forgotten here.
 */
class InvalidPropertiesTest {

    /** A property, an invalid setting of it (plus what it needs), and what the report must show. */
    record Case(String property, String shown, boolean router, String... settings) {
        @Override
        public String toString() {
            return String.join(", ", settings);
        }
    }

    private static final String LONG = "x".repeat(300);

    static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        String m = "heartbeat.monitor.";
        String d = m + "detector.";
        String u = m + "usability.";
        String r = "heartbeat.responder.";
        String p = "heartbeat.peers.a.";
        c.add(new Case("heartbeat.node-id", LONG, false, "heartbeat.node-id=" + LONG));
        c.add(new Case(r + "transport", "keepalive", false, r + "transport=keepalive"));
        c.add(new Case(r + "port", "70000", false, r + "port=70000"));
        c.add(new Case(r + "bind-address", "''", false, r + "bind-address= "));
        c.add(new Case(r + "key-file", "/nonexistent/keys", false, r + "key-file=/nonexistent/keys"));
        c.add(new Case(r + "min-interval", "PT-1S", false, r + "min-interval=-1s"));
        c.add(new Case(r + "health-check-interval", "PT0S", false, r + "health-check-interval=0s"));
        c.add(new Case(r + "goodbye-come-back-after", "PT-1S", false, r + "goodbye-come-back-after=-1s"));
        c.add(new Case(r + "close-grace", "PT1H", false, r + "close-grace=1h"));
        c.add(new Case(r + "event-loop-threads", "0", false, r + "event-loop-threads=0"));
        c.add(new Case(m + "interval", "PT0S", false, m + "interval=0s"));
        c.add(new Case(m + "probe-interval", "PT1S", false, m + "probe-interval=1s"));
        c.add(new Case(m + "initial-timeout", "PT0S", false, m + "initial-timeout=0s"));
        c.add(new Case(m + "dead-after-probes", "11", false, m + "dead-after-probes=11"));
        c.add(new Case(m + "degrade-after", "0", false, m + "degrade-after=0"));
        c.add(new Case(m + "recover-after", "101", false, m + "recover-after=101"));
        c.add(new Case(m + "jitter", "0.6", false, m + "jitter=0.6"));
        c.add(new Case(m + "pause-threshold", "PT0S", false, m + "pause-threshold=0s"));
        c.add(new Case(m + "pause-grace", "PT2M", false, m + "pause-grace=2m"));
        c.add(new Case(m + "max-advised-interval", "PT0.1S", false, m + "max-advised-interval=100ms"));
        c.add(new Case(m + "max-silence", "PT1S", false, m + "max-silence=1s"));
        c.add(new Case(m + "max-forgiveness", "PT1H", false, m + "max-forgiveness=1h"));
        c.add(new Case(m + "degraded-loss", "0.0", false, m + "degraded-loss=0"));
        c.add(new Case(m + "key-file", "/nonexistent/keys", false, m + "key-file=/nonexistent/keys"));
        c.add(new Case(m + "keepalive.detect-within", "PT1S", false, m + "keepalive.detect-within=1s"));
        c.add(new Case(m + "keepalive.probes", "0", false, m + "keepalive.probes=0"));
        c.add(new Case(d + "mistakes-per-hour", "0.0", false, d + "mistakes-per-hour=0"));
        c.add(new Case(d + "prior-timeout-factor", "101.0", false, d + "prior-timeout-factor=101"));
        c.add(new Case(d + "min-timeout-factor", "11.0", false, d + "min-timeout-factor=11"));
        c.add(new Case(d + "threshold", "(set)", false, d + "threshold=9"));
        c.add(new Case(d + "threshold", "-1.0", false, d + "type=phi-accrual", d + "threshold=-1"));
        c.add(new Case(d + "suspect-threshold", "9.0", false, d + "type=phi-accrual", d + "suspect-threshold=9"));
        c.add(new Case(d + "max-sample-size", "1", false, d + "type=phi-accrual", d + "max-sample-size=1"));
        c.add(new Case(d + "min-std-deviation", "PT0S", false, d + "type=phi-accrual", d + "min-std-deviation=0s"));
        c.add(new Case(d + "acceptable-pause", "PT-1S", false, d + "type=phi-accrual", d + "acceptable-pause=-1s"));
        c.add(new Case(d + "suspect-after", "PT0S", false, d + "type=deadline", d + "suspect-after=0s"));
        c.add(new Case(d + "dead-after", "PT0.1S", false, d + "type=deadline", d + "dead-after=100ms"));
        c.add(new Case(u + "degraded-cpu", "1.5", false, u + "degraded-cpu=1.5"));
        c.add(new Case(u + "degraded-cpu", "0.9", false, u + "degraded-cpu=0.9", u + "unusable-cpu=0.5"));
        c.add(new Case(u + "unusable-cpu", "2.0", false, u + "unusable-cpu=2"));
        c.add(new Case(u + "degraded-memory", "2.0", false, u + "degraded-memory=2"));
        c.add(new Case(u + "unusable-memory", "-0.1", false, u + "unusable-memory=-0.1"));
        c.add(new Case(u + "degraded-error-rate", "2.0", false, u + "degraded-error-rate=2"));
        c.add(new Case(u + "unusable-error-rate", "2.0", false, u + "unusable-error-rate=2"));
        c.add(new Case(u + "unusable-queue-depth", "-1", false, u + "unusable-queue-depth=-1"));
        c.add(new Case(u + "unusable-in-flight", "-1", false, u + "unusable-in-flight=-1"));
        c.add(new Case(u + "degraded-latency", "PT-0.001S", false, u + "degraded-latency=-1ms"));
        c.add(new Case(u + "rtt-factor", "1.0", false, u + "rtt-factor=1"));
        c.add(new Case(u + "rtt-min-excess", "PT-0.001S", false, u + "rtt-min-excess=-1ms"));
        c.add(new Case(p + "address", "(none)", false, p + "zone=eu"));
        c.add(new Case(p + "address", "ftp://127.0.0.1:1", false, p + "address=ftp://127.0.0.1:1"));
        c.add(new Case(p + "address", "127.0.0.1", false, p + "address=127.0.0.1"));
        c.add(new Case(p + "transport", "udp", false, p + "address=tcp://127.0.0.1:1", p + "transport=udp"));
        c.add(new Case(p + "weight", "0", false, p + "address=127.0.0.1:1", p + "weight=0"));
        c.add(new Case(p + "zone", "is 300 characters", false, p + "address=127.0.0.1:1", p + "zone=" + LONG));
        c.add(new Case(p + "data-address", "is 300 characters", false, p + "address=127.0.0.1:1", p + "data-address=" + LONG));
        c.add(new Case(p + "metadata", "", false, p + "address=127.0.0.1:1", p + "metadata.k=" + LONG));
        c.add(new Case(p + "interval", "PT0S", false, p + "address=127.0.0.1:1", p + "interval=0s"));
        c.add(new Case(p + "initial-timeout", "PT2H", false, p + "address=127.0.0.1:1", p + "initial-timeout=2h"));
        c.add(new Case("heartbeat.health.dead-status", "''", false, "heartbeat.health.dead-status= "));
        c.add(new Case("heartbeat.health.unusable-status", "''", false, "heartbeat.health.unusable-status= "));
        c.add(new Case("heartbeat.metrics.max-peers", "0", false, "heartbeat.metrics.max-peers=0"));
        c.add(new Case("heartbeat.breaker.config-name", "'nope'", false, "heartbeat.breaker.config-name=nope"));
        c.add(new Case("heartbeat.breaker.config-name", "'nope'", true, "heartbeat.breaker.config-name=nope"));
        c.add(new Case("heartbeat.routing.staleness", "PT0S", true, "heartbeat.routing.staleness=0s"));
        c.add(new Case("heartbeat.routing.degraded-share", "0.0", true, "heartbeat.routing.degraded-share=0"));
        c.add(new Case("heartbeat.routing.suspect-share", "2.0", true, "heartbeat.routing.suspect-share=2"));
        c.add(new Case("heartbeat.routing.max-attempts", "11", true, "heartbeat.routing.max-attempts=11"));
        c.add(new Case("heartbeat.routing.retry-budget.ratio", "2.0", true, "heartbeat.routing.retry-budget.ratio=2"));
        c.add(new Case("heartbeat.routing.retry-budget.min-retries-per-second", "-1", true,
                "heartbeat.routing.retry-budget.min-retries-per-second=-1"));
        c.add(new Case("heartbeat.routing.retry-budget.window", "PT0S", true, "heartbeat.routing.retry-budget.window=0s"));
        c.add(new Case("heartbeat.panic.threshold", "2.0", true, "heartbeat.panic.threshold=2"));
        c.add(new Case("heartbeat.slow-start.window", "PT2H", true, "heartbeat.slow-start.window=2h"));
        c.add(new Case("heartbeat.slow-start.min-share", "0.0", true, "heartbeat.slow-start.min-share=0"));
        c.add(new Case("heartbeat.slow-start.readmission-jitter", "PT2H", true, "heartbeat.slow-start.readmission-jitter=2h"));
        c.add(new Case("heartbeat.discovery.refresh-interval", "PT0.001S", false, "heartbeat.discovery.refresh-interval=1ms"));
        return c;
    }

    @ParameterizedTest
    @MethodSource("cases")
    void anInvalidValueStopsStartUpNamingThePropertyTheValueAndTheRule(Case c) {
        ApplicationContextRunner runner = Runners.heartbeat().withPropertyValues(c.settings());
        if (c.router()) {
            runner = runner.withUserConfiguration(Clients.class);
        }
        runner.run(ctx -> {
            assertThat(ctx).hasFailed();
            Throwable failure = ctx.getStartupFailure();
            FailureAnalysis analysis = new InvalidHeartbeatPropertyFailureAnalyzer().analyze(failure);
            assertThat(analysis).as("analysis of %s", failure).isNotNull();
            InvalidHeartbeatPropertyException e = (InvalidHeartbeatPropertyException) analysis.getCause();
            assertThat(e.property()).isEqualTo(c.property());
            if (!c.shown().isEmpty()) {
                assertThat(e.value()).contains(c.shown());
            }
            assertThat(e.rule()).isNotBlank();
            assertThat(e.getMessage()).isEqualTo(c.property() + " : " + e.value() + " (expected: " + e.rule() + ")");
            assertThat(analysis.getDescription()).contains(e.getMessage()).contains("Property: " + c.property());
            assertThat(analysis.getAction()).contains(c.property());
        });
    }

    @Test
    void theReportReadsWell() {
        Runners.heartbeat().withPropertyValues("heartbeat.monitor.interval=0s").run(ctx -> {
            FailureAnalysis a = new InvalidHeartbeatPropertyFailureAnalyzer().analyze(ctx.getStartupFailure());
            assertThat(a.getDescription()).startsWith("Invalid heartbeat configuration:\n\n"
                    + "    heartbeat.monitor.interval : PT0S (expected: PT0.001S..PT1H)");
        });
    }

    @Test
    void noPropertyWithARuleIsLeftUntested() throws IOException {
        String json = Files.readString(Path.of("target/classes/META-INF/spring-configuration-metadata.json"),
                StandardCharsets.UTF_8);
        json = json.substring(json.indexOf("\"properties\""));   // leaf properties, not their groups
        Matcher m = Pattern.compile("\"name\"\\s*:\\s*\"(heartbeat\\.[^\"]+)\",\\s*\"type\"\\s*:\\s*\"([^\"]+)\"").matcher(json);
        Set<String> withRules = new TreeSet<>();
        Set<String> free = Set.of("heartbeat.discovery.services", "heartbeat.discovery.port-metadata-key",
                "heartbeat.discovery.transport-metadata-key", "heartbeat.peers");
        while (m.find()) {
            String type = m.group(2);
            boolean noRule = type.equals("java.lang.Boolean") || type.equals("boolean") || type.contains("$Transport")
                    || type.contains("$DetectorType") || type.contains("PanicMode");
            if (!noRule && !free.contains(m.group(1))) {
                withRules.add(m.group(1));
            }
        }
        assertThat(withRules).hasSizeGreaterThan(50);
        Set<String> tested = cases().stream().map(Case::property).collect(Collectors.toSet());
        Set<String> untested = new TreeSet<>(withRules);
        untested.removeAll(tested);
        assertThat(untested).isEmpty();
    }

    @Configuration(proxyBeanMethods = false)
    static class Clients {
        @Bean
        PeerClients<String> myClients() {
            return Peer::name;
        }
    }
}
