package dev.heartbeat.failover.pool;

import dev.heartbeat.failover.PeerClients;
import dev.heartbeat.peer.Peer;
import java.util.Objects;
import org.apache.commons.pool2.KeyedObjectPool;

/**
 * {@link PeerClients} over one commons-pool2 {@link KeyedObjectPool} keyed by {@link Peer}: each
 * peer's client is a {@link PooledPeerClient}, a view of the pool under that peer's key. The
 * pool's factory makes objects (connections) for a key from its peer, typically from
 * {@code peer.attributes().dataAddress()}.
 *
 * <pre>{@code
 * GenericKeyedObjectPool<Peer, Conn> pool = new GenericKeyedObjectPool<>(new BaseKeyedPooledObjectFactory<>() {
 *     public Conn create(Peer peer) throws Exception { return Conn.open(peer.attributes().dataAddress()); }
 *     public PooledObject<Conn> wrap(Conn c) { return new DefaultPooledObject<>(c); }
 *     public void destroyObject(Peer peer, PooledObject<Conn> p) { p.getObject().close(); }
 * });
 * FailoverRouter<PooledPeerClient<Conn>> router = FailoverRouter.builder(monitor, KeyedPoolClients.of(pool)).build();
 * String v = router.executeIdempotent(c -> c.withObject(conn -> conn.get("key")));
 * }</pre>
 *
 * <p>On DEAD (or a restart) {@code pool.clear(peer)} destroys the peer's idle objects; objects
 * borrowed at that moment are invalidated when their call fails (as {@link PooledPeerClient#withObject}
 * does). On removal the key is cleared too. The pool is the user's: {@link #close} never closes it.
 *
 * @param <T> the pooled object type
 */
public final class KeyedPoolClients<T> implements PeerClients<PooledPeerClient<T>> {

    private final KeyedObjectPool<Peer, T> pool;

    private KeyedPoolClients(KeyedObjectPool<Peer, T> pool) {
        this.pool = pool;
    }

    /** Clients over {@code pool}, keyed by peer. */
    public static <T> KeyedPoolClients<T> of(KeyedObjectPool<Peer, T> pool) {
        return new KeyedPoolClients<>(Objects.requireNonNull(pool, "pool"));
    }

    @Override
    public PooledPeerClient<T> open(Peer peer) {
        return new PooledPeerClient<>(pool, peer);
    }

    @Override
    public void evict(Peer peer, PooledPeerClient<T> client) throws Exception {
        pool.clear(peer);
    }

    @Override
    public void close(Peer peer, PooledPeerClient<T> client) throws Exception {
        pool.clear(peer);
    }
}
