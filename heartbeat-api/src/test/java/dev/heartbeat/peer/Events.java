package dev.heartbeat.peer;

import dev.heartbeat.protocol.LoadReport;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.Executor;

/** Test support for the registry's tests: events, peers, recording listeners, a hand-run executor. */
final class Events {

    private Events() {
    }

    static PeerState state(String peer, Liveness l, Usability u, String reason) {
        return new PeerState(peer, "127.0.0.1:1", l, u, reason, 0.0, -1, -1, null, LoadReport.UNKNOWN, 0, null,
                Instant.EPOCH);
    }

    static PeerEvent added(String peer) {
        return new PeerEvent(PeerEvent.Kind.ADDED, peer, Liveness.UNKNOWN, Liveness.UNKNOWN, Usability.UNKNOWN,
                Usability.UNKNOWN, "added", Instant.EPOCH, state(peer, Liveness.UNKNOWN, Usability.UNKNOWN, "added"));
    }

    static PeerEvent removed(String peer, Liveness l) {
        return new PeerEvent(PeerEvent.Kind.REMOVED, peer, l, l, Usability.UNKNOWN, Usability.UNKNOWN, "removed",
                Instant.EPOCH, state(peer, l, Usability.UNKNOWN, "removed"));
    }

    static PeerEvent transition(String peer, Liveness from, Liveness to, String reason) {
        return new PeerEvent(PeerEvent.Kind.TRANSITION, peer, from, to, Usability.UNKNOWN, Usability.UNKNOWN, reason,
                Instant.EPOCH, state(peer, to, Usability.UNKNOWN, reason));
    }

    static PeerEvent restarted(String peer, Liveness l, Usability fromU, String reason) {
        return new PeerEvent(PeerEvent.Kind.RESTARTED, peer, l, l, fromU, Usability.UNKNOWN, reason, Instant.EPOCH,
                state(peer, l, Usability.UNKNOWN, reason));
    }

    /** A peer whose state the test sets; identity matters for ownership. */
    static final class TestPeer implements Peer {
        private final String name;
        private volatile PeerState state;

        TestPeer(String name) {
            this.name = name;
            this.state = Events.state(name, Liveness.UNKNOWN, Usability.UNKNOWN, "new");
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String address() {
            return "127.0.0.1:1";
        }

        @Override
        public Liveness liveness() {
            return state.liveness();
        }

        @Override
        public Usability usability() {
            return state.usability();
        }

        @Override
        public PeerState state() {
            return state;
        }

        /** What the peer knows now (a monitor sets its fields before it publishes the event about them). */
        void set(PeerState now) {
            this.state = now;
        }
    }

    /** A listener that keeps every event it receives; thread-safe. */
    static class Recorder implements PeerListener {
        private final List<PeerEvent> events = new ArrayList<>();

        @Override
        public synchronized void onEvent(PeerEvent event) {
            events.add(event);
        }

        synchronized List<PeerEvent> events() {
            return new ArrayList<>(events);
        }

        synchronized int size() {
            return events.size();
        }

        synchronized void clear() {
            events.clear();
        }

        /** Sum of the counts of the events received: how many published events they stand for. */
        synchronized long published() {
            long sum = 0;
            for (PeerEvent e : events) {
                sum += e.count();
            }
            return sum;
        }

        /** The events received, per peer, in the order received. */
        synchronized Map<String, List<PeerEvent>> byPeer() {
            Map<String, List<PeerEvent>> m = new HashMap<>();
            for (PeerEvent e : events) {
                m.computeIfAbsent(e.peer(), k -> new ArrayList<>()).add(e);
            }
            return m;
        }
    }

    /** An executor that queues tasks until the test runs them. Not thread-safe: one test thread. */
    static final class ManualExecutor implements Executor {
        private final Queue<Runnable> tasks = new ArrayDeque<>();

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }

        /** Runs queued tasks (and those they queue), at most 10,000. */
        int runAll() {
            int n = 0;
            while (!tasks.isEmpty() && n < 10_000) {
                tasks.poll().run();
                n++;
            }
            return n;
        }

        int queued() {
            return tasks.size();
        }
    }
}
