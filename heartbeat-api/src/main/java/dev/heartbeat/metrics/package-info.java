/**
 * Micrometer meters, behind optional dependencies: {@link dev.heartbeat.metrics.HeartbeatMetrics}
 * for a monitor and its peers (bound by events, fed by a {@link dev.heartbeat.engine.PeerObserver}),
 * {@link dev.heartbeat.metrics.ResponderMetrics} for a responder and its transport's counters, and
 * {@link dev.heartbeat.metrics.FailoverMetrics} for a failover router and (through resilience4j's
 * Micrometer module) its per-peer breakers. Nothing else in heartbeat-api imports Micrometer; the
 * meters and their Prometheus names are listed in {@code docs/metrics.md}.
 */
package dev.heartbeat.metrics;
