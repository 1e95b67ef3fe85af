package dev.heartbeat.udp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A UDP proxy on loopback that sits between one monitor and one responder and mistreats the
 * datagrams: drops, duplicates, reorders (holds one back until the next has gone), delays, or
 * blackholes them, each direction on its own seeded random stream. It counts datagrams and bytes
 * each way. Two threads (one per direction) and one timer thread; everything stops on close.
 */
final class UdpFaultProxy implements AutoCloseable {

    /** Faults of one direction; set from the test thread at any time. */
    static final class Faults {
        volatile double drop;
        volatile double duplicate;
        volatile double reorder;
        volatile int delayMillis;
        volatile boolean blackhole;
        final AtomicLong datagrams = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();
        final AtomicLong dropped = new AtomicLong();
        final AtomicLong duplicated = new AtomicLong();
        final AtomicLong reordered = new AtomicLong();
        private final Random random;
        private byte[] held;

        Faults(long seed) {
            this.random = new Random(seed);
        }

        void set(double drop, double duplicate, double reorder) {
            this.drop = drop;
            this.duplicate = duplicate;
            this.reorder = reorder;
        }
    }

    /** Monitor → responder (PINGs). */
    final Faults up = new Faults(1);
    /** Responder → monitor (PONGs). */
    final Faults down = new Faults(2);

    private final DatagramChannel front;
    private final DatagramChannel back;
    private final InetSocketAddress target;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "udp-proxy-timer");
        t.setDaemon(true);
        return t;
    });
    private final Thread upThread;
    private final Thread downThread;
    private volatile SocketAddress client;
    private volatile boolean closed;

    UdpFaultProxy(int targetPort) throws IOException {
        this.target = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), targetPort);
        this.front = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        this.back = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        this.upThread = new Thread(() -> pump(front, true), "udp-proxy-up");
        this.downThread = new Thread(() -> pump(back, false), "udp-proxy-down");
        upThread.setDaemon(true);
        downThread.setDaemon(true);
        upThread.start();
        downThread.start();
    }

    /** Where monitors send. */
    int port() {
        return ((InetSocketAddress) front.socket().getLocalSocketAddress()).getPort();
    }

    void blackhole(boolean on) {
        up.blackhole = on;
        down.blackhole = on;
    }

    private void pump(DatagramChannel from, boolean upstream) {
        ByteBuffer buf = ByteBuffer.allocate(4096);
        Faults f = upstream ? up : down;
        while (!closed) {
            try {
                buf.clear();
                SocketAddress sender = from.receive(buf);
                if (upstream) {
                    client = sender;
                } else if (!target.equals(sender)) {
                    continue;
                }
                buf.flip();
                byte[] d = new byte[buf.remaining()];
                buf.get(d);
                f.datagrams.incrementAndGet();
                f.bytes.addAndGet(d.length);
                forward(f, d, upstream);
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void forward(Faults f, byte[] d, boolean upstream) {
        double drop;
        double dup;
        double reorder;
        synchronized (f) {
            drop = f.random.nextDouble();
            dup = f.random.nextDouble();
            reorder = f.random.nextDouble();
        }
        if (f.blackhole || drop < f.drop) {
            f.dropped.incrementAndGet();
            return;
        }
        byte[] release = null;
        synchronized (f) {
            if (f.held != null) {
                release = f.held; // sent after this one: the two arrive swapped
                f.held = null;
            } else if (reorder < f.reorder) {
                f.held = d;
                f.reordered.incrementAndGet();
                return;
            }
        }
        send(f, d, upstream);
        if (release != null) {
            send(f, release, upstream);
        }
        if (dup < f.duplicate) {
            f.duplicated.incrementAndGet();
            send(f, d, upstream);
        }
    }

    private void send(Faults f, byte[] d, boolean upstream) {
        int delay = f.delayMillis;
        if (delay > 0) {
            try {
                timer.schedule(() -> sendNow(d, upstream), delay, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closing
            }
        } else {
            sendNow(d, upstream);
        }
    }

    private void sendNow(byte[] d, boolean upstream) {
        try {
            if (upstream) {
                back.send(ByteBuffer.wrap(d), target);
            } else if (client != null) {
                front.send(ByteBuffer.wrap(d), client);
            }
        } catch (IOException e) {
            // closed
        }
    }

    @Override
    public void close() throws Exception {
        closed = true;
        front.close();
        back.close();
        timer.shutdownNow();
        upThread.join(2000);
        downThread.join(2000);
    }
}
