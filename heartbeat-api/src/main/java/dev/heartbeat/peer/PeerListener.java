package dev.heartbeat.peer;

/**
 * Receives {@link PeerEvent}s. Called on the registry's dispatch thread, never on a detection
 * thread: a slow listener delays other listeners' events, not detection; a listener that throws
 * is logged and keeps receiving events.
 */
@FunctionalInterface
public interface PeerListener {

    /** Called once per event, in the order the events happened. */
    void onEvent(PeerEvent event);
}
