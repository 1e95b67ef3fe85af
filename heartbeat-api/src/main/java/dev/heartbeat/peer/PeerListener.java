package dev.heartbeat.peer;

/**
 * Receives {@link PeerEvent}s. Each listener has its own delivery lane in the
 * {@link PeerRegistry}: it is called on a dispatch thread (never on a detection thread), one event
 * at a time, each peer's events in {@linkplain PeerEvent#sequence() sequence} order. A slow
 * listener delays only itself; while it lags, its pending events of one peer may be merged into
 * one ({@link PeerEvent#count()}), never dropped. A listener that throws is logged and keeps
 * receiving events. The first event it gets for a peer is an ADDED — a
 * {@linkplain PeerEvent#replayed() replay} for a peer that was there before it subscribed.
 * See {@code docs/events.md}.
 */
@FunctionalInterface
public interface PeerListener {

    /** Called once per delivered event; a peer's events arrive in the order they happened. */
    void onEvent(PeerEvent event);
}
