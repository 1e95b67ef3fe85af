package dev.heartbeat.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.Peer;
import dev.heartbeat.peer.Usability;
import dev.heartbeat.protocol.LoadReport;
import dev.heartbeat.protocol.ServingStatus;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The router on virtual time: choice, outcomes, retries, budget, panic, slow start, eviction, close. */
class FailoverRouterTest {

    private final Rig rig = new Rig();
    private final List<FailoverEvent> failoverEvents = new CopyOnWriteArrayList<>();

    @AfterEach
    void tearDown() {
        rig.close();
    }

    private FailoverRouter<TestClients.Client> threePeers(FailoverRouter.Builder<TestClients.Client> b) {
        rig.peer("a");
        rig.peer("b");
        rig.peer("c");
        rig.runMillis(500);
        FailoverRouter<TestClients.Client> r = b.listener(failoverEvents::add).build();
        assertThat(r.stats().healthy()).isEqualTo(3);
        return r;
    }

    /** Makes {@code n} idempotent calls; returns calls per peer (first attempts and retries). */
    private Map<String, Integer> calls(FailoverRouter<TestClients.Client> r, int n) throws IOException {
        rig.clients.resetCounts();
        for (int i = 0; i < n; i++) {
            r.executeIdempotent(TestClients.Client::call);
        }
        Map<String, Integer> m = new LinkedHashMap<>();
        for (String p : List.of("a", "b", "c")) {
            m.put(p, rig.clients.calls(p));
        }
        return m;
    }

    @Test
    void spreadsCallsOverAvailablePeersOnly() throws IOException {
        FailoverRouter<TestClients.Client> r = threePeers(rig.router());
        Map<String, Integer> even = calls(r, 3000);
        assertThat(even.values()).allSatisfy(n -> assertThat(n).isBetween(800, 1200));

        rig.endpoint("c").crash();
        rig.runMillis(50);
        assertThat(rig.monitor.peer("c").orElseThrow().liveness()).isEqualTo(Liveness.DEAD);
        Map<String, Integer> two = calls(r, 1000);
        assertThat(two.get("c")).isZero();
        assertThat(two.get("a") + two.get("b")).isEqualTo(1000);
        assertThat(r.stats().failures()).isZero();
    }

    @Test
    void aLoadedPeerGetsLessAndAStaleReportIsIgnored() throws IOException {
        FailoverRouter<TestClients.Client> r = threePeers(rig.router());
        // busy, but below every usability threshold: b stays USABLE, only the router's choice sees it
        // (figures count only when both peers compared report them: a and c report theirs too)
        rig.loads.get("a").set(LoadReport.builder().cpu(0.2).inFlight(2).queueDepth(0).build());
        rig.loads.get("c").set(LoadReport.builder().cpu(0.2).inFlight(2).queueDepth(0).build());
        rig.loads.get("b").set(LoadReport.builder().cpu(0.8).inFlight(40).queueDepth(10).build());
        rig.runMillis(300);
        assertThat(rig.monitor.peer("b").orElseThrow().usability()).isEqualTo(Usability.USABLE);
        Map<String, Integer> m = calls(r, 3000);
        assertThat(m.get("b")).as("busy b: %s", m).isLessThan(100);
        r.close();

        // the same report, but only trusted for 1 ms: every report is older than that, so none counts
        FailoverRouter<TestClients.Client> stale = rig.router().staleness(Duration.ofMillis(1)).build();
        rig.runMillis(50);
        Map<String, Integer> s = calls(stale, 3000);
        assertThat(s.get("b")).as("stale: %s", s).isBetween(800, 1200);
    }

