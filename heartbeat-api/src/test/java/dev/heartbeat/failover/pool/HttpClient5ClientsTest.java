package dev.heartbeat.failover.pool;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.heartbeat.failover.FailoverRouter;
import dev.heartbeat.failover.RigAccess;
import dev.heartbeat.peer.PeerAttributes;
import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hc.client5.http.HttpResponseException;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.io.HttpClientResponseHandler;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The HttpClient 5 adapter against real HTTP servers on loopback (the JDK's). */
class HttpClient5ClientsTest {

    static {
        // the JDK server writes headers and body separately: without TCP_NODELAY, Nagle and delayed
        // ACKs cost ~40 ms per keep-alive request (read once, when the server's config class loads)
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final RigAccess rig = new RigAccess();
    private final List<HttpServer> servers = new ArrayList<>();
    private final Map<String, AtomicInteger> served = new ConcurrentHashMap<>();
    private final Map<String, Integer> status = new ConcurrentHashMap<>();
    private final Map<String, List<PoolingHttpClientConnectionManager>> managers = new ConcurrentHashMap<>();

    /** A body or, for a 5xx, an exception: the failure then counts against the peer. */
    private static final HttpClientResponseHandler<String> BODY = response -> {
        if (response.getCode() >= 500) {
            EntityUtils.consume(response.getEntity());
            throw new HttpResponseException(response.getCode(), "server error");
        }
        return EntityUtils.toString(response.getEntity(), StandardCharsets.UTF_8);
    };

    @AfterEach
    void tearDown() {
        rig.close();
        servers.forEach(s -> s.stop(0));
    }

    private String server(String name) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        status.put(name, 200);
        s.createContext("/who", ex -> {
            served.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
            byte[] body = name.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status.get(name), body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        s.start();
        servers.add(s);
        return "http://127.0.0.1:" + s.getAddress().getPort();
    }

    private FailoverRouter<HttpPeerClient> router() throws IOException {
        for (String p : List.of("a", "b", "c")) {
            rig.peer(p, PeerAttributes.builder().dataAddress(server(p)).build());
        }
        rig.runMillis(500);
        HttpClient5Clients clients = HttpClient5Clients.create(peer -> {
            PoolingHttpClientConnectionManager cm = PoolingHttpClientConnectionManagerBuilder.create()
                    .setMaxConnPerRoute(4).build();
            managers.computeIfAbsent(peer.name(), k -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(cm);
            // the router retries on another peer: HttpClient's own retries (503 after 1 s) would multiply with it
            return HttpClients.custom().setConnectionManager(cm).disableAutomaticRetries().build();
        });
        return rig.router(clients).build();
    }

    private Map<String, Integer> get(FailoverRouter<HttpPeerClient> r, int n) throws IOException {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            m.merge(r.executeIdempotent(c -> c.execute(new HttpGet("/who"), BODY)), 1, Integer::sum);
        }
        return m;
    }

    @Test
    void routesToUsablePeersOnlyAndClosesADeadPeersPooledConnections() throws IOException {
        FailoverRouter<HttpPeerClient> r = router();
        assertThat(get(r, 90)).containsOnlyKeys("a", "b", "c");
        PoolingHttpClientConnectionManager bPool = managers.get("b").get(0);
        assertThat(bPool.getTotalStats().getAvailable()).as("a kept-alive connection to b").isEqualTo(1);

        rig.crash("b"); // b's heartbeat responder dies; its HTTP server still answers, but it is DEAD to us
        assertThat(bPool.isClosed()).as("b's pool closed on DEAD").isTrue();
        int before = served.get("b").get();
        assertThat(get(r, 90)).doesNotContainKey("b");
        assertThat(served.get("b").get()).isEqualTo(before);

        rig.restart("b");
        rig.runMillis(15_000);
        assertThat(get(r, 150)).containsKey("b");
        assertThat(managers.get("b")).as("a fresh client for b").hasSize(2);
        assertThat(r.client("b").orElseThrow().generation()).isEqualTo(2);
        assertThat(r.stats().failures()).isZero();

        r.close();
        assertThat(managers.get("b").get(1).isClosed()).isTrue();
        assertThat(managers.get("a").get(0).isClosed()).isTrue();
    }

    @Test
    void aPeerAnsweringHeartbeatsButFailingRequestsIsCutOffByItsBreaker() throws IOException {
        FailoverRouter<HttpPeerClient> r = router();
        status.put("c", 503);
        Map<String, Integer> m = get(r, 200); // every call succeeds: c's 503s are retried elsewhere
        assertThat(m).doesNotContainKey("c");
        assertThat(r.circuitBreaker("c").orElseThrow().getState()).isEqualTo(State.OPEN);
        int before = served.get("c").get();
        get(r, 100);
        assertThat(served.get("c").get()).as("no request reaches c while its breaker is open").isEqualTo(before);
        assertThat(r.stats().failures()).isEqualTo(before);
    }
}
