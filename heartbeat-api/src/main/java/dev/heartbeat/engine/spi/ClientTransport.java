package dev.heartbeat.engine.spi;

import dev.heartbeat.testing.InMemoryNetwork;

/**
 * Opens links to peers. The TCP and UDP transports implement this; so does
 * {@link InMemoryNetwork}. Thread-safe.
 */
public interface ClientTransport extends AutoCloseable {

    /**
     * Opens a link to {@code address} (transport-specific, typically {@code host:port}). Returns at
     * once; connecting happens in the background and is reported to {@code handler} on the link's
     * scheduler — never from inside this call.
     *
     * @throws IllegalArgumentException when the address cannot be parsed (with the rule it broke)
     */
    Link open(String address, LinkHandler handler);

    /** A short name for logs and the CLI, e.g. "tcp/epoll", "in-memory". */
    String name();

    /** Closes every link and releases threads. */
    @Override
    void close();
}