    @Test
    void ourOwnCallsInFlightSteerAwayBeforeAnyHeartbeatSaysSo() throws IOException {
        FailoverRouter<TestClients.Client> r = threePeers(rig.router());
        // five calls stuck on b (a frozen process would leave them hanging)
        List<String> seen = new ArrayList<>();
        int[] depth = {0};
        PeerCall<TestClients.Client, String, IOException> nested = new PeerCall<>() {
            @Override
            public String call(TestClients.Client c) throws IOException {
                seen.add(c.peer);
                if (c.peer.equals("b") && depth[0] < 5) {
                    depth[0]++;
                    return r.execute(this); // b's call is still in flight while the next one is routed
                }
                return c.peer;
            }
        };
        for (int i = 0; i < 50 && depth[0] < 5; i++) {
            r.execute(nested);
        }
        assertThat(depth[0]).isEqualTo(5);
        assertThat(r.inFlight("b")).isZero(); // all returned by now
        // with 5 of our calls in flight, b's cost is 36× the others': measure it directly
        rig.clients.resetCounts();
        int toB = 0;
        for (int i = 0; i < 600; i++) {
            String first = r.execute(c -> c.peer.equals("b") ? r.execute(TestClients.Client::call) + "!" : c.peer);
            if (first.endsWith("!")) {
                toB++;
            }
        }
        assertThat(toB).as("calls that found b idle").isBetween(100, 300);
        assertThat(rig.clients.calls("b")).as("calls made while one of ours was in flight to b").isLessThan(toB / 3);
    }

    @Test
    void degradedPeersTakeASmallerShare() throws IOException {
        FailoverRouter<TestClients.Client> r = threePeers(rig.router());
        rig.endpoint("b").responder().status(ServingStatus.DEGRADED);
        rig.runMillis(300);
        assertThat(rig.monitor.peer("b").orElseThrow().usability()).isEqualTo(Usability.DEGRADED);
        Map<String, Integer> m = calls(r, 3000);
        // pair drawn uniformly (b in it 2/3 of the time), then b taken with 0.25 / 1.25: about 13 %
        assertThat(m.get("b")).as("%s", m).isBetween(250, 550);
        assertThat(r.share("b")).isEqualTo(25.0);
        assertThat(r.share("a")).isEqualTo(100.0);
    }

    @Test
    void callsThatFailOpenTheBreakerWhileHeartbeatsStayHealthyAndNoIdempotentCallFails() throws IOException {
        FailoverRouter<TestClients.Client> r = threePeers(rig.router().slowStart(SlowStart.custom()
                .window(Duration.ofSeconds(2)).readmissionJitter(Duration.ZERO).build()));
        rig.clients.get("b").failing = true;
        Map<String, Integer> m = calls(r, 300); // none throws
        CircuitBreaker b = r.circuitBreaker("b").orElseThrow();
        Peer peerB = rig.monitor.peer("b").orElseThrow();
        assertThat(b.getState()).as("opened by outcomes alone").isEqualTo(State.OPEN);
        assertThat(peerB.available()).as("heartbeats say b is fine").isTrue();
        assertThat(m.get("b")).as("b got calls until its breaker opened: %s", m).isBetween(10, 40);
        assertThat(r.stats().retries()).isEqualTo(r.stats().failures());
        assertThat(r.stats().healthy()).isEqualTo(2);
        assertThat(calls(r, 300).get("b")).as("cut off").isZero();

        // after waitDurationInOpenState (5 s) the router offers b a trial; b recovered meanwhile
        rig.clients.get("b").failing = false;
        rig.run(Duration.ofMillis(5200));
        int trial = calls(r, 300).get("b"); // b re-enters at its slow-start share (0.1): a few calls
        assertThat(trial).isBetween(PeerCircuitBreakers.DEFAULT_PERMITTED_CALLS_IN_HALF_OPEN_STATE, 60);
        assertThat(b.getState()).as("trial calls succeeded").isEqualTo(State.CLOSED);
        assertThat(failoverEvents).anyMatch(e -> e.kind() == FailoverEvent.Kind.READMITTED && e.peer().equals("b"));
        assertThat(r.share("b")).as("ramping").isLessThan(100.0);
        rig.run(Duration.ofSeconds(2));
        assertThat(r.share("b")).isEqualTo(100.0);
    }

    @Test
    void nonIdempotentCallsAreNotRetriedAndTheBudgetBoundsRetries() {
        RetryBudget none = RetryBudget.custom().ratio(0).minRetriesPerSecond(0).ticker(rig.ticker).build();
        FailoverRouter<TestClients.Client> r = threePeers(rig.router().retryBudget(none));
        rig.clients.byPeer.values().forEach(c -> c.failing = true);
        assertThatThrownBy(() -> r.execute(TestClients.Client::call)).isInstanceOf(IOException.class);
        assertThat(r.stats().attempts()).isEqualTo(1);
        assertThatThrownBy(() -> r.executeIdempotent(TestClients.Client::call)).isInstanceOf(IOException.class);
        assertThat(r.stats().attempts()).isEqualTo(2);
        assertThat(r.stats().retriesDenied()).isEqualTo(1);
        assertThat(none.denied()).isEqualTo(1);
    }

