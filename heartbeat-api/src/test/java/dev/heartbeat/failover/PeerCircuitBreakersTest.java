package dev.heartbeat.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.Peer;
import dev.heartbeat.peer.Usability;
import dev.heartbeat.protocol.ServingStatus;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The state mapping of docs/failover.md, row by row, with real peer events on virtual time. */
class PeerCircuitBreakersTest {

    private final Rig rig = new Rig();

    @AfterEach
    void tearDown() {
        rig.close();
    }

    private PeerCircuitBreakers attach() {
        return PeerCircuitBreakers.builder().clock(FailoverRouter.tickerClock(rig.ticker)).build()
                .attach(rig.monitor.registry());
    }

    @Test
    void deadOpensAtOnceRecoveryHalfOpensAndOnlyRealCallsClose() {
        PeerCircuitBreakers breakers = attach();
        Peer a = rig.peer("a");
        rig.runMillis(500);
        CircuitBreaker cb = breakers.breaker("a").orElseThrow();
        List<String> moves = new ArrayList<>();
        cb.getEventPublisher().onStateTransition(e -> moves.add(e.getStateTransition().toString()));
        assertThat(a.liveness()).isEqualTo(Liveness.ALIVE);
        assertThat(cb.getState()).isEqualTo(State.CLOSED);

        rig.endpoint("a").crash();
        rig.runMillis(50);
        assertThat(a.liveness()).isEqualTo(Liveness.DEAD);
        assertThat(cb.getState()).as("DEAD opens at once").isEqualTo(State.OPEN);

        rig.endpoint("a").restart(rig.endpoint("a").responder());
        rig.runMillis(1000);
        assertThat(a.available()).isTrue();
        assertThat(cb.getState()).as("heartbeats are back: trial calls may go").isEqualTo(State.HALF_OPEN);

        // heartbeats keep coming: they are never recorded as calls, so the breaker stays HALF_OPEN
        rig.runMillis(3000);
        assertThat(cb.getState()).isEqualTo(State.HALF_OPEN);
        assertThat(cb.getMetrics().getNumberOfBufferedCalls()).isZero();

        for (int i = 0; i < PeerCircuitBreakers.DEFAULT_PERMITTED_CALLS_IN_HALF_OPEN_STATE; i++) {
            assertThat(cb.tryAcquirePermission()).isTrue();
            cb.onSuccess(1, TimeUnit.MILLISECONDS);
        }
        assertThat(cb.getState()).as("closed by real successes").isEqualTo(State.CLOSED);
        assertThat(moves).containsExactly("State transition from CLOSED to OPEN", "State transition from OPEN to HALF_OPEN",
                "State transition from HALF_OPEN to CLOSED");
    }

    @Test
    void unusableOpensDegradedAndSuspectDoNothing() {
        PeerCircuitBreakers breakers = attach();
        Peer a = rig.peer("a");
        rig.runMillis(500);
        CircuitBreaker cb = breakers.breaker("a").orElseThrow();

        rig.endpoint("a").responder().status(ServingStatus.DEGRADED);
        rig.runMillis(500);
        assertThat(a.usability()).isEqualTo(Usability.DEGRADED);
        assertThat(cb.getState()).isEqualTo(State.CLOSED);

        rig.endpoint("a").responder().status(ServingStatus.DRAINING);
        rig.runMillis(300);
        assertThat(a.usability()).isEqualTo(Usability.UNUSABLE);
        assertThat(cb.getState()).isEqualTo(State.OPEN);

        rig.endpoint("a").responder().status(ServingStatus.SERVING);
        rig.runMillis(1000);
        assertThat(a.usability()).isEqualTo(Usability.USABLE);
        assertThat(cb.getState()).isEqualTo(State.HALF_OPEN);

        // SUSPECT (late heartbeats, then back): no change
        rig.endpoint("a").freeze();
        rig.runMillis(1);
        while (a.liveness() == Liveness.ALIVE) {
            rig.runMillis(1);
        }
        assertThat(a.liveness()).isEqualTo(Liveness.SUSPECT);
        assertThat(cb.getState()).isEqualTo(State.HALF_OPEN);
        rig.endpoint("a").resume();
        rig.runMillis(300);
        assertThat(a.liveness()).isEqualTo(Liveness.ALIVE);
        assertThat(cb.getState()).isEqualTo(State.HALF_OPEN);
    }

