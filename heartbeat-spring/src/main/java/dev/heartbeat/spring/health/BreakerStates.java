package dev.heartbeat.spring.health;

/**
 * The state of a peer's circuit breaker, for its health entry. The failover auto-configuration
 * provides one reading the breakers it drives; without it, health entries show no breaker.
 */
@FunctionalInterface
public interface BreakerStates {

    /** The breaker state of {@code peer} ({@code CLOSED}, {@code OPEN}, …), or null when it has none. */
    String state(String peer);
}
