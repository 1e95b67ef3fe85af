package dev.heartbeat.tcp;

import dev.heartbeat.peer.Liveness;
import java.util.Objects;

/**
 * What {@link HeartbeatHandler} fires down the pipeline (with
 * {@code fireUserEventTriggered}) when its verdict about the peer changes, or when the peer says
 * GOODBYE. The handler only detects; the user's handler decides what to do (close, fail over,
 * log), as with Netty's {@code IdleStateEvent}.
 *
 * @param kind   what happened
 * @param from   liveness before (equal to {@code to} for GOODBYE and RESTARTED)
 * @param to     liveness now
 * @param reason in words: "first heartbeat, rtt 0.2 ms", "φ 8.31 &gt;= 8.0 (silent 812 ms)", "GOODBYE …"
 */
public record HeartbeatEvent(Kind kind, Liveness from, Liveness to, String reason) {

    /** Kinds of event. */
    public enum Kind {
        /** The peer's liveness changed. */
        LIVENESS,
        /** The peer said it is leaving (it will stop answering soon; stop sending it work). */
        GOODBYE,
        /** The peer's epoch changed: it restarted, and the detector's history was reset. */
        RESTARTED
    }

    public HeartbeatEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(reason, "reason");
    }
}
