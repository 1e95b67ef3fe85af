/** A Spring Boot service using the heartbeat starter (see the README's Spring Boot section). */
package dev.heartbeat.sample.boot;
