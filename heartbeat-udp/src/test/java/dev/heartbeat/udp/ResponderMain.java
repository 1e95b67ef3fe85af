package dev.heartbeat.udp;

import java.io.IOException;

/**
 * A UDP responder in its own JVM, for the freeze test: binds an ephemeral loopback port, prints
 * {@code PORT <n>}, and serves until its standard input closes.
 */
public final class ResponderMain {

    private ResponderMain() {
    }

    public static void main(String[] args) throws IOException {
        UdpResponderServer server = Udp.server(Udp.responder("child-" + ProcessHandle.current().pid()));
        System.out.println("PORT " + server.port());
        System.out.flush();
        while (System.in.read() >= 0) {
            // serve until the parent closes our stdin (or kills us)
        }
        server.close();
    }
}
