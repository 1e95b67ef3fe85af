package dev.heartbeat.failover.pool;

import dev.heartbeat.failover.FailoverRouter;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Objects;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A {@link DataSource} whose {@link #getConnection()} borrows from the data source of a peer the
 * router chooses: alive, usable, permitted by its breaker, least loaded of two. Getting a
 * connection is idempotent, so a peer whose pool cannot lend one (timeout, refused) is held
 * against it and the next peer is tried. What the caller then does with the connection is not
 * seen by the router. Thread-safe.
 */
public final class RoutingDataSource implements DataSource {

    private final FailoverRouter<? extends DataSource> router;
    private volatile PrintWriter logWriter;
    private volatile int loginTimeout;

    private RoutingDataSource(FailoverRouter<? extends DataSource> router) {
        this.router = router;
    }

    /** A data source over {@code router}'s per-peer data sources (e.g. {@link HikariClients}'). */
    public static RoutingDataSource over(FailoverRouter<? extends DataSource> router) {
        return new RoutingDataSource(Objects.requireNonNull(router, "router"));
    }

    @Override
    public Connection getConnection() throws SQLException {
        return router.executeIdempotent(DataSource::getConnection);
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return router.executeIdempotent(ds -> ds.getConnection(username, password));
    }

    @Override
    public PrintWriter getLogWriter() {
        return logWriter;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        this.logWriter = out;
    }

    @Override
    public void setLoginTimeout(int seconds) {
        this.loginTimeout = seconds;
    }

    @Override
    public int getLoginTimeout() {
        return loginTimeout;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("RoutingDataSource does not use java.util.logging");
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("RoutingDataSource : not a wrapper of " + iface.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }
}
