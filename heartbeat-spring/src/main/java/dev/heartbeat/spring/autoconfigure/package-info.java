/**
 * The Spring Boot auto-configuration of heartbeats: {@link dev.heartbeat.spring.autoconfigure.HeartbeatProperties}
 * ({@code heartbeat.*}), their conversion into the library's configuration
 * ({@link dev.heartbeat.spring.autoconfigure.HeartbeatSettings}), the failure analyzer for invalid
 * values, the customizer hooks, and one auto-configuration per concern: core (responder, monitor),
 * failover (breakers, router), health, metrics, discovery. It wires; it holds no detection logic.
 */
package dev.heartbeat.spring.autoconfigure;
