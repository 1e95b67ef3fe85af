package dev.heartbeat.tcp.internal;

import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelOption;
import java.util.Map;

/** Sets a channel option and reads back what the OS applied. Internal use only. */
public final class ChannelOptions {

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
