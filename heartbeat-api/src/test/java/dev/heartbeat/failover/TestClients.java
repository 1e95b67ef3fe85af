package dev.heartbeat.failover;

import dev.heartbeat.peer.Peer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Per-peer test clients that count calls and fail when told to; record every callback. */
final class TestClients implements PeerClients<TestClients.Client> {

    final Map<String, Client> byPeer = new ConcurrentHashMap<>();
    final List<String> callbacks = java.util.Collections.synchronizedList(new ArrayList<>());

    static final class Client {
        final String peer;
        final AtomicInteger calls = new AtomicInteger();
        volatile boolean failing;
        volatile boolean closed;
        final AtomicInteger evictions = new AtomicInteger();

        Client(String peer) {
            this.peer = peer;
        }

        /** One call: counts it, and fails with an IOException when failing. */
        String call() throws IOException {
            calls.incrementAndGet();
            if (failing) {
                throw new IOException(peer + " refused the call");
            }
            return peer;
        }
    }

    @Override
    public Client open(Peer peer) {
        callbacks.add("open " + peer.name());
        Client c = new Client(peer.name());
        byPeer.put(peer.name(), c);
        return c;
    }

    @Override
    public void evict(Peer peer, Client client) {
        callbacks.add("evict " + peer.name());
        client.evictions.incrementAndGet();
    }

    @Override
    public void close(Peer peer, Client client) {
        callbacks.add("close " + peer.name());
        client.closed = true;
    }

    Client get(String peer) {
        return byPeer.get(peer);
    }

    int calls(String peer) {
        Client c = byPeer.get(peer);
        return c == null ? 0 : c.calls.get();
    }

    void resetCounts() {
        byPeer.values().forEach(c -> c.calls.set(0));
    }
}
