package dev.heartbeat.tcp;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A peer with real traffic beside its heartbeats, for failover tests: a heartbeat
 * {@link TcpResponderServer} and a tiny data service (each request is 8 bytes, the reply the same
 * 8 bytes), both on ephemeral loopback ports. Runs in-process ({@link #start}) or as a child JVM
 * ({@link #main}: prints {@code PORTS <heartbeat> <data>}, serves until its stdin closes) that a
 * test can freeze with SIGSTOP or kill.
 */
public final class DataResponder implements AutoCloseable {

    private final TcpResponderServer heartbeats;
    private final ServerSocket data;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;

    private DataResponder(String name) throws IOException {
        heartbeats = TcpResponderServer.builder(Tcp.responder(name)).host("127.0.0.1").port(0)
                .idleTimeout(Duration.ofMinutes(5)).closeGrace(Duration.ofMillis(200)).bind();
        data = new ServerSocket(0, 256, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::accept, "data-accept-" + name);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** An in-process responder named {@code name}. */
    public static DataResponder start(String name) throws IOException {
        return new DataResponder(name);
    }

    public int heartbeatPort() {
        return heartbeats.port();
    }

    public int dataPort() {
        return data.getLocalPort();
    }

    private void accept() {
        while (!data.isClosed()) {
            try {
                Socket s = data.accept();
                s.setTcpNoDelay(true);
                open.add(s);
                Thread t = new Thread(() -> echo(s), "data-echo");
                t.setDaemon(true);
                t.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void echo(Socket s) {
        try (s; DataInputStream in = new DataInputStream(s.getInputStream());
             DataOutputStream out = new DataOutputStream(s.getOutputStream())) {
            while (true) {
                out.writeLong(in.readLong());
                out.flush();
            }
        } catch (EOFException done) {
            // the client closed
        } catch (IOException e) {
            // reset or closed under us
        } finally {
            open.remove(s);
        }
    }

    @Override
    public void close() throws IOException {
        data.close();
        for (Socket s : open) {
            s.close();
        }
        heartbeats.close();
    }

    public static void main(String[] args) throws IOException {
        DataResponder r = new DataResponder(args.length > 0 ? args[0] : "child-" + ProcessHandle.current().pid());
        System.out.println("PORTS " + r.heartbeatPort() + " " + r.dataPort());
        System.out.flush();
        while (System.in.read() >= 0) {
            // serve until the parent closes our stdin (or kills us)
        }
        r.close();
    }
}