    @Test
    void idempotentCallsTryEachPeerAtMostOnceThenThrowTheLastFailure() {
        FailoverRouter<TestClients.Client> r = threePeers(rig.router().maxAttempts(5));
        rig.clients.byPeer.values().forEach(c -> c.failing = true);
        assertThatThrownBy(() -> r.executeIdempotent(TestClients.Client::call)).isInstanceOf(IOException.class);
        assertThat(r.stats().attempts()).as("three peers, each once").isEqualTo(3);
        assertThat(rig.clients.byPeer.values()).allSatisfy(c -> assertThat(c.calls.get()).isEqualTo(1));
    }

    @Test
    void callerErrorsAndErrorsReleaseTheirPermitsSoHalfOpenNeverSticks() throws IOException {
        rig.peer("a");
        rig.runMillis(500);
        FailoverRouter<TestClients.Client> r = rig.router().panicThreshold(0)
                .callerError(t -> t instanceof IllegalArgumentException).build();
        rig.endpoint("a").crash();
        rig.runMillis(50);
        rig.endpoint("a").restart(rig.endpoint("a").responder());
        rig.runMillis(1000);
        CircuitBreaker cb = r.circuitBreaker("a").orElseThrow();
        assertThat(cb.getState()).isEqualTo(State.HALF_OPEN);
        for (int i = 0; i < 20; i++) { // four times the permits
            assertThatThrownBy(() -> r.executeIdempotent(c -> {
                throw new IllegalArgumentException("bad request");
            })).isInstanceOf(IllegalArgumentException.class);
            try {
                r.execute(c -> {
                    throw new AssertionError("a bug of ours");
                });
            } catch (AssertionError expected) {
                assertThat(expected).hasMessage("a bug of ours");
            }
        }
        assertThat(r.stats().callerErrors()).isEqualTo(20);
        assertThat(r.stats().retries()).isZero();
        assertThat(cb.getState()).isEqualTo(State.HALF_OPEN);
        assertThat(cb.getMetrics().getNumberOfBufferedCalls()).as("nothing recorded, every permit back").isZero();
        for (int i = 0; i < PeerCircuitBreakers.DEFAULT_PERMITTED_CALLS_IN_HALF_OPEN_STATE; i++) {
            assertThat(r.execute(TestClients.Client::call)).isEqualTo("a");
        }
        assertThat(cb.getState()).isEqualTo(State.CLOSED);
    }

    @Test
    void panicWhenTwoOfThreeFailFailOpenRoutesToAllAndIsObservable() throws IOException {
        // about one retry per call while b and c fail: a budget that allows it (the default allows 20 % + 10/s)
        RetryBudget generous = RetryBudget.custom().ratio(1.0).ticker(rig.ticker).build();
        FailoverRouter<TestClients.Client> r = threePeers(rig.router().retryBudget(generous));
        rig.clients.get("b").failing = true;
        rig.clients.get("c").failing = true;
        rig.endpoint("b").crash();
        rig.endpoint("c").crash();
        rig.runMillis(50);
        assertThat(r.panicking()).isTrue();
        assertThat(r.stats().panics()).isEqualTo(1);
        assertThat(failoverEvents).filteredOn(e -> e.kind() == FailoverEvent.Kind.PANIC_STARTED).singleElement()
                .satisfies(e -> {
                    assertThat(e.healthy()).isEqualTo(1);
                    assertThat(e.judged()).isEqualTo(3);
                    assertThat(e.reason()).contains("1 of 3 peers healthy", "routing to every peer");
                });
        Map<String, Integer> m = calls(r, 300); // every call succeeds: failures on b and c are retried
        assertThat(m.get("b")).as("fail open: the dead get calls too: %s", m).isGreaterThan(30);
        assertThat(m.get("c")).isGreaterThan(30);
        assertThat(m.get("a")).isEqualTo(300);

        rig.clients.get("b").failing = false;
        rig.clients.get("c").failing = false;
        rig.endpoint("b").restart(rig.endpoint("b").responder());
        rig.endpoint("c").restart(rig.endpoint("c").responder());
        rig.runMillis(1000);
        assertThat(r.panicking()).isFalse();
        assertThat(failoverEvents).filteredOn(e -> e.kind() == FailoverEvent.Kind.PANIC_ENDED).hasSize(1);
        assertThat(r.stats().panics()).isEqualTo(1);
    }

