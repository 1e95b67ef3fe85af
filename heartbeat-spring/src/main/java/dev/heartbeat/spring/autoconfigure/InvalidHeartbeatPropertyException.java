package dev.heartbeat.spring.autoconfigure;

import java.util.Objects;

/**
 * A {@code heartbeat.*} property whose value breaks a rule. Its message is the house format with
 * the property's full name: {@code heartbeat.monitor.interval : PT0S (expected: PT0.001S..PT1H)};
 * {@link InvalidHeartbeatPropertyFailureAnalyzer} turns it into Spring Boot's start-up report.
 */
public class InvalidHeartbeatPropertyException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String property;
    private final String value;
    private final String rule;

    /**
     * @param property the property's full name, e.g. {@code heartbeat.monitor.interval}
     * @param value the value as the library shows it
     * @param rule what it must be
     * @param cause the library's own error, or null
     */
    public InvalidHeartbeatPropertyException(String property, String value, String rule, Throwable cause) {
        super(property + " : " + value + " (expected: " + rule + ")", cause);
        this.property = Objects.requireNonNull(property, "property");
        this.value = value;
        this.rule = Objects.requireNonNull(rule, "rule");
    }

    /** The property's full name. */
    public String property() {
        return property;
    }

    /** The offending value, as shown in the message. */
    public String value() {
        return value;
    }

    /** The rule it breaks. */
    public String rule() {
        return rule;
    }
}
