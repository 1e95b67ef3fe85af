package dev.heartbeat.peer;

import java.util.Objects;

/**
 * A peer to monitor: its name (unique in a monitor), its heartbeat address and its attributes.
 * The address may name a transport by scheme ({@code tcp://host:port}, {@code udp://host:port},
 * {@code keepalive://host:port} for the kernel-keepalive fallback); a bare {@code host:port} uses
 * the monitor's default transport. Used by {@code HeartbeatMonitor.addPeer(PeerSpec)} and
 * {@code HeartbeatMonitor.reconcile(...)}.
 *
 * @param name unique name, not blank
 * @param address the heartbeat address, not blank
 * @param attributes routing attributes ({@link PeerAttributes#none()} when there are none)
 */
public record PeerSpec(String name, String address, PeerAttributes attributes) {

    public PeerSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(attributes, "attributes");
        if (name.isBlank()) {
            throw new IllegalArgumentException("peer name : '" + name + "' (expected: not blank)");
        }
        if (address.isBlank()) {
            throw new IllegalArgumentException("peer address : '" + address + "' (expected: not blank)");
        }
    }

    /** A spec without attributes. */
    public static PeerSpec of(String name, String address) {
        return new PeerSpec(name, address, PeerAttributes.none());
    }

    /** A spec with attributes. */
    public static PeerSpec of(String name, String address, PeerAttributes attributes) {
        return new PeerSpec(name, address, attributes);
    }
}
