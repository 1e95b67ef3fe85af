package dev.heartbeat.testing;

import dev.heartbeat.engine.spi.ClientTransport;
import dev.heartbeat.engine.spi.Link;
import dev.heartbeat.engine.spi.LinkHandler;
import dev.heartbeat.engine.spi.SerialScheduler;
import dev.heartbeat.engine.spi.DisconnectCause;
import dev.heartbeat.engine.HeartbeatResponder;

import dev.heartbeat.internal.Checks;
import dev.heartbeat.protocol.Frame;
import dev.heartbeat.protocol.FrameCodec;
import dev.heartbeat.protocol.FrameDecodeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A network without sockets: responders bound to names, monitors linking to them, every message
 * delivered through one {@link SerialScheduler} — with {@link VirtualScheduler}, a whole
 * monitor/responder system runs deterministically on virtual time. Each {@link Endpoint} can be
 * faulted the way real processes fail:
 *
 * <ul>
 *   <li>{@link Endpoint#freeze()} / {@link Endpoint#resume()}: the process is stopped (SIGSTOP):
 *       connections stay up, PINGs queue unanswered, and are all answered on resume;</li>
 *   <li>{@link Endpoint#crash()}: the process dies: connections reset, new ones are refused;</li>
 *   <li>{@link Endpoint#restart(HeartbeatResponder)}: a new process (new epoch) takes the address;</li>
 *   <li>{@link Endpoint#blackhole(boolean)}: the path silently drops everything, nothing closes;</li>
 *   <li>{@link Endpoint#latency(Duration)}: one-way delay.</li>
 * </ul>
 * Thread-safe for setup and faults; delivery runs on the scheduler.
 */
public final class InMemoryNetwork implements ClientTransport {

    /** Delay between reconnection attempts of in-memory links. */
    public static final Duration RECONNECT_DELAY = Duration.ofMillis(100);
    /** PINGs a frozen endpoint keeps queued (like a socket buffer); later ones are lost. */
    public static final int FROZEN_QUEUE_LIMIT = 1024;

    private final SerialScheduler scheduler;
    private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();
    private final Set<MemLink> links = ConcurrentHashMap.newKeySet();

    /** A network delivering on {@code scheduler}. */
    public InMemoryNetwork(SerialScheduler scheduler) {
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    }

    /**
     * Binds a responder to {@code address}.
     *
     * @throws IllegalArgumentException when the address is taken
     */
    public Endpoint bind(String address, HeartbeatResponder responder) {
        Endpoint e = new Endpoint(address, responder);
        if (endpoints.putIfAbsent(address, e) != null) {
            throw new IllegalArgumentException("address : '" + address + "' is already bound (expected: a free address)");
        }
        return e;
    }

    /** The endpoint bound to {@code address}, or {@code null}. */
    public Endpoint endpoint(String address) {
        return endpoints.get(address);
    }

    @Override
    public Link open(String address, LinkHandler handler) {
        Objects.requireNonNull(address, "address");
        if (address.isBlank()) {
            throw new IllegalArgumentException("address : '" + address + "' (expected: not blank)");
        }
        MemLink link = new MemLink(address, Objects.requireNonNull(handler, "handler"));
        links.add(link);
        scheduler.execute(link::connect);
        return link;
    }

    @Override
    public String name() {
        return "in-memory";
    }

    @Override
    public void close() {
        for (MemLink l : links) {
            l.close();
        }
    }

    private static long nanos(Duration d) {
        return d.toNanos();
    }

    /** A bound responder and its fault switches. */
    public final class Endpoint {
        private final String address;
        private volatile HeartbeatResponder responder;
        private volatile boolean up = true;
        private volatile boolean frozen;
        private volatile boolean blackholed;
        private volatile long latencyNanos = Duration.ofMillis(1).toNanos();
        private final ArrayDeque<Runnable> frozenQueue = new ArrayDeque<>();
        private final Set<MemLink> connected = ConcurrentHashMap.newKeySet();
        private final Frame scratch = new Frame();
        private final ByteBuffer reply = ByteBuffer.allocate(FrameCodec.MAX_FRAME_LENGTH);

        private Endpoint(String address, HeartbeatResponder responder) {
            this.address = address;
            this.responder = Objects.requireNonNull(responder, "responder");
        }

        /** The responder now serving this address. */
        public HeartbeatResponder responder() {
            return responder;
        }

        /** Stops the process: nothing is answered until {@link #resume()}; connections stay open. */
        public void freeze() {
            frozen = true;
        }

        /** Resumes a frozen process: queued PINGs are answered at once, in order. */
        public void resume() {
            scheduler.execute(() -> {
                frozen = false;
                Runnable r;
                while ((r = frozenQueue.poll()) != null) {
                    r.run();
                }
            });
        }

        /** True while frozen. */
        public boolean frozen() {
            return frozen;
        }

        /** Kills the process: every connection is reset, new ones are refused. */
        public void crash() {
            scheduler.execute(() -> {
                up = false;
                frozen = false;
                frozenQueue.clear();
                for (MemLink l : connected) {
                    l.lost(DisconnectCause.RESET, "connection reset by peer");
                }
                connected.clear();
            });
        }

        /** Starts a new process at this address (use a new responder: a new epoch). */
        public void restart(HeartbeatResponder newResponder) {
            Objects.requireNonNull(newResponder, "newResponder");
            scheduler.execute(() -> {
                responder = newResponder;
                up = true;
            });
        }

        /** Drops everything in both directions while on; nothing is closed. */
        public void blackhole(boolean on) {
            blackholed = on;
        }

        /** One-way delivery delay (default 1 ms). */
        public void latency(Duration latency) {
            latencyNanos = nanos(Checks.nonNegative("latency", latency));
        }

        /** Sends a GOODBYE to every connected monitor. */
        public void goodbye(Duration comeBackAfter) {
            scheduler.execute(() -> {
                for (MemLink l : connected) {
                    reply.clear();
                    responder.goodbye(reply, scratch, comeBackAfter);
                    reply.flip();
                    byte[] bytes = new byte[reply.remaining()];
                    reply.get(bytes);
                    l.deliverLater(bytes, latencyNanos);
                }
            });
        }

        private void receive(MemLink from, byte[] request) {
            if (!up || blackholed || !connected.contains(from)) {
                return;
            }
            if (frozen) {
                if (frozenQueue.size() < FROZEN_QUEUE_LIMIT) {
                    frozenQueue.add(() -> answer(from, request));
                }
                return;
            }
            answer(from, request);
        }

        private void answer(MemLink from, byte[] request) {
            reply.clear();
            try {
                if (!responder.respond(ByteBuffer.wrap(request), reply, scratch)) {
                    return;
                }
            } catch (FrameDecodeException e) {
                return;
            }
            reply.flip();
            byte[] bytes = new byte[reply.remaining()];
            reply.get(bytes);
            from.deliverLater(bytes, latencyNanos);
        }
    }

    private final class MemLink implements Link {
        private final String address;
        private final LinkHandler handler;
        private volatile boolean connected;
        private volatile boolean closed;
        private Endpoint endpoint;

        MemLink(String address, LinkHandler handler) {
            this.address = address;
            this.handler = handler;
        }

        void connect() {
            if (closed || connected) {
                return;
            }
            Endpoint e = endpoints.get(address);
            if (e != null && e.up) {
                endpoint = e;
                connected = true;
                e.connected.add(this);
                handler.onConnected(this);
            } else {
                handler.onDisconnected(this, DisconnectCause.CONNECT_FAILED, "connect failed: connection refused");
                scheduler.schedule(this::connect, nanos(RECONNECT_DELAY));
            }
        }

        void lost(DisconnectCause cause, String detail) {
            if (!connected) {
                return;
            }
            connected = false;
            handler.onDisconnected(this, cause, detail);
            scheduler.schedule(this::connect, nanos(RECONNECT_DELAY));
        }

        void deliverLater(byte[] bytes, long latency) {
            scheduler.schedule(() -> {
                Endpoint e = endpoint;
                if (closed || !connected || e == null || e.blackholed) {
                    return;
                }
                handler.onFrame(this, ByteBuffer.wrap(bytes));
            }, latency);
        }

        @Override
        public SerialScheduler scheduler() {
            return scheduler;
        }

        @Override
        public boolean send(ByteBuffer frame) {
            Endpoint e = endpoint;
            if (!connected || closed || e == null) {
                return false;
            }
            byte[] bytes = new byte[frame.remaining()];
            frame.get(bytes);
            if (e.blackholed) {
                return true; // "sent": a write succeeding proves nothing
            }
            scheduler.schedule(() -> e.receive(this, bytes), e.latencyNanos);
            return true;
        }

        @Override
        public boolean isConnected() {
            return connected;
        }

        @Override
        public boolean isWritable() {
            return true;
        }

        @Override
        public String describe() {
            return "in-memory " + address;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            connected = false;
            links.remove(this);
            Endpoint e = endpoint;
            if (e != null) {
                e.connected.remove(this);
            }
        }
    }
}
