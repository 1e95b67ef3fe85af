/**
 * The transport SPI: what a transport implements so that the engines can run over it. Small and
 * stable.
 *
 * <ul>
 *   <li>A {@link dev.heartbeat.engine.spi.ClientTransport} opens {@link dev.heartbeat.engine.spi.Link}s,
 *       each bound to one {@link dev.heartbeat.engine.spi.SerialScheduler} (a Netty event loop, or
 *       virtual time), and reports what happens on it to a
 *       {@link dev.heartbeat.engine.spi.LinkHandler}, always on that scheduler.</li>
 *   <li>Timers on that scheduler: a {@link dev.heartbeat.engine.spi.TimerEntry} (an object that is
 *       its own timer — a peer), or a {@link dev.heartbeat.engine.spi.Timer} per task; a transport
 *       keeps them in a {@link dev.heartbeat.engine.spi.TimerQueue} per event loop, returned from
 *       {@link dev.heartbeat.engine.spi.SerialScheduler#timerQueue()}.</li>
 *   <li>{@link dev.heartbeat.engine.spi.DisconnectCause}: how a link was lost.</li>
 *   <li>{@link dev.heartbeat.engine.spi.ReconnectBackoff}: exponential backoff with full jitter
 *       for transports that reconnect.</li>
 * </ul>
 * A server transport needs no SPI: it calls
 * {@link dev.heartbeat.engine.HeartbeatResponder#respond} for every inbound frame.
 */
package dev.heartbeat.engine.spi;
