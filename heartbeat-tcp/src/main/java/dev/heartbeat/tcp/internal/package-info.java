/**
 * Internal use only: the pieces the TCP transport is built from (I/O flavour selection, the
 * event-loop scheduler, the stream framer, address parsing, the reconnect loop, close
 * helpers). Nothing here is API; it may change without notice.
 */
package dev.heartbeat.tcp.internal;
