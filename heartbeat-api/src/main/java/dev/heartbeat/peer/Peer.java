package dev.heartbeat.peer;

/** A monitored peer, as seen from outside its detection thread. Thread-safe. */
public interface Peer {

    /** The name it was added under. */
    String name();

    /** The address it is reached at. */
    String address();

    /** Its current liveness (a volatile read; no snapshot is built). */
    Liveness liveness();

    /** Its current usability (a volatile read). */
    Usability usability();

    /** A consistent-enough snapshot of everything known (fields are read one by one). */
    PeerState state();

    /** True when it may be given work right now; see {@link PeerState#available()}. */
    default boolean available() {
        Liveness l = liveness();
        return (l == Liveness.ALIVE || l == Liveness.SUSPECT) && usability().acceptsWork();
    }
}
