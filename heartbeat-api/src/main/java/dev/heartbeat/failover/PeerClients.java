package dev.heartbeat.failover;

import dev.heartbeat.peer.Peer;

/**
 * How a {@link FailoverRouter} gets, evicts and closes the user's own client for each peer: a
 * pool, a {@code DataSource}, an HTTP client, a channel. The adapters in
 * {@code dev.heartbeat.failover.pool} implement it for commons-pool2, Apache HttpClient 5 and
 * HikariCP.
 *
 * <p>Threading: the router calls these on its event-delivery thread (one at a time, never on a
 * detection thread), so they may do modest work, but should not block for long: a slow
 * {@code open} delays the router's view of every other peer. A method that throws is logged and
 * counted; {@code open} throwing leaves the peer unroutable until its next event.
 *
 * @param <C> the per-peer client type
 */
public interface PeerClients<C> {

    /**
     * Creates (or looks up) the client for a newly added peer. Should not connect eagerly: the
     * peer may still be UNKNOWN or DEAD.
     */
    C open(Peer peer) throws Exception;

    /**
     * The peer went DEAD, or restarted (its old process's connections are gone): drop the
     * client's pooled connections. The router will use the client again when the peer comes
     * back, so it must stay usable (reconnect on demand). Default: nothing.
     */
    default void evict(Peer peer, C client) throws Exception {
    }

    /** The peer was removed, or the router is closing: release the client. Default: nothing. */
    default void close(Peer peer, C client) throws Exception {
    }
}
