package dev.heartbeat.spring.autoconfigure;

import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hands property values to the library's validating builders and renames their errors: a
 * builder says {@code interval : PT0S (expected: PT0.001S..PT1H)}, the application's author reads
 * {@code heartbeat.monitor.interval : PT0S (expected: PT0.001S..PT1H)}. The rules stay the
 * library's (one place decides what is valid); only the name changes.
 */
final class PropertyChecks {

    /** {@code name : value (expected: rule)}, the library's error format. */
    private static final Pattern HOUSE = Pattern.compile("^(.+?) : (.*) \\(expected: (.*)\\)$", Pattern.DOTALL);

    private PropertyChecks() {
    }

    /** Passes {@code value} to {@code setter} unless it is null; a refusal names {@code property}. */
    static <T> void set(String property, T value, Consumer<? super T> setter) {
        if (value == null) {
            return;
        }
        try {
            setter.accept(value);
        } catch (IllegalArgumentException e) {
            throw rename(property, value, e);
        }
    }

    /**
     * Runs a builder's {@code build()} (cross-field rules). An error naming one of the builder's
     * options is reported under the property {@code names} maps it to, else under {@code prefix}
     * followed by the option in kebab case ({@code maxSilence} → {@code prefix + "max-silence"});
     * an error in another format under {@code fallback}.
     */
    static <T> T build(Supplier<T> build, Map<String, String> names, String fallback, String prefix) {
        try {
            return build.get();
        } catch (InvalidHeartbeatPropertyException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            Matcher m = HOUSE.matcher(String.valueOf(e.getMessage()));
            if (m.matches()) {
                String option = m.group(1);
                String property = names.containsKey(option) ? names.get(option)
                        : option.matches("[A-Za-z][A-Za-z0-9]*") ? prefix + HeartbeatSettings.kebab(option) : fallback;
                return rethrow(new InvalidHeartbeatPropertyException(property, m.group(2), m.group(3), e));
            }
            return rethrow(new InvalidHeartbeatPropertyException(fallback, "(combination)", String.valueOf(e.getMessage()), e));
        }
    }

    /** A starter-level rule, in the same format. */
    static InvalidHeartbeatPropertyException invalid(String property, Object value, String rule) {
        return new InvalidHeartbeatPropertyException(property, String.valueOf(value), rule, null);
    }

    /** The library's error for {@code value}, under {@code property}. */
    static InvalidHeartbeatPropertyException rename(String property, Object value, IllegalArgumentException e) {
        if (e instanceof InvalidHeartbeatPropertyException i) {
            return i;
        }
        Matcher m = HOUSE.matcher(String.valueOf(e.getMessage()));
        if (m.matches()) {
            return new InvalidHeartbeatPropertyException(property, m.group(2), m.group(3), e);
        }
        return new InvalidHeartbeatPropertyException(property, String.valueOf(value), String.valueOf(e.getMessage()), e);
    }

    private static <T> T rethrow(InvalidHeartbeatPropertyException e) {
        throw e;
    }
}
