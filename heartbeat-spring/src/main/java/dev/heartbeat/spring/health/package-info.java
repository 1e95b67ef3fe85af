/**
 * Actuator health of the peers: the {@code heartbeat} composite contributor (one entry per peer,
 * following peer events), the per-peer indicator, and the guard that keeps it out of the liveness
 * group.
 */
package dev.heartbeat.spring.health;
