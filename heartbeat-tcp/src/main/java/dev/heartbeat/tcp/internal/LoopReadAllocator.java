package dev.heartbeat.tcp.internal;

import dev.heartbeat.internal.Checks;
import io.netty.channel.DefaultMaxMessagesRecvByteBufAllocator;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * Fixed-size reads, with one read handle per event loop thread instead of one per channel.
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
 * can share one handle, as they share the loop: this allocator hands each thread its own handle.
 * (Epoll wraps the handle in a per-channel {@code EpollRecvByteAllocatorHandle}; that wrapper keeps
 * the per-channel state — the peer's half-close — and delegates the rest here.)
 *
 * <p>The condition is that one thread never has two reads in progress at once, which holds for
 * channels reading on their event loop: a read hands its bytes to the pipeline, and nothing a
 * handler does there reads another channel in place (closing a channel, writing, scheduling all
 * return to the loop first). It would not hold for a handler that drives another channel's read
 * synchronously, which no handler of this library does. Netty makes the handle from the channel's
 * first read, on the channel's loop, so the handle a channel keeps is its loop's.
 *
 * <p>The handle remembers the config of the last channel it read for until the loop's next read:
 * at most one closed channel per loop stays reachable that long.
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

    /**
     * @param bufferSize bytes a read takes at most, 1 or more
     */
    public LoopReadAllocator(int bufferSize) {
        this.bufferSize = Checks.range("bufferSize", bufferSize, 1, Integer.MAX_VALUE);
    }

    /** The calling thread's handle: the same object for every channel that reads on this thread. */
    @Override
    public Handle newHandle() {
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
}
