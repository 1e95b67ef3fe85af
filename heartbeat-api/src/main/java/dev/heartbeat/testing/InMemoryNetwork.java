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
 *   <li>{@link Endpoint#latency(Duration)}: one-way delay;</li>
 *   <li>{@link Endpoint#path(PathModel)}: a delay and loss distribution, message by message
 *       (jitter, random or bursty loss, a drifting delay);</li>
 *   <li>{@link Endpoint#freezeFor(Duration)}: a stop-the-world pause of the responder alone (a GC
 *       of the peer), ending by itself — the shared scheduler, and so the monitor, keeps running.</li>
 * </ul>
 * Messages on one link keep their order in each direction, like a connection's: a message is
 * never delivered before the one sent ahead of it.
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

    /**
     * What the path does to each message: its one-way delay, or its loss. Called on the
     * scheduler's thread, once per message, in sending order; a seeded implementation makes a run
     * reproducible.
     */
    @FunctionalInterface
    public interface PathModel {

        /**
         * @param nowNanos when the message is sent (the scheduler's ticker)
         * @param toResponder true for a PING (monitor to responder), false for a PONG or GOODBYE
         * @return the one-way delay in nanoseconds (&ge; 0), or a negative value to lose the message
         */
        long delayNanos(long nowNanos, boolean toResponder);

        /** A fixed one-way delay, nothing lost. */
        static PathModel fixed(Duration delay) {
            long d = nanos(Checks.nonNegative("delay", delay));
            return (now, toResponder) -> d;
        }
    }

    /** A bound responder and its fault switches. */
    public final class Endpoint {
        private final String address;
        private volatile HeartbeatResponder responder;
        private volatile boolean up = true;
        private volatile boolean frozen;
        private volatile boolean blackholed;
        private volatile long latencyNanos = Duration.ofMillis(1).toNanos();
        private volatile PathModel path;
        private long frozenUntil = Long.MIN_VALUE;
        private boolean timedFreeze;
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
                timedFreeze = false;
                thaw();
            });
        }

        /**
         * Stops this responder alone for {@code d} (a stop-the-world pause of the peer): PINGs queue
         * unanswered and are all answered, in order, when it ends by itself. Everything else keeps
         * running on the shared scheduler. A freeze already under way is extended, never shortened.
         */
        public void freezeFor(Duration d) {
            long n = nanos(Checks.nonNegative("freeze", d));
            scheduler.execute(() -> {
                long until = scheduler.ticker().nanoTime() + n;
                if (frozen && (!timedFreeze || until - frozenUntil <= 0)) {
                    return; // frozen for good (freeze()) or already until later
                }
                frozen = true;
                timedFreeze = true;
                frozenUntil = until;
                scheduler.schedule(() -> {
                    if (timedFreeze && scheduler.ticker().nanoTime() - frozenUntil >= 0) {
                        timedFreeze = false;
                        thaw();
                    }
                }, n);
            });
        }

        private void thaw() {
            frozen = false;
            Runnable r;
            while ((r = frozenQueue.poll()) != null) {
                r.run();
            }
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
                timedFreeze = false;
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

        /** One-way delivery delay (default 1 ms); replaces a {@link #path(PathModel)}. */
        public void latency(Duration latency) {
            latencyNanos = nanos(Checks.nonNegative("latency", latency));
            path = null;
        }

        /** Delay and loss message by message, in both directions, until {@link #latency} or another path. */
        public void path(PathModel model) {
            path = Objects.requireNonNull(model, "model");
        }

        /** The delay of one message sent now, or -1 when the path loses it. */
        private long delayOf(boolean toResponder) {
            PathModel p = path;
            return p == null ? latencyNanos : p.delayNanos(scheduler.ticker().nanoTime(), toResponder);
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
                    l.deliverLater(bytes, delayOf(false));
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
            from.deliverLater(bytes, delayOf(false));
        }
    }

    private final class MemLink implements Link {
        private final String address;
        private final LinkHandler handler;
        private volatile boolean connected;
        private volatile boolean closed;
        private Endpoint endpoint;
        /** Latest delivery time in each direction: a connection keeps order. */
        private long lastToResponder = Long.MIN_VALUE;
        private long lastToMonitor = Long.MIN_VALUE;

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
            if (latency < 0) {
                return; // lost on the way
            }
            long now = scheduler.ticker().nanoTime();
            long at = now + latency;
            if (lastToMonitor != Long.MIN_VALUE && at - lastToMonitor < 0) {
                at = lastToMonitor;
            }
            lastToMonitor = at;
            scheduler.schedule(() -> {
                Endpoint e = endpoint;
                if (closed || !connected || e == null || e.blackholed) {
                    return;
                }
                handler.onFrame(this, ByteBuffer.wrap(bytes));
            }, at - now);
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
            long delay = e.delayOf(true);
            if (delay < 0) {
                return true; // lost on the way
            }
            long now = scheduler.ticker().nanoTime();
            long at = now + delay;
            if (lastToResponder != Long.MIN_VALUE && at - lastToResponder < 0) {
                at = lastToResponder;
            }
            lastToResponder = at;
            scheduler.schedule(() -> e.receive(this, bytes), at - now);
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
