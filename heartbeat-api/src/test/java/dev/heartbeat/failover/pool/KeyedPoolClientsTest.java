package dev.heartbeat.failover.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.heartbeat.failover.FailoverRouter;
import dev.heartbeat.failover.RigAccess;
import dev.heartbeat.peer.Liveness;
import dev.heartbeat.peer.Peer;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.pool2.BaseKeyedPooledObjectFactory;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.apache.commons.pool2.impl.GenericKeyedObjectPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The commons-pool2 adapter against a real GenericKeyedObjectPool. */
class KeyedPoolClientsTest {

    /** A pooled "connection" that knows its peer and whether it was destroyed. */
    static final class Conn {
        final String peer;
        volatile boolean destroyed;

        Conn(String peer) {
            this.peer = peer;
        }

        String get() throws IOException {
            if (destroyed) {
                throw new IOException("used after destroy");
            }
            return peer;
        }
    }

    private final RigAccess rig = new RigAccess();
    private final Map<String, AtomicInteger> made = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> destroyed = new ConcurrentHashMap<>();
    private final GenericKeyedObjectPool<Peer, Conn> pool = new GenericKeyedObjectPool<>(
            new BaseKeyedPooledObjectFactory<Peer, Conn>() {
                @Override
                public Conn create(Peer peer) {
                    made.computeIfAbsent(peer.name(), k -> new AtomicInteger()).incrementAndGet();
                    return new Conn(peer.name());
                }

                @Override
                public PooledObject<Conn> wrap(Conn c) {
                    return new DefaultPooledObject<>(c);
                }

                @Override
                public void destroyObject(Peer peer, PooledObject<Conn> p) {
                    p.getObject().destroyed = true;
                    destroyed.computeIfAbsent(peer.name(), k -> new AtomicInteger()).incrementAndGet();
                }
            });

    @AfterEach
    void tearDown() {
        pool.close();
        rig.close();
    }

    @Test
    void borrowsPerPeerClearsADeadPeersKeyAndUsesItAgainWhenItComesBack() throws Exception {
        Peer a = rig.peer("a");
        Peer b = rig.peer("b");
        Peer c = rig.peer("c");
        rig.runMillis(500);
        FailoverRouter<PooledPeerClient<Conn>> router = rig.router(KeyedPoolClients.of(pool)).build();
        Map<String, Integer> seen = new ConcurrentHashMap<>();
        for (int i = 0; i < 300; i++) {
            String p = router.executeIdempotent(client -> client.withObject(Conn::get));
            seen.merge(p, 1, Integer::sum);
        }
        assertThat(seen).containsOnlyKeys("a", "b", "c");
        assertThat(pool.getNumIdle(b)).isEqualTo(1);
        assertThat(pool.getNumActive()).isZero();

        rig.crash("b");
        assertThat(b.liveness()).isEqualTo(Liveness.DEAD);
        assertThat(pool.getNumIdle(b)).as("clear(b) on DEAD").isZero();
        assertThat(destroyed.get("b").get()).isEqualTo(1);
        assertThat(pool.getNumIdle(a) + pool.getNumIdle(c)).isEqualTo(2);
        seen.clear();
        for (int i = 0; i < 200; i++) {
            seen.merge(router.executeIdempotent(client -> client.withObject(Conn::get)), 1, Integer::sum);
        }
        assertThat(seen).doesNotContainKey("b");

        rig.restart("b");
        rig.runMillis(15_000); // past the default slow start (10 s) and its jitter
        seen.clear();
        for (int i = 0; i < 300; i++) {
            seen.merge(router.executeIdempotent(client -> client.withObject(Conn::get)), 1, Integer::sum);
        }
        assertThat(seen.get("b")).as("b used again: %s", seen).isGreaterThan(50);
        assertThat(made.get("b").get()).as("a fresh object for b").isEqualTo(2);

        router.close();
        assertThat(pool.getNumIdle()).as("every key cleared on close").isZero();
    }

    @Test
    void anObjectWhoseCallFailedIsInvalidatedNotReturned() throws Exception {
        Peer a = rig.peer("a");
        rig.runMillis(500);
        FailoverRouter<PooledPeerClient<Conn>> router = rig.router(KeyedPoolClients.of(pool)).build();
        assertThatThrownBy(() -> router.execute(client -> client.withObject(conn -> {
            throw new IOException("broken pipe");
        }))).isInstanceOf(IOException.class).hasMessage("broken pipe");
        assertThat(pool.getNumIdle(a)).isZero();
        assertThat(destroyed.get("a").get()).isEqualTo(1);
        String again = router.execute(client -> client.withObject(Conn::get));
        assertThat(again).isEqualTo("a");
        assertThat(pool.getNumIdle(a)).isEqualTo(1);
    }
}