    @Test
    void panicFailClosedRefusesAndRouteHealthyKeepsToTheSurvivor() throws IOException {
        FailoverRouter<TestClients.Client> closed = threePeers(rig.router().panicMode(PanicMode.FAIL_CLOSED));
        FailoverRouter<TestClients.Client> healthy = rig.router().panicMode(PanicMode.ROUTE_HEALTHY).build();
        rig.endpoint("b").crash();
        rig.endpoint("c").crash();
        rig.runMillis(50);
        assertThat(closed.panicking()).isTrue();
        assertThat(healthy.panicking()).isTrue();
        assertThatThrownBy(() -> closed.executeIdempotent(TestClients.Client::call))
                .isInstanceOfSatisfying(NoPeerAvailableException.class,
                        e -> assertThat(e.reason()).isEqualTo(NoPeerAvailableException.Reason.PANIC))
                .hasMessageContaining("1 of 3 peers healthy");
        assertThat(closed.stats().panicRefusals()).isEqualTo(1);
        Map<String, Integer> m = calls(healthy, 100);
        assertThat(m).containsEntry("a", 100).containsEntry("b", 0).containsEntry("c", 0);
    }

    @Test
    void aPeerThatComesBackIsEvictedOnDeathAndRampsUpAfterAJitteredDelay() throws IOException {
        SlowStart ramp = SlowStart.custom().window(Duration.ofSeconds(10)).minShare(0.1)
                .readmissionJitter(Duration.ofSeconds(1)).build();
        FailoverRouter<TestClients.Client> r = threePeers(rig.router().slowStart(ramp));
        rig.endpoint("c").crash();
        rig.runMillis(50);
        assertThat(rig.clients.callbacks).contains("evict c");
        assertThat(failoverEvents).anyMatch(e -> e.kind() == FailoverEvent.Kind.EVICTED && e.peer().equals("c")
                && e.reason().startsWith("DEAD"));

        rig.endpoint("c").restart(rig.endpoint("c").responder());
        rig.runMillis(300);
        FailoverEvent back = failoverEvents.stream().filter(e -> e.kind() == FailoverEvent.Kind.READMITTED).findFirst()
                .orElseThrow();
        assertThat(back.reason()).contains("healthy again", "slow start over PT10S");
        assertThat(rig.clients.get("c").closed).as("the same client is used again").isFalse();
        List<Integer> perSecond = new ArrayList<>();
        List<Double> shares = new ArrayList<>();
        for (int s = 0; s < 12; s++) {
            shares.add(r.share("c"));
            perSecond.add(calls(r, 1000).get("c"));
            rig.run(Duration.ofSeconds(1));
        }
        System.out.println("slow start: calls to c per second of 1000: " + perSecond + ", share " + shares);
        assertThat(shares.get(0)).as("waiting out its jitter, or at the very start").isLessThan(20.0);
        for (int i = 1; i < shares.size(); i++) {
            assertThat(shares.get(i)).isGreaterThanOrEqualTo(shares.get(i - 1));
        }
        assertThat(shares.get(11)).isEqualTo(100.0);
        assertThat(perSecond.get(0)).isLessThan(100);
        assertThat(perSecond.get(11)).isBetween(250, 420);
        assertThat(perSecond.get(5)).isBetween(perSecond.get(0), perSecond.get(11));
    }

    @Test
    void aRestartEvictsTheOldProcessesConnectionsAndRampsTheNewOne() {
        FailoverRouter<TestClients.Client> r = threePeers(rig.router());
        rig.endpoint("b").restart(rig.newResponder("b")); // same address, new epoch, connection kept
        rig.runMillis(300);
        assertThat(rig.clients.callbacks).contains("evict b");
        assertThat(failoverEvents).anyMatch(e -> e.kind() == FailoverEvent.Kind.EVICTED && e.peer().equals("b")
                && e.reason().startsWith("restarted"));
        assertThat(failoverEvents).anyMatch(e -> e.kind() == FailoverEvent.Kind.READMITTED && e.peer().equals("b")
                && e.reason().startsWith("restarted"));
        assertThat(r.share("b")).isLessThan(100.0);
    }

