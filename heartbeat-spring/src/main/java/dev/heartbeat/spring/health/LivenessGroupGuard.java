package dev.heartbeat.spring.health;

import java.util.Set;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.health.actuate.endpoint.AdditionalHealthEndpointPath;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroup;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroupsPostProcessor;
import org.springframework.boot.health.actuate.endpoint.HttpCodeStatusMapper;
import org.springframework.boot.health.actuate.endpoint.StatusAggregator;

/**
 * Keeps the {@code heartbeat} contributor out of the {@code liveness} health group, whatever the
 * group's {@code include} says (even {@code *}): the liveness probe asks "should this process be
 * restarted?", and a dead peer is never a reason to restart us — restarting would only add a
 * second outage to the first.
 */
public class LivenessGroupGuard implements HealthEndpointGroupsPostProcessor {

    /** The group it guards. */
    public static final String LIVENESS = "liveness";

    @Override
    public HealthEndpointGroups postProcessHealthEndpointGroups(HealthEndpointGroups groups) {
        return new Guarded(groups);
    }

    /** True for the heartbeat contributor and its peers' entries. */
    static boolean ours(String name) {
        return name.equals(HeartbeatHealthContributor.NAME) || name.startsWith(HeartbeatHealthContributor.NAME + "/");
    }

    private static final class Guarded implements HealthEndpointGroups {
        private final HealthEndpointGroups delegate;

        Guarded(HealthEndpointGroups delegate) {
            this.delegate = delegate;
        }

        @Override
        public HealthEndpointGroup getPrimary() {
            return delegate.getPrimary();
        }

        @Override
        public Set<String> getNames() {
            return delegate.getNames();
        }

        @Override
        public HealthEndpointGroup get(String name) {
            HealthEndpointGroup g = delegate.get(name);
            return g != null && LIVENESS.equals(name) ? new WithoutHeartbeat(g) : g;
        }
    }

    private static final class WithoutHeartbeat implements HealthEndpointGroup {
        private final HealthEndpointGroup delegate;

        WithoutHeartbeat(HealthEndpointGroup delegate) {
            this.delegate = delegate;
        }

        @Override
        public boolean isMember(String name) {
            return !ours(name) && delegate.isMember(name);
        }

        @Override
        public boolean showComponents(SecurityContext securityContext) {
            return delegate.showComponents(securityContext);
        }

        @Override
        public boolean showDetails(SecurityContext securityContext) {
            return delegate.showDetails(securityContext);
        }

        @Override
        public StatusAggregator getStatusAggregator() {
            return delegate.getStatusAggregator();
        }

        @Override
        public HttpCodeStatusMapper getHttpCodeStatusMapper() {
            return delegate.getHttpCodeStatusMapper();
        }

        @Override
        public AdditionalHealthEndpointPath getAdditionalPath() {
            return delegate.getAdditionalPath();
        }
    }
}
