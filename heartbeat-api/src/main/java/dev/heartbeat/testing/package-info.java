/**
 * Test support that users can use for their own code too: everything on virtual time.
 *
 * <ul>
 *   <li>{@link dev.heartbeat.testing.ManualTicker}: a ticker that moves only when told.</li>
 *   <li>{@link dev.heartbeat.testing.VirtualScheduler}: a serial scheduler on a manual ticker;
 *       advancing it runs every task that falls due, in order.</li>
 *   <li>{@link dev.heartbeat.testing.InMemoryNetwork}: a transport without sockets, with fault
 *       injection (freeze, crash, blackhole, restart, latency).</li>
 * </ul>
 */
package dev.heartbeat.testing;
