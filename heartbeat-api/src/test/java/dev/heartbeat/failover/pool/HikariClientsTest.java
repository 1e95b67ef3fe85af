package dev.heartbeat.failover.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.heartbeat.failover.FailoverRouter;
import dev.heartbeat.failover.RigAccess;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The HikariCP adapter over embedded H2 databases, one per peer. */
class HikariClientsTest {

    private final RigAccess rig = new RigAccess();
    private final Map<String, HikariDataSource> pools = new ConcurrentHashMap<>();

    @AfterEach
    void tearDown() {
        rig.close();
        pools.values().forEach(HikariDataSource::close);
    }

    private static String url(String peer) {
        return "jdbc:h2:mem:hikari-" + peer + ";DB_CLOSE_DELAY=-1";
    }

    private FailoverRouter<HikariDataSource> router() throws SQLException {
        for (String p : List.of("a", "b", "c")) {
            try (Connection c = java.sql.DriverManager.getConnection(url(p)); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS whoami(name VARCHAR(8))");
                s.execute("DELETE FROM whoami");
                s.execute("INSERT INTO whoami VALUES ('" + p + "')");
            }
            rig.peer(p);
        }
        rig.runMillis(500);
        HikariClients clients = HikariClients.create(peer -> {
            HikariConfig cfg = new HikariConfig();
            cfg.setJdbcUrl(url(peer.name()));
            cfg.setPoolName("peer-" + peer.name());
            cfg.setMinimumIdle(2);
            cfg.setMaximumPoolSize(4);
            cfg.setInitializationFailTimeout(-1);
            HikariDataSource ds = new HikariDataSource(cfg);
            pools.put(peer.name(), ds);
            return ds;
        });
        return rig.router(clients).build();
    }

    private static Map<String, Integer> query(DataSource ds, int n) throws SQLException {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            try (Connection c = ds.getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT name FROM whoami")) {
                rs.next();
                m.merge(rs.getString(1), 1, Integer::sum);
            }
        }
        return m;
    }

    @Test
    void aRoutingDataSourceSpreadsConnectionsAndADeadPeersPoolIsSoftEvicted() throws SQLException {
        FailoverRouter<HikariDataSource> r = router();
        DataSource ds = RoutingDataSource.over(r);
        assertThat(query(ds, 90)).containsOnlyKeys("a", "b", "c");
        HikariDataSource b = pools.get("b");
        await().atMost(Duration.ofSeconds(10)).until(() -> b.getHikariPoolMXBean().getIdleConnections() >= 2);

        long before = b.getHikariPoolMXBean().getTotalConnections();
        try (Connection held = b.getConnection()) { // a connection in use when b dies
            rig.crash("b");
            assertThat(query(ds, 60)).doesNotContainKey("b");
            // soft eviction: idle ones closed now (Hikari refills to minimumIdle with new ones), the busy one on return
            assertThat(held.isClosed()).isFalse();
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(b.getHikariPoolMXBean().getTotalConnections()).isLessThanOrEqualTo((int) before));
        assertThat(b.isClosed()).isFalse();

        rig.restart("b");
        rig.runMillis(15_000);
        assertThat(query(ds, 150)).containsKey("b");
        assertThat(r.stats().failures()).isZero();

        r.close();
        assertThat(pools.values()).allSatisfy(p -> assertThat(p.isClosed()).isTrue());
    }

    @Test
    void evictionRetiresEveryConnectionThatExistedWhenThePeerDied() throws Exception {
        FailoverRouter<HikariDataSource> r = router();
        HikariDataSource b = pools.get("b");
        try (Connection c = b.getConnection()) {
            assertThat(c.isValid(1)).isTrue();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> b.getHikariPoolMXBean().getIdleConnections() >= 2);
        java.util.Set<Object> old = new java.util.HashSet<>();
        for (int i = 0; i < 2; i++) { // the physical connections behind the pool's proxies
            Connection c = b.getConnection();
            old.add(c.unwrap(Connection.class));
            c.close();
        }
        rig.crash("b");
        rig.restart("b");
        java.util.Set<Object> now = new java.util.HashSet<>();
        for (int i = 0; i < 4; i++) {
            try (Connection c = b.getConnection()) {
                now.add(c.unwrap(Connection.class));
            }
        }
        assertThat(now).as("no connection from before the death is lent again").doesNotContainAnyElementsOf(old);
        r.close();
    }
}
