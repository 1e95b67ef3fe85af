package dev.heartbeat.spring.autoconfigure;

import dev.heartbeat.engine.HeartbeatMonitor;

/**
 * Adjusts the monitor's builder after the properties were applied and before it is built (a
 * transport of your own, an observer, a clock). Every bean of this type is applied, in order.
 */
@FunctionalInterface
public interface HeartbeatMonitorCustomizer {

    /** Changes {@code builder}. */
    void customize(HeartbeatMonitor.Builder builder);
}
