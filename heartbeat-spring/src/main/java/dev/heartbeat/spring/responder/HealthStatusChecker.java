package dev.heartbeat.spring.responder;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthContributors;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.context.SmartLifecycle;

/**
 * Checks the application's actuator health every interval, on a thread of its own
 * ({@code heartbeat-health-status}: a slow indicator never delays a heartbeat), and tells the
 * {@link ResponderStatusUpdater} whether any contributor is DOWN. Contributors named in
 * {@code skipped} are left out: the auto-configuration skips {@code heartbeat} (the peers' health is
 * not ours to report: a dead peer must not make us look dead to everyone else) and the availability
 * indicators (their events reach the status directly, and before start-up liveness reads BROKEN).
 *
 * <p>Reactive-only contributors are not consulted. Composite contributors are walked to a depth
 * of {@value #MAX_DEPTH}.
 */
public class HealthStatusChecker implements SmartLifecycle {

    static final int MAX_DEPTH = 8;

    private static final Logger log = LoggerFactory.getLogger(HealthStatusChecker.class);

    private final HealthContributorRegistry registry;
    private final ResponderStatusUpdater updater;
    private final Set<String> skipped;
    private final dev.heartbeat.spring.support.PeriodicTask periodic;

    /**
     * @param registry the application's health contributors
     * @param updater where verdicts go
     * @param interval how often to check
     * @param skipped top-level contributor names to leave out
     */
    public HealthStatusChecker(HealthContributorRegistry registry, ResponderStatusUpdater updater, Duration interval,
                               Set<String> skipped) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.updater = Objects.requireNonNull(updater, "updater");
        this.periodic = new dev.heartbeat.spring.support.PeriodicTask("heartbeat-health-status",
                Objects.requireNonNull(interval, "interval"), this::checkNow);
        this.skipped = Set.copyOf(skipped);
    }

    @Override
    public void start() {
        periodic.start();
    }

    @Override
    public void stop() {
        periodic.stop();
    }

    @Override
    public boolean isRunning() {
        return periodic.isRunning();
    }

    @Override
    public int getPhase() {
        return HeartbeatResponderServer.PHASE;
    }

    /** Checks once, on the caller's thread, and reports the verdict. */
    public void checkNow() {
        try {
            String down = firstDown(registry, "", 0);
            updater.healthDown(down != null, down);
        } catch (RuntimeException e) {
            log.warn("health check for the heartbeat status failed; status unchanged", e);
        }
    }

    private String firstDown(HealthContributors contributors, String path, int depth) {
        for (HealthContributors.Entry e : contributors) {
            if (depth == 0 && skipped.contains(e.name())) {
                continue;
            }
            String name = path.isEmpty() ? e.name() : path + "/" + e.name();
            String down = down(e.contributor(), name, depth);
            if (down != null) {
                return down;
            }
        }
        return null;
    }

    private String down(HealthContributor c, String name, int depth) {
        if (c instanceof HealthIndicator indicator) {
            Status s;
            try {
                s = indicator.health(false).getStatus();
            } catch (RuntimeException ex) {
                return name + " threw " + ex;
            }
            return Status.DOWN.equals(s) ? name : null;
        }
        if (c instanceof CompositeHealthContributor composite && depth < MAX_DEPTH) {
            return firstDown(composite, name, depth + 1);
        }
        return null;
    }
}
