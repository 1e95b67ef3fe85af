package dev.heartbeat.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A listening port as typed: digits only, 0..65535. picocli's own int converter says "'abc' is not
 * an int", which does not tell the rule.
 */
final class PortConverter implements ITypeConverter<Integer> {

    static final String RULE = "0..65535; 0 picks a free port";

    @Override
    public Integer convert(String value) {
        String v = value == null ? "" : value.trim();
        if (!v.matches("\\d+")) {
            throw new TypeConversionException("'" + value + "' is not a port number (expected: " + RULE + ")");
        }
        String digits = v.replaceFirst("^0+(?=\\d)", "");
        if (digits.length() > 5 || Integer.parseInt(digits) > 65_535) {
            throw new TypeConversionException("'" + value + "' is out of range (expected: " + RULE + ")");
        }
        return Integer.parseInt(digits);
    }
}
