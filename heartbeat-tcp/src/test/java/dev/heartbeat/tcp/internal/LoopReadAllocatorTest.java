package dev.heartbeat.tcp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The read handle shared by the channels of one thread. */
class LoopReadAllocatorTest {

    private final LoopReadAllocator allocator = new LoopReadAllocator(2048);

    @Test
    void oneHandleForEveryChannel_forwardingToOneHandlePerThread() throws Exception {
        RecvByteBufAllocator.Handle shared = allocator.newHandle();
        assertThat(allocator.newHandle()).as("a second channel of this thread").isSameAs(shared);
        assertThat(CompletableFuture.supplyAsync(allocator::newHandle).get()).as("another thread's channel")
                .isSameAs(shared);
        assertThat(shared).isInstanceOf(RecvByteBufAllocator.ExtendedHandle.class); // epoll casts it
        RecvByteBufAllocator.Handle here = allocator.threadHandle();
        assertThat(allocator.threadHandle()).isSameAs(here);
        assertThat(CompletableFuture.supplyAsync(allocator::threadHandle).get()).as("another thread's own")
                .isNotSameAs(here);
        LoopReadAllocator other = new LoopReadAllocator(2048);
        assertThat(other.newHandle()).as("another allocator's").isNotSameAs(shared);
        assertThat(other.threadHandle()).isNotSameAs(here);
    }

    /**
     * A handle made on one thread (epoll makes one on the acceptor's loop to check its type) and
     * used on another (the accepted channel's loop, or the loop a channel moved to) reads with the
     * handle of the thread that reads: nothing it does reaches the maker's handle.
     */
    @Test
    void aHandleMadeOnOneThreadReadsWithTheHandleOfTheThreadThatUsesIt() throws Exception {
        EmbeddedChannel ch = new EmbeddedChannel();
        RecvByteBufAllocator.ExtendedHandle madeHere = (RecvByteBufAllocator.ExtendedHandle) allocator.newHandle();
        madeHere.reset(ch.config());
        madeHere.lastBytesRead(7);
        int[] seenThere = CompletableFuture.supplyAsync(() -> {
            int before = madeHere.lastBytesRead(); // this thread's handle: nothing read on it yet
            madeHere.reset(ch.config());
            madeHere.attemptedBytesRead(2048);
            madeHere.lastBytesRead(1500);
            madeHere.incMessagesRead(1);
            madeHere.readComplete();
            return new int[] {before, allocator.threadHandle().lastBytesRead()};
        }).get();
        assertThat(seenThere[0]).as("the other thread starts from its own handle").isZero();
        assertThat(seenThere[1]).as("the other thread's read went to its own handle").isEqualTo(1500);
        assertThat(madeHere.lastBytesRead()).as("this thread's read is untouched").isEqualTo(7);
        assertThat(allocator.threadHandle().lastBytesRead()).isEqualTo(7);
        ch.finishAndReleaseAll();
    }

    /**
     * What one read leaves in the handle does not reach the next read, of the same channel or of
     * another: every read starts from reset, reads at most one message of the fixed size, and goes
     * by its own channel's config.
     */
    @Test
    void eachReadStartsAfreshWhateverTheReadBefore() {
        EmbeddedChannel a = new EmbeddedChannel();
        EmbeddedChannel b = new EmbeddedChannel();
        ChannelConfig ca = a.config();
        ChannelConfig cb = b.config();
        RecvByteBufAllocator.ExtendedHandle h = (RecvByteBufAllocator.ExtendedHandle) allocator.newHandle();

        // a's read fills the buffer: with one message per read it stops there
        h.reset(ca);
        ByteBuf buf = h.allocate(UnpooledByteBufAllocator.DEFAULT);
        assertThat(buf.writableBytes()).isGreaterThanOrEqualTo(2048);
        assertThat(h.guess()).isEqualTo(2048);
        buf.release();
        h.attemptedBytesRead(2048);
        h.lastBytesRead(2048);
        h.incMessagesRead(1);
        assertThat(h.continueReading()).as("one message per read").isFalse();
        h.readComplete();

        // b's read, on the same thread next: nothing of a's count or bytes is left
        h.reset(cb);
        h.attemptedBytesRead(2048);
        h.lastBytesRead(100);
        assertThat(h.lastBytesRead()).isEqualTo(100);
        assertThat(h.attemptedBytesRead()).isEqualTo(2048);
        h.readComplete();

        // and b's config is the one consulted: with auto-read off b stops, a goes on
        cb.setAutoRead(false);
        h.reset(cb);
        h.attemptedBytesRead(2048);
        h.lastBytesRead(10);
        assertThat(h.continueReading()).isFalse();
        h.reset(ca);
        h.attemptedBytesRead(2048);
        h.lastBytesRead(2048);
        assertThat(h.continueReading()).as("a read that filled the buffer, nothing counted yet").isTrue();
        a.finishAndReleaseAll();
        b.finishAndReleaseAll();
    }

    @Test
    void badSizeIsRefusedByName() {
        assertThatThrownBy(() -> new LoopReadAllocator(0)).hasMessageContaining("bufferSize");
    }
}
