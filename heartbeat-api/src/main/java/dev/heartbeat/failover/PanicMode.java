package dev.heartbeat.failover;

/**
 * What a {@link FailoverRouter} does while it panics: when fewer than its panic threshold of the
 * peers that have a verdict look healthy at once. So many bad peers at the same moment is more
 * likely our own network, or a detector gone wrong, than all of them failing together; the router
 * says so (a {@link FailoverEvent} and a counter) and does what this mode says.
 */
public enum PanicMode {
    /**
     * Ignore heartbeat verdicts and breakers and spread calls over every peer (Envoy's panic
     * routing): if the verdicts were wrong, calls still get through; if they were right, the
     * calls fail as they would have anyway (and idempotent ones are retried on another peer).
     */
    FAIL_OPEN,
    /**
     * Refuse every call at once with a {@link NoPeerAvailableException} whose reason is
     * {@link NoPeerAvailableException.Reason#PANIC}: shed load fast rather than pile it on the few
     * peers left.
     */
    FAIL_CLOSED,
    /**
     * No panic routing: keep routing to the healthy peers left, however few (events and counter
     * still report the panic).
     */
    ROUTE_HEALTHY
}
