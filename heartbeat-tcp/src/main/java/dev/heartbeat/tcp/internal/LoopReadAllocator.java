package dev.heartbeat.tcp.internal;

import dev.heartbeat.internal.Checks;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.DefaultMaxMessagesRecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * Fixed-size reads, with one read handle per event loop thread instead of one per channel.
 * <b>For NIO and epoll channels only</b> (see below for io_uring).
 *
 * <p>Netty asks a channel's allocator for a {@link Handle} the first time the channel reads, and
 * the channel keeps it for life: with {@link io.netty.channel.FixedRecvByteBufAllocator} that is a
 * handle object and the supplier inside it, 72 bytes a connection. A handle's state belongs to
 * one read, though: Netty's read loops (epoll's {@code epollInReady}, NIO's
 * {@code NioByteUnsafe.read}) call {@code reset(config)} at the start of every read — which sets
 * the channel's config, the message limit, and zeroes the counts — then allocate, record the bytes
 * read, ask whether to go on, and call {@code readComplete()}, all on the channel's event loop and
 * before the loop serves any other channel. Nothing is carried from one read to the next: the
 * bytes-read fields are written by each read before they are asked. So the channels of one loop
 * can share one handle, as they share the loop: each thread has its own handle here.
 * (Epoll wraps the handle in a per-channel {@code EpollRecvByteAllocatorHandle}; that wrapper keeps
 * the per-channel state — the peer's half-close — and delegates the rest here.)
 *
 * <p>What {@link #newHandle()} returns is not a thread's handle but one stateless object, the same
 * for every channel and every thread, that forwards each call to the handle of the thread making
 * it. So a channel's handle is right whichever thread made it and wherever the channel reads
 * later: {@code newHandle()} may be called off the channel's loop — epoll's
 * {@code setRecvByteBufAllocator} calls it to check the handle's type on the thread that sets the
 * option, which for an accepted channel is the acceptor's loop — and a channel deregistered and
 * registered again reads on its new loop with that loop's handle.
 *
 * <p>The condition is that one thread never has two reads in progress at once, which holds for
 * NIO and epoll channels reading on their event loop: a read hands its bytes to the pipeline, and
 * nothing a handler does there reads another channel in place (closing a channel, writing,
 * scheduling all return to the loop first). It would not hold for a handler that drives another
 * channel's read synchronously, which no handler of this library does. It does not hold for
 * io_uring: there a read spans a submission and its completion, with other channels' reads
 * submitted in between, so io_uring channels need a handle each (a per-channel allocator such as
 * {@link io.netty.channel.FixedRecvByteBufAllocator}).
 *
 * <p>A thread's handle remembers the config of the last channel it read for until the thread's
 * next read: at most one closed channel per loop stays reachable that long.
 *
 * <p><b>Create once</b> (a constant, as {@link ChannelOptions#RECV_ALLOCATOR}): each instance
 * takes a {@link FastThreadLocal} index, and Netty never gives those back.
 *
 * <p>Reads one message per read event, like {@link io.netty.channel.FixedRecvByteBufAllocator}.
 */
public final class LoopReadAllocator extends DefaultMaxMessagesRecvByteBufAllocator {

    private final int bufferSize;
    private final FastThreadLocal<LoopHandle> handles = new FastThreadLocal<>() {
        @Override
        protected LoopHandle initialValue() {
            return new LoopHandle();
        }
    };
    /** What every channel is given: forwards to the calling thread's handle. */
    private final ThreadHandle handle = new ThreadHandle();

    /**
     * @param bufferSize bytes a read takes at most, 1 or more
     */
    public LoopReadAllocator(int bufferSize) {
        this.bufferSize = Checks.range("bufferSize", bufferSize, 1, Integer.MAX_VALUE);
    }

    /**
     * The handle of every channel, on any thread: one object, holding no state, that forwards each
     * call to the calling thread's own handle ({@link #threadHandle()}).
     */
    @Override
    public Handle newHandle() {
        return handle;
    }

    /**
     * The calling thread's own handle, where {@link #newHandle()}'s handle forwards the calls made
     * on this thread (made at the thread's first call).
     */
    public ExtendedHandle threadHandle() {
        return handles.get();
    }

    /** The read size. */
    public int bufferSize() {
        return bufferSize;
    }

    private final class LoopHandle extends MaxMessageHandle {
        @Override
        public int guess() {
            return bufferSize;
        }
    }

    /** Holds nothing: every call goes to the calling thread's {@link LoopHandle}. */
    private final class ThreadHandle implements ExtendedHandle {
        @Override
        public ByteBuf allocate(ByteBufAllocator alloc) {
            return handles.get().allocate(alloc);
        }

        @Override
        public int guess() {
            return bufferSize;
        }

        @Override
        public void reset(ChannelConfig config) {
            handles.get().reset(config);
        }

        @Override
        public void incMessagesRead(int numMessages) {
            handles.get().incMessagesRead(numMessages);
        }

        @Override
        public void lastBytesRead(int bytes) {
            handles.get().lastBytesRead(bytes);
        }

        @Override
        public int lastBytesRead() {
            return handles.get().lastBytesRead();
        }

        @Override
        public void attemptedBytesRead(int bytes) {
            handles.get().attemptedBytesRead(bytes);
        }

        @Override
        public int attemptedBytesRead() {
            return handles.get().attemptedBytesRead();
        }

        @Override
        public boolean continueReading() {
            return handles.get().continueReading();
        }

        @Override
        public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
            return handles.get().continueReading(maybeMoreDataSupplier);
        }

        @Override
        public void readComplete() {
            handles.get().readComplete();
        }
    }
}
