package dev.heartbeat.engine.spi;

import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * A bound responder server, whatever its transport (heartbeat-tcp's {@code TcpResponderServer},
 * heartbeat-udp's {@code UdpResponderServer}): what code that runs one — the CLI, the Spring
 * starter — needs without knowing which. Thread-safe.
 */
public interface ResponderServer extends AutoCloseable {

    /** The bound port (the real one when 0 was asked for). */
    int port();

    /** Where it listens. */
    InetSocketAddress localAddress();

    /** The transport's name, e.g. "tcp/epoll", "udp/nio". */
    String transportName();

    /** True once a close began: from then on the server sends no PONG, only GOODBYE. */
    boolean closing();

    /** Tells every monitor it knows GOODBYE (advising when to come back, zero: no advice), then closes. */
    void closeGracefully(Duration comeBackAfter);

    /** Closes at once. Idempotent. */
    @Override
    void close();
}
