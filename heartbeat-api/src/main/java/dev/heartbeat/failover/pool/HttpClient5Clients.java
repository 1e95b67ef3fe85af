package dev.heartbeat.failover.pool;

import dev.heartbeat.failover.PeerClients;
import dev.heartbeat.peer.Peer;
import java.util.Objects;
import java.util.function.Function;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.io.CloseMode;

/**
 * {@link PeerClients} for Apache HttpClient 5 (classic API): each peer gets an
 * {@link HttpPeerClient} aimed at its data address, over a {@link CloseableHttpClient} (with its
 * own connection pool) built by the user's factory, so the user keeps configuring timeouts, pool
 * sizes, TLS and interceptors as before.
 *
 * <pre>{@code
 * HttpClient5Clients clients = HttpClient5Clients.create(peer -> HttpClients.custom()
 *         .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create().setMaxConnPerRoute(20).build())
 *         .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(Timeout.ofMilliseconds(500)).build())
 *         .build());
 * FailoverRouter<HttpPeerClient> router = FailoverRouter.builder(monitor, clients).build();
 * String body = router.executeIdempotent(c -> c.execute(new HttpGet("/stock/42"), r -> EntityUtils.toString(r.getEntity())));
 * }</pre>
 *
 * <p>Requests go only to peers the router chooses (alive, usable, breaker permitting). On DEAD or
 * a restart the peer's client is closed with {@link CloseMode#IMMEDIATE}: its pooled connections
 * are dropped and requests in flight to the dead peer fail at once (and, if idempotent, are
 * retried elsewhere) instead of waiting for a timeout; the next request builds a fresh client.
 * The data address is {@code peer.attributes().dataAddress()} ({@code http://host:port},
 * {@code https://host:port} or {@code host:port}), or the heartbeat address when it has none.
 */
public final class HttpClient5Clients implements PeerClients<HttpPeerClient> {

    private final Function<Peer, CloseableHttpClient> factory;

    private HttpClient5Clients(Function<Peer, CloseableHttpClient> factory) {
        this.factory = factory;
    }

    /** Clients built by {@code factory}, one per peer (called again after each eviction). */
    public static HttpClient5Clients create(Function<Peer, CloseableHttpClient> factory) {
        return new HttpClient5Clients(Objects.requireNonNull(factory, "factory"));
    }

    @Override
    public HttpPeerClient open(Peer peer) {
        return new HttpPeerClient(peer, target(peer), factory);
    }

    @Override
    public void evict(Peer peer, HttpPeerClient client) {
        client.evict();
    }

    @Override
    public void close(Peer peer, HttpPeerClient client) {
        client.close();
    }

    /** Where a peer's HTTP traffic goes. */
    static HttpHost target(Peer peer) {
        String a = peer.attributes().dataAddress();
        if (a == null) {
            a = peer.address();
            int scheme = a.indexOf("://");
            if (scheme >= 0) {
                a = a.substring(scheme + 3); // the heartbeat transport's scheme is not HTTP's
            }
        }
        if (!a.contains("://")) {
            a = "http://" + a;
        }
        try {
            return HttpHost.create(a);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("dataAddress : '" + a + "' of peer " + peer.name()
                    + " (expected: [http[s]://]host:port)", e);
        }
    }
}
