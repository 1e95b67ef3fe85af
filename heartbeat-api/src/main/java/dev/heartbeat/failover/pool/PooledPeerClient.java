package dev.heartbeat.failover.pool;

import dev.heartbeat.peer.Peer;
import org.apache.commons.pool2.KeyedObjectPool;

/**
 * One peer's share of a commons-pool2 {@link KeyedObjectPool}: borrows under the peer's key.
 * Thread-safe (the pool is). Made by {@link KeyedPoolClients}.
 *
 * @param <T> the pooled object type
 */
public final class PooledPeerClient<T> {

    /** One use of a borrowed object. */
    @FunctionalInterface
    public interface PooledCall<T, R, X extends Exception> {
        R call(T object) throws X;
    }

    private final KeyedObjectPool<Peer, T> pool;
    private final Peer peer;

    PooledPeerClient(KeyedObjectPool<Peer, T> pool, Peer peer) {
        this.pool = pool;
        this.peer = peer;
    }

    /** The peer this client borrows for. */
    public Peer peer() {
        return peer;
    }

    /** The pool. */
    public KeyedObjectPool<Peer, T> pool() {
        return pool;
    }

    /**
     * Borrows an object for this peer, runs {@code call} with it and returns it to the pool; when
     * {@code call} throws, the object is invalidated instead (a connection that failed once is not
     * trusted again) and the exception goes on to the router, which records it against the peer.
     *
     * @throws Exception when the pool cannot lend an object (also held against the peer), or what
     *     {@code call} threw
     */
    public <R, X extends Exception> R withObject(PooledCall<T, R, X> call) throws Exception {
        T obj = pool.borrowObject(peer);
        boolean ok = false;
        try {
            R r = call.call(obj);
            ok = true;
            return r;
        } finally {
            if (ok) {
                pool.returnObject(peer, obj);
            } else {
                try {
                    pool.invalidateObject(peer, obj);
                } catch (Exception suppressed) {
                    // the call's own failure is what matters
                }
            }
        }
    }

    @Override
    public String toString() {
        return "PooledPeerClient{" + peer.name() + "}";
    }
}
