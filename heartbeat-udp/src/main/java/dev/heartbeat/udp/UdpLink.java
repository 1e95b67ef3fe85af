package dev.heartbeat.udp;

import dev.heartbeat.engine.spi.Cancellable;
import dev.heartbeat.engine.spi.DisconnectCause;
import dev.heartbeat.engine.spi.Link;
import dev.heartbeat.engine.spi.LinkHandler;
import dev.heartbeat.engine.spi.ReconnectBackoff;
import dev.heartbeat.engine.spi.SerialScheduler;
import dev.heartbeat.internal.LogLimit;
import dev.heartbeat.protocol.FrameCodec;
import dev.heartbeat.protocol.FrameTooLargeException;
import dev.heartbeat.protocol.FrameType;
import dev.heartbeat.udp.internal.Addresses;
import dev.heartbeat.udp.internal.ReducedPong;
import dev.heartbeat.udp.internal.TokenBucket;
import dev.heartbeat.udp.internal.UdpIo;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.util.concurrent.FastThreadLocal;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One monitor's path to one peer over UDP. Everything but {@link #close()} and the volatile flags
 * runs on the link's event loop, which also owns the socket it sends from: the loop is the single
 * writer, and the {@link LinkHandler} is called only there.
 *
 * <p>Two kinds, made by {@link #of}: a link to an IP literal written as this transport writes
 * addresses ({@code 10.0.0.7:7000}, {@code [2001:db8::7]:7000}; most peers) is this class, and keeps
 * no text of the address — it is its resolved address, from which the text is made when shown
 * ({@link #address()}); a link to a host name, or to a literal written otherwise
 * ({@code udp://10.0.0.7:7000}, {@code [2001:db8:0:0::7]:7000}), is a {@link Named}, which keeps the
 * text as given (and, for a name, the lookups' state).
 */
sealed class UdpLink implements Link permits UdpLink.Named {

    private static final Logger log = LoggerFactory.getLogger(UdpLink.class);
    /** The type byte of a PONG (offset 3). */
    private static final byte PONG = 2;
    /** Where a received datagram is copied for the handler: one buffer per event loop thread. */
    private static final FastThreadLocal<ByteBuffer> RECEIVED = new FastThreadLocal<>() {
        @Override
        protected ByteBuffer initialValue() {
            return ByteBuffer.allocate(FrameCodec.MAX_FRAME_LENGTH);
        }
    };

    // A monitor keeps one link per peer: what every link of the transport shares (the datagram cap,
    // the padding rule, the event loop behind the scheduler) is asked of the owner, not copied here;
    // the owner is reached through the loop's scheduler, one reference for both.
    private final UdpClientTransport.LinkLoop scheduler;
    private final LinkHandler handler;
    /** The transport's list of open links (guarded by the transport's lock on it). */
    UdpLink prevLink;
    UdpLink nextLink;
    /** The next link in the same chain of its socket's {@link LinkTable} (loop-confined). */
    UdpLink nextInSocket;
    /** Set once, by the first close() (compare-and-set through {@link #CLOSED}: no AtomicBoolean per link). */
    private volatile boolean closed;
    private static final VarHandle CLOSED;

    static {
        try {
            CLOSED = MethodHandles.lookup().findVarHandle(UdpLink.class, "closed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    private volatile boolean connected;
    private volatile UdpClientTransport.Socket socket;

    /**
     * Where the datagrams go; a literal's from the start, a name's once looked up (written on the
     * loop; volatile because {@link #address()} — logs, {@code describe()} — may read it from any thread).
     */
    private volatile InetSocketAddress remote;

    // Loop-confined.
    /**
     * The inbound flood guard, made only when a datagram arrives less than one period (1 s / the
     * rate) after the one before: until then a bucket would have been full at every datagram, so
     * the time of the last one ({@link #lastInbound}) is all the state there is. Dropped again when
     * it is full. See {@link #admit}.
     */
    private TokenBucket inbound;
    /**
     * When the last datagram came; until one has, one period before the link was made, so that
     * the first passes as a full bucket would pass it (no flag of its own: one per peer adds up).
     */
    private long lastInbound;
    /** The full PONG's length a reduced PONG announced (an unsigned 16-bit field on the wire). */
    private char withheld;

    /** What a link to a host name keeps for its lookups (loop-confined). */
    private static final class Lookup {
        /** The next lookup. */
        Cancellable timer;
        /** Made at the first failed lookup. */
        ReconnectBackoff retry;
    }

    /**
     * A link to {@code address}: of the kind that keeps no text when the address is an IP literal
     * whose text {@link Addresses#format(InetSocketAddress)} gives back exactly, else a {@link Named}.
     *
     * @param address {@code host:port}, already checked by {@link Addresses#parse}; a name's is
     *     parsed again when needed (at each lookup) rather than kept parsed per link
     */
    static UdpLink of(UdpClientTransport.LinkLoop scheduler, String address, LinkHandler handler) {
        InetSocketAddress parsed = Addresses.parse(address);
        String host = parsed.getHostString();
        if (!Addresses.isLiteral(host)) {
            return new Named(scheduler, address, handler, new Lookup(), null);
        }
        InetSocketAddress r = new InetSocketAddress(Addresses.literal(host), parsed.getPort());
        return Addresses.format(r).equals(address) ? new UdpLink(scheduler, handler, r)
                : new Named(scheduler, address, handler, null, r);
    }

    /** @param remote the resolved address of a literal, or null for a name (looked up when started) */
    private UdpLink(UdpClientTransport.LinkLoop scheduler, LinkHandler handler, InetSocketAddress remote) {
        this.scheduler = scheduler;
        this.handler = handler;
        this.remote = remote;
        this.lastInbound = scheduler.ticker().nanoTime() - scheduler.transport.inboundPeriodNanos();
    }

    /**
     * A link that keeps its address as given: to a host name (with its lookups' state), or to a
     * literal written otherwise than {@link Addresses#format(InetSocketAddress)} writes it.
     */
    static final class Named extends UdpLink {
        private final String address;
        /** The name lookups' state, for a host name; null for a literal, which needs none. */
        private final Lookup lookup;

        private Named(UdpClientTransport.LinkLoop scheduler, String address, LinkHandler handler, Lookup lookup,
                      InetSocketAddress literal) {
            super(scheduler, handler, literal);
            this.address = address;
            this.lookup = lookup;
        }

        @Override
        String address() {
            return address;
        }

        @Override
        Lookup lookup() {
            return lookup;
        }
    }

    /**
     * The address as given to {@link UdpClientTransport#open} (trimmed), for messages: a literal's
     * made from its resolved address, which gives that very text back (see {@link #of}).
     */
    String address() {
        return Addresses.format(remote);
    }

    /** The name lookups' state, for a host name; null for an IP literal (most peers), which needs none. */
    Lookup lookup() {
        return null;
    }

    /** The transport, through the loop's scheduler. */
    private UdpClientTransport owner() {
        return scheduler.transport;
    }

    private EventLoop loop() {
        return scheduler.eventLoop();
    }

    void start() {
        loop().execute(this::begin);
    }

    private void begin() {
        if (closed) {
            return;
        }
        if (lookup() == null) {
            attach(remote); // a literal: resolved when the link was made
        } else {
            resolve();
        }
    }

    /** Looks the name up on the resolver thread (a lookup may block for seconds), never on the loop. */
    private void resolve() {
        Lookup lookup = lookup();
        lookup.timer = null;
        if (closed) {
            return;
        }
        InetSocketAddress unresolved = Addresses.parse(address());
        String host = unresolved.getHostString();
        int port = unresolved.getPort();
        try {
            owner().resolver().execute(() -> {
                InetSocketAddress r = new InetSocketAddress(host, port);
                try {
                    loop().execute(() -> resolved(r));
                } catch (RejectedExecutionException e) {
                    // the transport is closing
                }
            });
        } catch (RejectedExecutionException e) {
            // the transport is closing
        }
    }

    private void resolved(InetSocketAddress r) {
        if (closed) {
            return;
        }
        Lookup lookup = lookup();
        String address = address();
        if (r.isUnresolved()) {
            String why = "lookup of " + address + " failed: unknown host " + r.getHostString();
            if (connected) {
                log.debug("{}: {}; keeping {}", address, why, remote);
                lookup.timer = scheduler.schedule(this::resolve, owner().config().resolveIntervalNanos());
            } else {
                call(() -> handler.onDisconnected(this, DisconnectCause.CONNECT_FAILED, why));
                if (lookup.retry == null) {
                    lookup.retry = owner().newRetryBackoff();
                }
                lookup.timer = scheduler.schedule(this::resolve, lookup.retry.nextDelayNanos());
            }
            return;
        }
        if (lookup.retry != null) {
            lookup.retry.reset();
        }
        if (!r.equals(remote)) {
            if (remote != null) {
                log.info("{}: now at {} (was {})", address, Addresses.format(r), Addresses.format(remote));
            }
            detach();
            attach(r);
        }
        if (!closed) {
            lookup.timer = scheduler.schedule(this::resolve, owner().config().resolveIntervalNanos());
        }
    }

    /** Binds this link to a socket of its loop for {@code r}: the shared one, or its own if the shared one is taken. */
    private void attach(InetSocketAddress r) {
        SocketProtocolFamily family = UdpIo.familyOf(r.getAddress());
        EventLoop loop = loop();
        UdpClientTransport.Socket s = owner().shared(loop, family);
        if (s == null) {
            String why = "no " + (family == SocketProtocolFamily.INET ? "IPv4" : "IPv6") + " UDP socket for " + address()
                    + ": " + owner().problem(loop, family);
            call(() -> handler.onDisconnected(this, DisconnectCause.CONNECT_FAILED, why));
            return;
        }
        remote = r;
        if (s.links.contains(r)) {
            // Another link of this loop talks to the same address; replies are told apart by
            // their source address, so this one needs a socket of its own.
            UdpClientTransport.Socket own = owner().bindPrivate(loop, family, () -> privateBound(r));
            own.links.add(this);
            socket = own;
            return;
        }
        s.links.add(this);
        socket = s;
        up();
    }

    private void privateBound(InetSocketAddress r) {
        UdpClientTransport.Socket s = socket;
        if (closed || s == null || s.shared || !r.equals(remote)) {
            return;
        }
        if (s.channel.isActive()) {
            up();
        } else {
            String why = "no socket of its own for " + address() + " (it shares the address with another peer)";
            call(() -> handler.onDisconnected(this, DisconnectCause.CONNECT_FAILED, why));
        }
    }

    private void up() {
        if (!connected && !closed) {
            connected = true;
            call(() -> handler.onConnected(this));
        }
    }

    private void detach() {
        UdpClientTransport.Socket s = socket;
        socket = null;
        if (s == null) {
            return;
        }
        s.links.remove(this);
        if (!s.shared) {
            s.channel.close();
        }
    }

    /**
     * Whether a datagram arriving at {@code now} passes the inbound rate: exactly what a token
     * bucket made when the link started (full) and charged one period per datagram decides, with
     * no bucket kept while the datagrams are at least one period apart. {@code now} is on the
     * link's ticker, not before the link was made.
     */
    boolean admit(long now) {
        TokenBucket b = inbound;
        if (b != null && b.full(now)) {
            b = inbound = null; // quiet for long enough: as good as a bucket that never ran low
        }
        if (b == null) {
            if (now - lastInbound >= owner().inboundPeriodNanos()) {
                lastInbound = now; // a full bucket passes it and is one period short from here
                return true;
            }
            b = inbound = owner().newInboundBucket(lastInbound);
            b.tryTake(lastInbound); // the bucket as the last datagram left it
        }
        return b.tryTake(now);
    }

    /** A datagram from the peer (the socket releases it after this call). */
    void onDatagram(ByteBuf content) {
        if (closed) {
            return;
        }
        if (!admit(scheduler.ticker().nanoTime())) {
            owner().dropped();
            return;
        }
        int n = content.readableBytes();
        // Copied into this thread's scratch buffer (no NIO view allocated per datagram); larger
        // datagrams than a frame can be are copied whole, to be refused by the decoder.
        ByteBuffer nio = n <= FrameCodec.MAX_FRAME_LENGTH ? RECEIVED.get() : ByteBuffer.allocate(n);
        nio.clear();
        content.getBytes(content.readerIndex(), nio.array(), nio.arrayOffset(), n);
        nio.limit(n);
        if (owner().padPings && n >= FrameCodec.MIN_FRAME_LENGTH && nio.get(nio.position() + 3) == PONG) {
            // A reduced PONG says how long the full one is; a full PONG ends that. Not authenticated
            // yet: pingPaddingTo bounds what it can make us send by the datagram cap.
            withheld = (char) ReducedPong.withheldLength(nio, nio.position(), n); // 0..65,535
        }
        try {
            handler.onFrame(this, nio);
        } catch (RuntimeException e) {
            log.warn("{}: link handler threw; ignored", address(), e);
        }
    }

    /** The address the link talks to now, or null (loop-confined): its key in its socket's {@link LinkTable}. */
    InetSocketAddress remote() {
        return remote;
    }

    void writabilityChanged(boolean writable) {
        if (!closed && connected) {
            call(() -> handler.onWritabilityChanged(this, writable));
        }
    }

    @Override
    public SerialScheduler scheduler() {
        return scheduler;
    }

    /**
     * Copies the frame into a pooled buffer and sends it as one datagram. A frame over
     * {@code maxDatagramSize} is refused (logged with its size and the cap, counted) and false is
     * returned, as when the address is not known yet.
     */
    @Override
    public boolean send(ByteBuffer frame) {
        UdpClientTransport.Socket s = socket;
        InetSocketAddress to = remote;
        if (!connected || closed || s == null || to == null) {
            return false;
        }
        int n = frame.remaining();
        int maxDatagram = owner().maxDatagram;
        if (n > maxDatagram) {
            owner().oversizeRefused.increment();
            long c = owner().oversizeRefused.sum();
            if (LogLimit.loud(c)) {
                FrameType type = frame.get(frame.position() + 3) == PONG ? FrameType.PONG : FrameType.PING;
                log.warn("{}: frame refused: {}; {} refused so far", address(),
                        new FrameTooLargeException(type, n, maxDatagram).getMessage(), c);
            }
            return false;
        }
        Channel ch = s.channel;
        ByteBuf b = ch.alloc().ioBuffer(n);
        if (frame.hasArray()) {
            // From the array: writing a ByteBuffer into a pooled direct buffer makes an NIO view per write.
            b.writeBytes(frame.array(), frame.arrayOffset() + frame.position(), n);
            frame.position(frame.limit());
        } else {
            b.writeBytes(frame);
        }
        ch.writeAndFlush(new DatagramPacket(b, to), ch.voidPromise());
        owner().datagramsSent.increment();
        owner().bytesSent.add(n);
        return true;
    }

    @Override
    public boolean isConnected() {
        return connected;
    }

    @Override
    public boolean isWritable() {
        UdpClientTransport.Socket s = socket;
        return s != null && s.channel.isWritable();
    }

    /**
     * The anti-amplification padding: the first PINGs to {@code min(maxDatagramSize, 1024)}; then
     * the last PONG's length, or the length a reduced PONG said was withheld, whichever is larger.
     */
    @Override
    public int pingPaddingTo(int lastPongLength) {
        if (!owner().padPings) {
            return 0;
        }
        int firstPadding = owner().firstPadding;
        int target = lastPongLength == 0 ? firstPadding : Math.max(lastPongLength, withheld);
        return Math.max(FrameCodec.MIN_FRAME_LENGTH, Math.min(target, firstPadding));
    }

    @Override
    public String describe() {
        return owner().name() + " " + address();
    }

    @Override
    public void close() {
        if (!CLOSED.compareAndSet(this, false, true)) {
            return;
        }
        owner().forget(this);
        try {
            loop().execute(this::closeOnLoop);
        } catch (RejectedExecutionException e) {
            // the loop is gone, and with it the sockets
        }
    }

    private void closeOnLoop() {
        Lookup lookup = lookup();
        if (lookup != null && lookup.timer != null) {
            lookup.timer.cancel();
            lookup.timer = null;
        }
        detach();
        connected = false;
        call(() -> handler.onDisconnected(this, DisconnectCause.CLOSED_LOCALLY, "link closed"));
    }

    private void call(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            log.warn("{}: link handler threw; ignored", address(), e);
        }
    }

    @Override
    public String toString() {
        return describe();
    }
}
