package dev.heartbeat.spring.health;

import dev.heartbeat.peer.Peer;
import dev.heartbeat.peer.PeerEvent;
import dev.heartbeat.peer.PeerListener;
import dev.heartbeat.peer.PeerRegistry;
import java.util.Objects;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Function;
import java.util.stream.Stream;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.Status;

/**
 * The {@code heartbeat} health contributor: one live entry per peer, added at the peer's ADDED
 * event and removed at its REMOVED (it subscribes to the registry; it polls nothing). Each entry
 * is a {@link PeerHealthIndicator} that reads the peer's volatile state when asked.
 *
 * <p>It is never part of the liveness group ({@link LivenessGroupGuard}): a sick peer must not get
 * this application restarted. Put it in readiness only when the application truly cannot serve
 * without its peers ({@code management.endpoint.health.group.readiness.include=readinessState,heartbeat}).
 */
public class HeartbeatHealthContributor implements CompositeHealthContributor, PeerListener, AutoCloseable {

    /** The name the contributor is registered under. */
    public static final String NAME = "heartbeat";

    private final PeerRegistry registry;
    private final Function<String, String> breakerState;
    private final Status deadStatus;
    private final Status unusableStatus;
    private final ConcurrentSkipListMap<String, PeerHealthIndicator> entries = new ConcurrentSkipListMap<>();

    /**
     * @param registry whose peers to report (subscribe with {@link #attach()})
     * @param breakerState the state of a peer's circuit breaker by peer name, or null when it has none
     * @param deadStatus the status of a DEAD peer
     * @param unusableStatus the status of an alive, UNUSABLE peer
     */
    public HeartbeatHealthContributor(PeerRegistry registry, Function<String, String> breakerState, Status deadStatus,
                                      Status unusableStatus) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.breakerState = Objects.requireNonNull(breakerState, "breakerState");
        this.deadStatus = Objects.requireNonNull(deadStatus, "deadStatus");
        this.unusableStatus = Objects.requireNonNull(unusableStatus, "unusableStatus");
    }

    /** Subscribes to the registry (current peers are replayed). */
    public HeartbeatHealthContributor attach() {
        registry.addListener(this);
        return this;
    }

    @Override
    public void onEvent(PeerEvent event) {
        switch (event.kind()) {
            case ADDED, TRANSITION, RESTARTED -> {
                // a TRANSITION or RESTARTED may stand for a removal and a comeback (coalesced): look the peer up
                Peer peer = registry.peer(event.peer()).orElse(null);
                if (peer == null) {
                    entries.remove(event.peer());
                } else {
                    PeerHealthIndicator cur = entries.get(event.peer());
                    if (cur == null || cur.peer() != peer) {
                        entries.put(event.peer(), new PeerHealthIndicator(peer, breakerState, deadStatus, unusableStatus));
                    }
                }
            }
            case REMOVED -> entries.remove(event.peer());
            default -> { }
        }
    }

    @Override
    public HealthContributor getContributor(String name) {
        return entries.get(name);
    }

    @Override
    public Stream<Entry> stream() {
        return entries.entrySet().stream().map(e -> new Entry(e.getKey(), e.getValue()));
    }

    /** Peers reported now. */
    public int size() {
        return entries.size();
    }

    /** Unsubscribes. */
    @Override
    public void close() {
        registry.removeListener(this);
        entries.clear();
    }
}
