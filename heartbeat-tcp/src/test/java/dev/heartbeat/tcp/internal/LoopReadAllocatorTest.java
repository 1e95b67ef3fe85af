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
    void oneHandlePerThread() throws Exception {
        RecvByteBufAllocator.Handle here = allocator.newHandle();
        assertThat(allocator.newHandle()).as("a second channel of this thread").isSameAs(here);
        RecvByteBufAllocator.Handle there = CompletableFuture.supplyAsync(allocator::newHandle).get();
        assertThat(there).as("another thread's").isNotSameAs(here);
        assertThat(here).isInstanceOf(RecvByteBufAllocator.ExtendedHandle.class); // epoll casts it
        assertThat(new LoopReadAllocator(2048).newHandle()).as("another allocator's").isNotSameAs(here);
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
