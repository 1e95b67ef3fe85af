package dev.heartbeat.spring.autoconfigure;

import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.util.Objects;

/**
 * The resilience4j registry the peers' breakers live in: the application's own
 * {@code CircuitBreakerRegistry} bean when it has one (its configuration, its metrics), otherwise
 * one of ours with {@code PeerCircuitBreakers.defaultConfig()}, whose meters the starter binds
 * itself ({@link #owned()}).
 *
 * @param registry the registry
 * @param owned true when the starter created it (and binds its metrics)
 */
public record HeartbeatBreakerRegistry(CircuitBreakerRegistry registry, boolean owned) {

    public HeartbeatBreakerRegistry {
        Objects.requireNonNull(registry, "registry");
    }
}
