package dev.heartbeat.tcp.internal;

import dev.heartbeat.protocol.FrameCodec;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelOption;
import io.netty.channel.RecvByteBufAllocator;
import java.util.Map;

/** Sets a channel option and reads back what the OS applied. Internal use only. */
public final class ChannelOptions {

    /**
     * How heartbeat connections size their reads: one allocator for every channel, fixed reads of
     * two whole frames, and one read handle per event loop thread shared by the loop's channels
     * ({@link LoopReadAllocator}). Netty's default makes an adaptive allocator per channel, whose
     * handle also keeps a size calculator, to tune read sizes for streams of frames that are never
     * over 1,024 bytes; a fixed allocator still makes a handle per channel (72 bytes a connection).
     */
    public static final RecvByteBufAllocator RECV_ALLOCATOR = new LoopReadAllocator(2 * FrameCodec.MAX_FRAME_LENGTH);

    private ChannelOptions() {
    }

    /**
     * Sets {@code opt} and records the value read back in {@code applied}, or why it could not be
     * set in {@code unsupported}, under {@code name}.
     */
    public static <T> void setAndReadBack(ChannelConfig c, ChannelOption<T> opt, T value, String name,
            Map<String, Object> applied, Map<String, String> unsupported) {
        try {
            if (!c.setOption(opt, value)) {
                unsupported.put(name, "refused by " + c.getClass().getSimpleName());
                return;
            }
            applied.put(name, c.getOption(opt));
        } catch (RuntimeException e) {
            unsupported.put(name, "failed: " + Disconnects.message(e));
        }
    }
}
