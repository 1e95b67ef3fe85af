package dev.heartbeat.spring.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns an {@link InvalidHeartbeatPropertyException} anywhere in a start-up failure into Spring
 * Boot's "APPLICATION FAILED TO START" report, naming the property, the value and the rule.
 * Registered in {@code META-INF/spring.factories}.
 */
public class InvalidHeartbeatPropertyFailureAnalyzer extends AbstractFailureAnalyzer<InvalidHeartbeatPropertyException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidHeartbeatPropertyException cause) {
        String description = "Invalid heartbeat configuration:\n\n    " + cause.getMessage() + "\n\n"
                + "Property: " + cause.property() + "\nValue: " + cause.value() + "\nRule: " + cause.rule();
        String action = "Change " + cause.property() + " so that it satisfies the rule above (every heartbeat.* "
                + "property, its default and its rule are listed in docs/spring.md of the heartbeat project).";
        return new FailureAnalysis(description, action, cause);
    }
}
