package dev.heartbeat.failover;

/**
 * Receives a {@link FailoverRouter}'s own events (panic, eviction, re-admission). Called
 * synchronously on the thread that caused the event (the router's event-delivery thread, or a
 * caller's thread when a call's outcome changed a breaker), so it must be quick and must not
 * block; one that throws is logged (rate-limited) and stays subscribed.
 */
@FunctionalInterface
public interface FailoverListener {

    /** Called once per event. */
    void onEvent(FailoverEvent event);
}
