package dev.heartbeat.spring.autoconfigure;

import dev.heartbeat.engine.HeartbeatResponder;

/**
 * Adjusts the responder's builder after the properties were applied and before it is built.
 * Every bean of this type is applied, in order.
 */
@FunctionalInterface
public interface HeartbeatResponderCustomizer {

    /** Changes {@code builder}. */
    void customize(HeartbeatResponder.Builder builder);
}