    @Test
    void restartForgetsTheOldProcessesFailuresAndRemovalDropsTheBreaker() {
        PeerCircuitBreakers breakers = attach();
        rig.peer("a");
        rig.runMillis(500);
        CircuitBreaker cb = breakers.breaker("a").orElseThrow();
        for (int i = 0; i < 5; i++) {
            assertThat(cb.tryAcquirePermission()).isTrue();
            cb.onError(1, TimeUnit.MILLISECONDS, new java.io.IOException("x"));
        }
        assertThat(cb.getMetrics().getNumberOfFailedCalls()).isEqualTo(5);
        rig.endpoint("a").restart(rig.newResponder("a"));
        rig.runMillis(500);
        assertThat(rig.events).anyMatch(e -> e.kind() == dev.heartbeat.peer.PeerEvent.Kind.RESTARTED);
        assertThat(cb.getState()).isEqualTo(State.CLOSED);
        assertThat(cb.getMetrics().getNumberOfFailedCalls()).as("reset on restart").isZero();

        assertThat(breakers.registry().find("a")).isPresent();
        rig.monitor.removePeer("a");
        assertThat(breakers.breaker("a")).isEmpty();
        assertThat(breakers.registry().find("a")).as("created by the bridge: removed with the peer").isEmpty();
    }

    @Test
    void anOperatorsForcedOpenOrDisabledIsLeftAlone() {
        PeerCircuitBreakers breakers = attach();
        Peer a = rig.peer("a");
        rig.runMillis(500);
        CircuitBreaker cb = breakers.breaker("a").orElseThrow();
        cb.transitionToForcedOpenState();
        rig.endpoint("a").crash();
        rig.runMillis(50);
        rig.endpoint("a").restart(rig.endpoint("a").responder());
        rig.runMillis(1000);
        assertThat(a.available()).isTrue();
        assertThat(cb.getState()).isEqualTo(State.FORCED_OPEN);
        cb.transitionToDisabledState();
        rig.endpoint("a").crash();
        rig.runMillis(50);
        assertThat(cb.getState()).isEqualTo(State.DISABLED);
    }

    @Test
    void theUsersRegistryAndNamedConfigurationAreUsedAndTheirBreakersKept() {
        CircuitBreakerConfig mine = CircuitBreakerConfig.custom().slidingWindowSize(7).minimumNumberOfCalls(7)
                .maxWaitDurationInHalfOpenState(Duration.ofSeconds(3)).build();
        CircuitBreakerRegistry users = CircuitBreakerRegistry.ofDefaults();
        users.addConfiguration("peers", mine);
        CircuitBreaker existing = users.circuitBreaker("b", mine);
        PeerCircuitBreakers breakers = PeerCircuitBreakers.builder().registry(users).configName("peers").build()
                .attach(rig.monitor.registry());
        rig.peer("a");
        rig.peer("b");
        rig.runMillis(500);
        assertThat(breakers.breaker("a").orElseThrow().getCircuitBreakerConfig().getSlidingWindowSize()).isEqualTo(7);
        assertThat(users.find("a")).isPresent();
        assertThat(breakers.breaker("b").orElseThrow()).isSameAs(existing);
        breakers.close();
        assertThat(users.find("a")).as("ours: removed on close").isEmpty();
        assertThat(users.find("b")).as("the user's own: kept").isPresent();
        assertThat(rig.monitor.registry().listenerCount()).as("unsubscribed").isEqualTo(1);
    }

    @Test
    void aConfigurationThatCanStickInHalfOpenIsRefused() {
        CircuitBreakerRegistry unbounded = CircuitBreakerRegistry.ofDefaults(); // maxWaitDurationInHalfOpenState 0
        assertThatThrownBy(() -> PeerCircuitBreakers.builder().registry(unbounded).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("circuitBreakerConfig.maxWaitDurationInHalfOpenState : PT0S (expected: > 0, so that a breaker"
                        + " whose trial calls are lost cannot stay HALF_OPEN forever)");
        assertThatThrownBy(() -> PeerCircuitBreakers.builder().registry(unbounded).configName("nope").build())
                .hasMessage("configName : 'nope' (expected: a configuration of the registry)");
        assertThatThrownBy(() -> PeerCircuitBreakers.builder().configName(" "))
                .hasMessage("configName : ' ' (expected: not blank)");
    }

    @Test
    void defaultConfigurationHasTheDocumentedValues() {
        CircuitBreakerConfig c = PeerCircuitBreakers.defaultConfig();
        assertThat(c.getFailureRateThreshold()).isEqualTo(PeerCircuitBreakers.DEFAULT_FAILURE_RATE_THRESHOLD);
        assertThat(c.getSlidingWindowSize()).isEqualTo(PeerCircuitBreakers.DEFAULT_SLIDING_WINDOW_SIZE);
        assertThat(c.getMinimumNumberOfCalls()).isEqualTo(PeerCircuitBreakers.DEFAULT_MINIMUM_NUMBER_OF_CALLS);
        assertThat(c.getPermittedNumberOfCallsInHalfOpenState())
                .isEqualTo(PeerCircuitBreakers.DEFAULT_PERMITTED_CALLS_IN_HALF_OPEN_STATE);
        assertThat(c.getMaxWaitDurationInHalfOpenState())
                .isEqualTo(PeerCircuitBreakers.DEFAULT_MAX_WAIT_DURATION_IN_HALF_OPEN_STATE);
        assertThat(c.isAutomaticTransitionFromOpenToHalfOpenEnabled()).isFalse();
    }
}
