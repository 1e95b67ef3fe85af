package dev.heartbeat.spring.responder;

import dev.heartbeat.engine.HeartbeatResponder;
import dev.heartbeat.protocol.ServingStatus;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationListener;

/**
 * What this application tells those who watch it: the status in its PONGs follows its Spring
 * availability and (through {@link HealthStatusChecker}) its actuator health.
 *
 * <table>
 *   <caption>status in our heartbeats</caption>
 *   <tr><th>application</th><th>status</th></tr>
 *   <tr><td>health DOWN, or liveness BROKEN</td><td>NOT_SERVING</td></tr>
 *   <tr><td>readiness REFUSING_TRAFFIC (also while starting, until Spring says ACCEPTING_TRAFFIC, and from
 *   the first moment of shutdown)</td><td>DRAINING</td></tr>
 *   <tr><td>otherwise</td><td>SERVING</td></tr>
 * </table>
 *
 * Monitors see a change in the next PONG, i.e. within one heartbeat. Thread-safe: events arrive on
 * the publishing thread, health verdicts on the checker's.
 */
public class ResponderStatusUpdater implements ApplicationListener<AvailabilityChangeEvent<?>> {

    private static final Logger log = LoggerFactory.getLogger(ResponderStatusUpdater.class);

    private final HeartbeatResponder responder;
    private final boolean followAvailability;
    private volatile ReadinessState readiness;
    private volatile LivenessState liveness;
    private volatile boolean healthDown;

    /**
     * @param responder whose status to set
     * @param availability the application's availability (its current states are the starting point), or null
     * @param followAvailability whether readiness and liveness count (false: only health does)
     */
    public ResponderStatusUpdater(HeartbeatResponder responder, ApplicationAvailability availability,
                                  boolean followAvailability) {
        this.responder = Objects.requireNonNull(responder, "responder");
        this.followAvailability = followAvailability;
        // Before Spring says anything, an application is alive (Boot's BROKEN default would read as
        // NOT_SERVING while it starts) and not ready yet (DRAINING until ACCEPTING_TRAFFIC).
        boolean follow = availability != null && followAvailability;
        this.readiness = !follow ? ReadinessState.ACCEPTING_TRAFFIC
                : availability.getLastChangeEvent(ReadinessState.class) != null ? availability.getReadinessState()
                : ReadinessState.REFUSING_TRAFFIC;
        this.liveness = follow && availability.getLastChangeEvent(LivenessState.class) != null
                ? availability.getLivenessState() : LivenessState.CORRECT;
        apply("initial");
    }

    @Override
    public void onApplicationEvent(AvailabilityChangeEvent<?> event) {
        if (!followAvailability) {
            return;
        }
        Object state = event.getState();
        if (state instanceof ReadinessState r) {
            readiness = r;
            apply("readiness " + r);
        } else if (state instanceof LivenessState l) {
            liveness = l;
            apply("liveness " + l);
        }
    }

    /** The application's health, as {@link HealthStatusChecker} last saw it. */
    public void healthDown(boolean down, String why) {
        if (healthDown != down) {
            healthDown = down;
            apply(down ? "health DOWN (" + why + ")" : "health no longer DOWN");
        }
    }

    /** The status these inputs give. */
    public ServingStatus status() {
        if (healthDown || liveness == LivenessState.BROKEN) {
            return ServingStatus.NOT_SERVING;
        }
        if (readiness == ReadinessState.REFUSING_TRAFFIC) {
            return ServingStatus.DRAINING;
        }
        return ServingStatus.SERVING;
    }

    private synchronized void apply(String why) {
        ServingStatus next = status();
        ServingStatus before = responder.status();
        if (before != next) {
            responder.status(next);
            log.info("heartbeat status {} -> {}: {}", before, next, why);
        }
    }
}
