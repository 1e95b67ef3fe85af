/**
 * Peers from Spring Cloud's {@code DiscoveryClient}, reconciled into the monitor as instances come
 * and go. Loaded only when spring-cloud-commons is on the class path.
 */
package dev.heartbeat.spring.discovery;
