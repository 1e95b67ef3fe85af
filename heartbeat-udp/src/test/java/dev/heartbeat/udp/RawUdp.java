package dev.heartbeat.udp;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.Arrays;

/**
 * A hand-driven UDP client bound to a loopback address of its choice (127.0.0.2 is another
 * source than 127.0.0.1): sends raw datagrams to a responder and counts bytes both ways.
 */
final class RawUdp implements AutoCloseable {

    private final DatagramSocket socket;
    private final InetSocketAddress target;
    long bytesOut;
    long bytesIn;
    long datagramsIn;

    RawUdp(String localHost, int targetPort) throws IOException {
        this(localHost, new InetSocketAddress(InetAddress.getByName("127.0.0.1"), targetPort));
    }

    RawUdp(String localHost, InetSocketAddress target) throws IOException {
        this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(localHost), 0));
        this.target = target;
    }

    void send(byte[] datagram) throws IOException {
        socket.send(new DatagramPacket(datagram, datagram.length, target));
        bytesOut += datagram.length;
    }

    /** The next datagram, or null if none comes within {@code millis}. */
    byte[] receive(int millis) throws IOException {
        socket.setSoTimeout(millis);
        byte[] buf = new byte[4096];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
            socket.receive(p);
        } catch (SocketTimeoutException e) {
            return null;
        }
        bytesIn += p.getLength();
        datagramsIn++;
        return Arrays.copyOf(buf, p.getLength());
    }

    /** Receives until {@code millis} pass with nothing; returns how many came. */
    int drain(int millis) throws IOException {
        int n = 0;
        while (receive(millis) != null) {
            n++;
        }
        return n;
    }

    int localPort() {
        return socket.getLocalPort();
    }

    @Override
    public void close() {
        socket.close();
    }
}
