/**
 * What this application tells those who watch it: the responder server's lifecycle (bind at
 * start, GOODBYE at shutdown) and the status in its heartbeats, from Spring availability and
 * actuator health.
 */
package dev.heartbeat.spring.responder;
