/** Small pieces the starter's components share. Internal to the starter. */
package dev.heartbeat.spring.support;