    @Test
    void peersAddedLaterRampUpAndRemovedOnesAreClosed() {
        FailoverRouter<TestClients.Client> r = threePeers(rig.router());
        assertThat(failoverEvents).noneMatch(e -> e.kind() == FailoverEvent.Kind.READMITTED); // the first ones: at once
        rig.peer("d");
        rig.runMillis(300);
        assertThat(failoverEvents).anyMatch(e -> e.kind() == FailoverEvent.Kind.READMITTED && e.peer().equals("d"));
        rig.monitor.removePeer("d");
        assertThat(rig.clients.callbacks).contains("close d");
        assertThat(r.circuitBreakerRegistry().find("d")).isEmpty();
        assertThat(r.stats().peers()).isEqualTo(3);
        assertThat(rig.samples.size()).isEqualTo(3);
    }

    @Test
    void closeUnsubscribesRemovesBreakersAndClosesClients() {
        int before = rig.monitor.registry().listenerCount();
        FailoverRouter<TestClients.Client> r = threePeers(rig.router());
        assertThat(rig.monitor.registry().listenerCount()).isEqualTo(before + 1);
        r.close();
        r.close();
        assertThat(rig.monitor.registry().listenerCount()).isEqualTo(before);
        assertThat(rig.clients.byPeer.values()).allSatisfy(c -> assertThat(c.closed).isTrue());
        assertThat(r.circuitBreakerRegistry().getAllCircuitBreakers()).isEmpty();
        assertThatThrownBy(() -> r.execute(TestClients.Client::call)).isInstanceOfSatisfying(NoPeerAvailableException.class,
                e -> assertThat(e.reason()).isEqualTo(NoPeerAvailableException.Reason.CLOSED));
        rig.endpoint("a").crash();
        rig.runMillis(50);
        assertThat(rig.clients.callbacks).doesNotContain("evict a");
    }

    @Test
    void noPeerSaysWhatItSaw() {
        FailoverRouter<TestClients.Client> empty = rig.router().build();
        assertThatThrownBy(() -> empty.execute(TestClients.Client::call)).hasMessage("no peer is known");
        rig.peer("a"); // no verdict yet: time has not moved
        assertThatThrownBy(() -> empty.execute(TestClients.Client::call))
                .isInstanceOfSatisfying(NoPeerAvailableException.class,
                        e -> assertThat(e.reason()).isEqualTo(NoPeerAvailableException.Reason.NO_PEER))
                .hasMessage("no peer can take the call: a (UNKNOWN/UNKNOWN, breaker CLOSED)");
        assertThat(empty.stats().noPeer()).isEqualTo(2);
    }

    @Test
    void aClientThatCannotOpenLeavesItsPeerUnroutable() throws IOException {
        PeerClients<String> broken = peer -> {
            if (peer.name().equals("b")) {
                throw new IOException("no route to b's pool");
            }
            return peer.name();
        };
        rig.peer("a");
        rig.peer("b");
        rig.runMillis(500);
        FailoverRouter<String> r = FailoverRouter.builder(rig.monitor, broken).ticker(rig.ticker).build();
        for (int i = 0; i < 50; i++) {
            String got = r.execute(c -> c);
            assertThat(got).isEqualTo("a");
        }
        assertThat(r.stats().clientFailures()).isEqualTo(1);
        assertThat(r.client("b")).isEmpty();
    }

    @Test
    void builderNamesTheOptionTheValueAndTheRule() {
        FailoverRouter.Builder<TestClients.Client> b = rig.router();
        assertThatThrownBy(() -> b.maxAttempts(0)).hasMessage("maxAttempts : 0 (expected: 1..10)");
        assertThatThrownBy(() -> b.degradedShare(0)).hasMessage("degradedShare : 0.0 (expected: 0.01..1.0)");
        assertThatThrownBy(() -> b.suspectShare(1.5)).hasMessage("suspectShare : 1.5 (expected: 0.01..1.0)");
        assertThatThrownBy(() -> b.panicThreshold(-0.1)).hasMessage("panicThreshold : -0.1 (expected: 0.0..1.0)");
        assertThatThrownBy(() -> b.staleness(Duration.ZERO)).hasMessage("staleness : PT0S (expected: PT0.001S..PT1H)");
        assertThatThrownBy(() -> b.circuitBreakerRegistry(
                io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry.ofDefaults()).build())
                .hasMessageStartingWith("circuitBreakerConfig.maxWaitDurationInHalfOpenState : PT0S (expected: > 0");
    }
}
