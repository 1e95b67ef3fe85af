package dev.heartbeat.tcp;

import java.io.IOException;
import java.time.Duration;

/**
 * A responder in its own JVM, for freeze/crash tests: starts a {@link TcpResponderServer} on an
 * ephemeral loopback port, prints {@code PORT <n>}, and serves until its standard input closes.
 */
public final class ResponderMain {

    private ResponderMain() {
    }

    public static void main(String[] args) throws IOException {
        TcpResponderServer server = TcpResponderServer.builder(Tcp.responder("child-" + ProcessHandle.current().pid()))
                .host("127.0.0.1").port(0).idleTimeout(Duration.ofMinutes(5)).bind();
        System.out.println("PORT " + server.port());
        System.out.flush();
        while (System.in.read() >= 0) {
            // serve until the parent closes our stdin (or kills us)
        }
        server.close();
    }
}
