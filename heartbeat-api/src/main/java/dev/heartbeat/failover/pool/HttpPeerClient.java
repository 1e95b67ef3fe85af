package dev.heartbeat.failover.pool;

import dev.heartbeat.peer.Peer;
import java.io.IOException;
import java.util.function.Function;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.io.HttpClientResponseHandler;
import org.apache.hc.core5.io.CloseMode;

/**
 * One peer's HTTP client: sends requests with a relative path to the peer's data address. The
 * underlying {@link CloseableHttpClient} is replaced after an eviction. Thread-safe. Made by
 * {@link HttpClient5Clients}.
 */
public final class HttpPeerClient {

    private final Peer peer;
    private final HttpHost target;
    private final Function<Peer, CloseableHttpClient> factory;
    private CloseableHttpClient client; // guarded by this
    private boolean closed; // guarded by this
    private long generation; // guarded by this

    HttpPeerClient(Peer peer, HttpHost target, Function<Peer, CloseableHttpClient> factory) {
        this.peer = peer;
        this.target = target;
        this.factory = factory;
    }

    /** The peer. */
    public Peer peer() {
        return peer;
    }

    /** Where requests go. */
    public HttpHost target() {
        return target;
    }

    /**
     * Sends {@code request} (its path, e.g. {@code new HttpGet("/stock/42")}) to this peer and
     * handles the response with {@code handler} (which releases the connection). A handler that
     * throws on a 5xx makes the failure count against the peer.
     */
    public <T> T execute(ClassicHttpRequest request, HttpClientResponseHandler<? extends T> handler) throws IOException {
        return current().execute(target, request, handler);
    }

    /** The client in use now (built on first use and after an eviction). */
    public synchronized CloseableHttpClient current() {
        if (closed) {
            throw new IllegalStateException("HTTP client of peer " + peer.name() + " is closed");
        }
        if (client == null) {
            client = factory.apply(peer);
            generation++;
        }
        return client;
    }

    /** How many clients were built so far (1 + evictions that were followed by a request). */
    public synchronized long generation() {
        return generation;
    }

    /** Drops the current client and its pooled connections; requests in flight on it fail at once. */
    void evict() {
        CloseableHttpClient old;
        synchronized (this) {
            old = client;
            client = null;
        }
        if (old != null) {
            old.close(CloseMode.IMMEDIATE);
        }
    }

    /** Closes for good. */
    void close() {
        synchronized (this) {
            closed = true;
        }
        evict();
    }

    @Override
    public String toString() {
        return "HttpPeerClient{" + peer.name() + " -> " + target + "}";
    }
}
