package dev.heartbeat.protocol;

/**
 * What a responder says about its own ability to serve, in every PONG. The names follow
 * {@code grpc.health.v1} and Kubernetes readiness; the monitor's usability policy decides what
 * each one means for routing.
 */
public enum ServingStatus {
    /** Ready and willing to take work. */
    SERVING(0),
    /** Serving, but asks for less work (overloaded, a dependency is slow). */
    DEGRADED(1),
    /** Finishing in-flight work before leaving; send it nothing new. */
    DRAINING(2),
    /** Up but unable to serve (not ready, a dependency is down). */
    NOT_SERVING(3);

    private static final ServingStatus[] BY_CODE = values();

    private final int code;

    ServingStatus(int code) {
        this.code = code;
    }

    /** The byte written on the wire. */
    public int code() {
        return code;
    }

    /** The status for a wire code, or {@code null} when the code is unknown. */
    public static ServingStatus fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /**
     * Parses a status name case-insensitively, with an error that lists the allowed values.
     *
     * @throws IllegalArgumentException naming the bad value and the allowed ones
     */
    public static ServingStatus parse(String name) {
        if (name != null) {
            for (ServingStatus s : BY_CODE) {
                if (s.name().equalsIgnoreCase(name.trim())) {
                    return s;
                }
            }
        }
        throw new IllegalArgumentException("status : " + name
                + " (expected one of SERVING, DEGRADED, DRAINING, NOT_SERVING)");
    }
}
