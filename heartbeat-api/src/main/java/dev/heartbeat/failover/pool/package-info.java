/**
 * Adapters that let a {@link dev.heartbeat.failover.FailoverRouter} wrap the client pools users
 * already have, each library an optional dependency (bring the one you use):
 *
 * <ul>
 *   <li>{@link dev.heartbeat.failover.pool.KeyedPoolClients}: a commons-pool2
 *       {@code KeyedObjectPool} keyed by peer ({@code clear(peer)} on DEAD); also the way to wrap
 *       Jedis, Lettuce or custom Netty client pools built on commons-pool2.</li>
 *   <li>{@link dev.heartbeat.failover.pool.HttpClient5Clients}: Apache HttpClient 5, one pooled
 *       client per peer aimed at its data address; on DEAD that client and its pooled connections
 *       are closed, and a fresh one is built on next use.</li>
 *   <li>{@link dev.heartbeat.failover.pool.HikariClients}: HikariCP, one {@code HikariDataSource}
 *       per peer ({@code softEvictConnections()} on DEAD), and
 *       {@link dev.heartbeat.failover.pool.RoutingDataSource}, a plain {@code DataSource} whose
 *       {@code getConnection()} goes through the router.</li>
 * </ul>
 *
 * Each adapter class touches only its own library, so a user with commons-pool2 alone never loads
 * the HttpClient or HikariCP classes.
 */
package dev.heartbeat.failover.pool;
