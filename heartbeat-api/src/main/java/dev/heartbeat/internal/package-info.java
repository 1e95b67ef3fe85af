/**
 * Internal use only: helpers shared by the other packages of this library. Not an API; may
 * change without notice.
 */
package dev.heartbeat.internal;
