package dev.heartbeat.tcp;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link KeepaliveTuner} did to one socket: the values it asked for, the values the OS
 * reports back, and the options the platform does not offer (with the reason). Option names are
 * the socket-option names: {@code SO_KEEPALIVE}, {@code TCP_KEEPIDLE} (s), {@code TCP_KEEPINTVL}
 * (s), {@code TCP_KEEPCNT}, {@code TCP_USER_TIMEOUT} (ms).
 *
 * @param appliedTo   what was tuned, e.g. "EpollSocketChannel", "java.net.Socket"
 * @param requested   option → the value asked for
 * @param applied     option → the value read back from the OS after setting it
 * @param unsupported option → why it could not be set (never silently dropped)
 */
public record KeepaliveReport(String appliedTo, Map<String, Object> requested, Map<String, Object> applied,
        Map<String, String> unsupported) {

    public KeepaliveReport {
        Objects.requireNonNull(appliedTo, "appliedTo");
        requested = Collections.unmodifiableMap(new LinkedHashMap<>(requested));
        applied = Collections.unmodifiableMap(new LinkedHashMap<>(applied));
        unsupported = Collections.unmodifiableMap(new LinkedHashMap<>(unsupported));
    }

    /** True when every requested option was set and reads back as requested. */
    public boolean complete() {
        return unsupported.isEmpty() && requested.equals(applied);
    }

    /** True when {@code option} was set (whatever value the OS kept). */
    public boolean isApplied(String option) {
        return applied.containsKey(option);
    }

    @Override
    public String toString() {
        return "keepalive on " + appliedTo + ": applied " + applied + (unsupported.isEmpty() ? ""
                : ", unsupported " + unsupported);
    }
}
