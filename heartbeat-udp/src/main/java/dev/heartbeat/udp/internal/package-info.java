/**
 * Internal use only: the pieces the UDP transport is built from (I/O flavour and SO_REUSEPORT,
 * the event-loop scheduler, address parsing, the token bucket and the per-source limiter, the
 * replay window, the reduced PONG of the anti-amplification rule, the exposure check). Nothing
 * here is API; it may change without notice.
 */
package dev.heartbeat.udp.internal;
