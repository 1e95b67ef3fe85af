package dev.heartbeat.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Parses durations as people write them: a number and a unit, {@code ms}, {@code s}, {@code m}
 * or {@code h} ({@code 100ms}, {@code 1s}, {@code 1.5s}, {@code 2m}). A bare number is refused:
 * "5" could mean seconds or milliseconds. picocli prefixes the error with the option's name.
 */
public final class DurationConverter implements ITypeConverter<Duration> {

    /**
     * What a duration too long to count in nanoseconds (about 292 years) parses to. The converter
     * does not know which option it parses for, so it does not judge ranges: each option checks
     * its own ("--timeout: 10ms..1h") and echoes what was typed.
     */
    static final Duration SATURATED = Duration.ofNanos(Long.MAX_VALUE);

    private static final Pattern FORMAT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)");

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    /**
     * @throws TypeConversionException naming the value and the accepted forms
     */
    public static Duration parse(String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        Matcher m = FORMAT.matcher(v);
        if (!m.matches()) {
            throw new TypeConversionException("'" + value
                    + "' is not a duration (expected: a number and a unit ms, s, m or h, e.g. 100ms, 1s, 1.5s, 2m)");
        }
        double n = Double.parseDouble(m.group(1));
        double millis;
        switch (m.group(2)) {
            case "ms":
                millis = n;
                break;
            case "s":
                millis = n * 1_000;
                break;
            case "m":
                millis = n * 60_000;
                break;
            default:
                millis = n * 3_600_000;
                break;
        }
        if (millis >= SATURATED.toNanos() / 1e6) {
            return SATURATED; // every option's own range check then refuses it, naming its own range
        }
        return Duration.ofNanos(Math.round(millis * 1_000_000));
    }

    /** Formats a duration the way it is parsed: "150ms", "1.5s", "2m". */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms < 1_000) {
            return ms + "ms";
        }
        if (ms % 60_000 == 0) {
            return (ms / 60_000) + "m";
        }
        return ms % 1_000 == 0 ? (ms / 1_000) + "s" : String.format(Locale.ROOT, "%.3fs", ms / 1000.0).replaceAll("0+s$", "s");
    }
}
