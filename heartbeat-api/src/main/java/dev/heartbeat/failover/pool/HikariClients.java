package dev.heartbeat.failover.pool;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.heartbeat.failover.PeerClients;
import dev.heartbeat.peer.Peer;
import java.util.Objects;
import java.util.function.Function;

/**
 * {@link PeerClients} for HikariCP: one {@link HikariDataSource} per peer (a database replica, a
 * shard), built by the user's factory. On DEAD or a restart, {@code softEvictConnections()}: idle
 * connections are closed at once and busy ones as soon as they are returned, so nothing pooled
 * for the dead process is handed out again; the pool refills with fresh connections when the peer
 * is used again. On removal the data source is closed.
 *
 * <pre>{@code
 * HikariClients clients = HikariClients.create(peer -> {
 *     HikariConfig c = new HikariConfig();
 *     c.setJdbcUrl("jdbc:postgresql://" + peer.attributes().dataAddress() + "/orders");
 *     c.setInitializationFailTimeout(-1);   // don't block the router's event thread on a dead replica
 *     return new HikariDataSource(c);
 * });
 * FailoverRouter<HikariDataSource> router = FailoverRouter.builder(monitor, clients).build();
 * DataSource ds = RoutingDataSource.over(router);        // hand this to JDBC code as it is
 * }</pre>
 *
 * The factory runs on the router's event thread: let the pool start lazily or without waiting
 * ({@code initializationFailTimeout} -1), as above.
 */
public final class HikariClients implements PeerClients<HikariDataSource> {

    private final Function<Peer, HikariDataSource> factory;

    private HikariClients(Function<Peer, HikariDataSource> factory) {
        this.factory = factory;
    }

    /** Data sources built by {@code factory}, one per peer. */
    public static HikariClients create(Function<Peer, HikariDataSource> factory) {
        return new HikariClients(Objects.requireNonNull(factory, "factory"));
    }

    @Override
    public HikariDataSource open(Peer peer) {
        return Objects.requireNonNull(factory.apply(peer), "data source made for peer " + peer.name());
    }

    @Override
    public void evict(Peer peer, HikariDataSource ds) {
        HikariPoolMXBean pool = ds.getHikariPoolMXBean(); // null until the pool started
        if (pool != null) {
            pool.softEvictConnections();
        }
    }

    @Override
    public void close(Peer peer, HikariDataSource ds) {
        ds.close();
    }
}
