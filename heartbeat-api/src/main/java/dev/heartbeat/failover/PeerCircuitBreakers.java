package dev.heartbeat.failover;

import dev.heartbeat.internal.Checks;
import dev.heartbeat.internal.LogLimit;
import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.PeerEvent;
import dev.heartbeat.peer.PeerListener;
import dev.heartbeat.peer.PeerRegistry;
import dev.heartbeat.peer.PeerState;
import dev.heartbeat.peer.Usability;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.circuitbreaker.IllegalStateTransitionException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One resilience4j {@link CircuitBreaker} per peer, driven by heartbeat verdicts: the bridge
 * between {@link PeerEvent}s and breakers. Breakers come from the user's
 * {@link CircuitBreakerRegistry} when one is given (their configuration, their metrics), otherwise
 * from a registry of its own with {@link #defaultConfig()}; each is named after its peer.
 *
 * <h2>The mapping</h2>
 * <table>
 *   <caption>What each peer event does to the peer's breaker</caption>
 *   <tr><th>peer event</th><th>breaker</th></tr>
 *   <tr><td>ADDED</td><td>breaker created (or the registry's existing one adopted); opened at once
 *       if the peer is already DEAD or UNUSABLE</td></tr>
 *   <tr><td>→ DEAD, or → UNUSABLE</td><td>CLOSED/HALF_OPEN → OPEN at once</td></tr>
 *   <tr><td>back to available (ALIVE/SUSPECT and USABLE/DEGRADED) from not available</td>
 *       <td>OPEN → HALF_OPEN at once (no need to wait out {@code waitDurationInOpenState}: the
 *       heartbeats are the evidence); it closes only after
 *       {@code permittedNumberOfCallsInHalfOpenState} real calls, judged by its failure-rate
 *       threshold</td></tr>
 *   <tr><td>SUSPECT, DEGRADED, ALIVE ⇄ SUSPECT</td><td>nothing: still routable (the router gives
 *       such peers a smaller share)</td></tr>
 *   <tr><td>RESTARTED, available</td><td>OPEN → HALF_OPEN; CLOSED → {@code reset()} (the old
 *       process's failures are forgotten); HALF_OPEN stays</td></tr>
 *   <tr><td>RESTARTED, not available</td><td>as → DEAD/UNUSABLE</td></tr>
 *   <tr><td>REMOVED</td><td>breaker removed from the registry if this bridge created it</td></tr>
 *   <tr><td>any, while the breaker is FORCED_OPEN, DISABLED or METRICS_ONLY</td><td>nothing: an
 *       operator put it there</td></tr>
 * </table>
 * The other way round: a breaker may move itself OPEN → HALF_OPEN while its peer is still down
 * (resilience4j's automatic transition, or someone's own {@code tryAcquirePermission()} after the
 * wait). A router sends such a peer nothing (it routes only to available peers), and the breaker
 * falls back to OPEN when its trial call fails, at the peer's next event, or at the latest after
 * {@code maxWaitDurationInHalfOpenState}, which is why that must be bounded. (Sending it back to
 * OPEN from inside resilience4j's transition event would show the breaker's other event consumers
 * the two transitions in the wrong order.)
 *
 * <h2>resilience4j pitfalls this handles</h2>
 * <ul>
 *   <li>Heartbeat PONGs are never recorded as calls: in OPEN, recorded successes never close a
 *       breaker (only {@code tryAcquirePermission()} after the wait, or a transition, leaves OPEN),
 *       and in HALF_OPEN they would use up the permits meant for real calls. Recovery is an explicit
 *       OPEN → HALF_OPEN transition instead, and only real calls close the breaker.</li>
 *   <li>A breaker whose {@code maxWaitDurationInHalfOpenState} is zero can stay HALF_OPEN forever
 *       when a permitted call is lost: {@link Builder#build()} refuses such a configuration.</li>
 *   <li>Transitions race with callers' own; an {@link IllegalStateTransitionException} from a lost
 *       race is retried against the new state, never thrown to the registry.</li>
 * </ul>
 * (The router, for its part, releases every permit it does not end with an outcome, and records a
 * caller's own errors by releasing the permit, as {@code ignoreException} would, never as a
 * success.)
 *
 * <p>Use it alone ({@link #attach(PeerRegistry)}) when you call peers through resilience4j's own
 * decorators, or let a {@link FailoverRouter} drive one. Thread-safe; {@link #close()} unsubscribes
 * and removes the breakers it created.
 */
public final class PeerCircuitBreakers implements PeerListener, AutoCloseable {

    /** Failure rate (%) above which calls open a breaker of the default configuration: 50. */
    public static final float DEFAULT_FAILURE_RATE_THRESHOLD = 50f;
    /** Calls in the default count-based window: 20. */
    public static final int DEFAULT_SLIDING_WINDOW_SIZE = 20;
    /** Calls needed before the failure rate is judged: 10. */
    public static final int DEFAULT_MINIMUM_NUMBER_OF_CALLS = 10;
    /** Wait in OPEN before a breaker opened by call outcomes lets a trial through: 5 s. */
    public static final Duration DEFAULT_WAIT_DURATION_IN_OPEN_STATE = Duration.ofSeconds(5);
    /** Trial calls in HALF_OPEN: 5. */
    public static final int DEFAULT_PERMITTED_CALLS_IN_HALF_OPEN_STATE = 5;
    /** Longest time in HALF_OPEN before falling back to OPEN: 10 s. */
    public static final Duration DEFAULT_MAX_WAIT_DURATION_IN_HALF_OPEN_STATE = Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(PeerCircuitBreakers.class);

    private final CircuitBreakerRegistry registry;
    private final String configName;
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicLong failures = new AtomicLong();
    private volatile Consumer<String> onBreakerTransition = name -> { };
    private volatile PeerRegistry attached;
    private volatile boolean closed;

    /** What the bridge knows about one peer's breaker. */
    private static final class Entry {
        final CircuitBreaker breaker;
        final boolean created;
        volatile boolean available;
        volatile boolean active = true;

        Entry(CircuitBreaker breaker, boolean created) {
            this.breaker = breaker;
            this.created = created;
        }
    }

    private PeerCircuitBreakers(Builder b, CircuitBreakerRegistry registry) {
        this.registry = registry;
        this.configName = b.configName;
    }

    /**
     * The configuration breakers get when no registry is given: count-based window of
     * {@value #DEFAULT_SLIDING_WINDOW_SIZE} calls, judged from {@value #DEFAULT_MINIMUM_NUMBER_OF_CALLS},
     * opening above {@value #DEFAULT_FAILURE_RATE_THRESHOLD} % failures; 5 s in OPEN (for breakers
     * opened by call outcomes), {@value #DEFAULT_PERMITTED_CALLS_IN_HALF_OPEN_STATE} trial calls,
     * at most 10 s in HALF_OPEN; no automatic OPEN → HALF_OPEN thread.
     */
    public static CircuitBreakerConfig defaultConfig() {
        return defaultConfig(Clock.systemUTC());
    }

    /** {@link #defaultConfig()} timed by {@code clock} (the router passes one on its ticker). */
    public static CircuitBreakerConfig defaultConfig(Clock clock) {
        return CircuitBreakerConfig.custom()
                .failureRateThreshold(DEFAULT_FAILURE_RATE_THRESHOLD)
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(DEFAULT_SLIDING_WINDOW_SIZE)
                .minimumNumberOfCalls(DEFAULT_MINIMUM_NUMBER_OF_CALLS)
                .waitDurationInOpenState(DEFAULT_WAIT_DURATION_IN_OPEN_STATE)
                .permittedNumberOfCallsInHalfOpenState(DEFAULT_PERMITTED_CALLS_IN_HALF_OPEN_STATE)
                .maxWaitDurationInHalfOpenState(DEFAULT_MAX_WAIT_DURATION_IN_HALF_OPEN_STATE)
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .writableStackTraceEnabled(false)
                .clock(Objects.requireNonNull(clock, "clock"))
                .build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Subscribes to {@code peers}' events (current peers are replayed). Once only. */
    public PeerCircuitBreakers attach(PeerRegistry peers) {
        Objects.requireNonNull(peers, "peers");
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("peer circuit breakers are closed");
            }
            if (attached != null) {
                throw new IllegalStateException("already attached to a registry");
            }
            attached = peers;
        }
        peers.addListener(this);
        return this;
    }

    /** The registry the breakers live in. */
    public CircuitBreakerRegistry registry() {
        return registry;
    }

    /** The breaker of {@code peer}, while the peer is known. */
    public Optional<CircuitBreaker> breaker(String peer) {
        Entry e = entries.get(peer);
        return e == null ? Optional.empty() : Optional.of(e.breaker);
    }

    /** Breakers held now. */
    public int size() {
        return entries.size();
    }

    /** Failures of the registry or of a breaker while handling events (logged, rate-limited). */
    public long failures() {
        return failures.get();
    }

    /** Called with a peer's name after each of its breaker's state transitions (the router's hook). */
    void onBreakerTransition(Consumer<String> hook) {
        this.onBreakerTransition = Objects.requireNonNull(hook, "hook");
    }

    @Override
    public void onEvent(PeerEvent event) {
        if (closed) {
            return;
        }
        try {
            switch (event.kind()) {
                case ADDED -> added(event);
                case TRANSITION -> apply(event, false);
                case RESTARTED -> apply(event, true);
                case REMOVED -> removed(event.peer());
            }
        } catch (RuntimeException e) {
            long n = failures.incrementAndGet();
            if (LogLimit.loud(n)) {
                log.warn("circuit breaker of peer {}: could not apply {} (failure {})", event.peer(), event, n, e);
            }
        }
    }

    private void added(PeerEvent event) {
        Entry entry = entries.get(event.peer());
        if (entry == null) {
            boolean existed = registry.find(event.peer()).isPresent();
            CircuitBreaker cb = configName == null ? registry.circuitBreaker(event.peer())
                    : registry.circuitBreaker(event.peer(), configName);
            if (cb.getCircuitBreakerConfig().getMaxWaitDurationInHalfOpenState().isZero()) {
                log.warn("circuit breaker {} has maxWaitDurationInHalfOpenState 0: it can stay HALF_OPEN forever if a"
                        + " permitted call is lost; give it a bound", cb.getName());
            }
            Entry fresh = new Entry(cb, !existed);
            entry = entries.putIfAbsent(event.peer(), fresh);
            if (entry == null) {
                entry = fresh;
                Entry watched = fresh;
                cb.getEventPublisher().onStateTransition(t -> breakerMoved(watched, t.getStateTransition()));
            }
        }
        apply(entry, event.state(), false);
    }

    private void apply(PeerEvent event, boolean restarted) {
        Entry entry = entries.get(event.peer());
        if (entry == null) {
            added(event); // e.g. a REMOVED-then-ADDED coalesced into a TRANSITION for a new registration
            return;
        }
        apply(entry, event.state(), restarted);
    }

    private void apply(Entry entry, PeerState s, boolean restarted) {
        boolean wasAvailable = entry.available;
        boolean available = s.available();
        boolean down = s.liveness() == Liveness.DEAD || s.usability() == Usability.UNUSABLE;
        entry.available = available;
        CircuitBreaker cb = entry.breaker;
        if (down) {
            toOpen(cb); // also sends back to OPEN a breaker that half-opened itself while the peer was down
        } else if (available && restarted) {
            State st = cb.getState();
            if (st == State.CLOSED) {
                cb.reset();
            } else {
                toHalfOpen(cb);
            }
        } else if (available && !wasAvailable) {
            toHalfOpen(cb);
        }
    }

    private static void toOpen(CircuitBreaker cb) {
        for (int i = 0; i < 4; i++) {
            State st = cb.getState();
            if (st != State.CLOSED && st != State.HALF_OPEN) {
                return; // already OPEN, or an operator's FORCED_OPEN / DISABLED / METRICS_ONLY
            }
            try {
                cb.transitionToOpenState();
                return;
            } catch (IllegalStateTransitionException raced) {
                // a caller moved it meanwhile: look again
            }
        }
    }

    private static void toHalfOpen(CircuitBreaker cb) {
        for (int i = 0; i < 4; i++) {
            if (cb.getState() != State.OPEN) {
                return; // only our OPEN is ours to lift; FORCED_OPEN is an operator's
            }
            try {
                cb.transitionToHalfOpenState();
                return;
            } catch (IllegalStateTransitionException raced) {
                // look again
            }
        }
    }

    private void breakerMoved(Entry entry, CircuitBreaker.StateTransition t) {
        if (!entry.active) {
            return;
        }
        try {
            onBreakerTransition.accept(entry.breaker.getName());
        } catch (RuntimeException e) {
            long n = failures.incrementAndGet();
            if (LogLimit.loud(n)) {
                log.warn("breaker transition hook failed for {} (failure {})", entry.breaker.getName(), n, e);
            }
        }
    }

    private void removed(String peer) {
        Entry entry = entries.remove(peer);
        if (entry != null) {
            entry.active = false;
            if (entry.created) {
                registry.remove(peer);
            }
        }
    }

    /** Unsubscribes (when attached) and removes from the registry every breaker this bridge created. */
    @Override
    public void close() {
        PeerRegistry peers;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            peers = attached;
        }
        if (peers != null) {
            peers.removeListener(this);
        }
        for (String name : entries.keySet()) {
            removed(name);
        }
    }

    /** Validating builder. */
    public static final class Builder {
        private CircuitBreakerRegistry registry;
        private String configName;
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /** The user's registry: its configuration and metrics apply. Default: a registry of our own. */
        public Builder registry(CircuitBreakerRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /** A named configuration of that registry to create breakers with. Default: its default one. */
        public Builder configName(String configName) {
            Objects.requireNonNull(configName, "configName");
            if (configName.isBlank()) {
                throw Checks.bad("configName", "'" + configName + "'", "not blank");
            }
            this.configName = configName;
            return this;
        }

        /** The clock of the default configuration (ignored with a user's registry). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Builds the bridge.
         *
         * @throws IllegalArgumentException when the configuration breakers would get has no bound on
         *     HALF_OPEN ({@code maxWaitDurationInHalfOpenState} 0), or names an unknown configuration
         */
        public PeerCircuitBreakers build() {
            CircuitBreakerRegistry r = registry != null ? registry : CircuitBreakerRegistry.of(defaultConfig(clock));
            CircuitBreakerConfig cfg;
            if (configName == null) {
                cfg = r.getDefaultConfig();
            } else {
                cfg = r.getConfiguration(configName).orElseThrow(() -> Checks.bad("configName", "'" + configName + "'",
                        "a configuration of the registry"));
            }
            Duration maxHalfOpen = cfg.getMaxWaitDurationInHalfOpenState();
            if (maxHalfOpen.isZero() || maxHalfOpen.isNegative()) {
                throw Checks.bad("circuitBreakerConfig.maxWaitDurationInHalfOpenState", maxHalfOpen,
                        "> 0, so that a breaker whose trial calls are lost cannot stay HALF_OPEN forever");
            }
            return new PeerCircuitBreakers(this, r);
        }
    }
}
