package dev.heartbeat.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Default node ids that are unique per process: {@code role@host-pid}, e.g.
 * {@code monitor@orders-7f9c-1}. The host name comes from the {@code HOSTNAME} environment variable
 * or the kernel's host name file, never from a DNS lookup; it is reduced to printable ASCII and
 * shortened so that the id always fits the protocol's 255 bytes. Internal use only.
 */
public final class NodeIds {

    private static final int MAX_HOST = 200;

    private NodeIds() {
    }

    /** {@code role@host-pid}. */
    public static String defaultFor(String role) {
        return role + "@" + host() + "-" + ProcessHandle.current().pid();
    }

    static String host() {
        String h = System.getenv("HOSTNAME");
        if (h == null || h.isBlank()) {
            try {
                h = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.US_ASCII);
            } catch (IOException | RuntimeException e) {
                h = null;
            }
        }
        return sanitize(h);
    }

    static String sanitize(String h) {
        if (h == null) {
            return "localhost";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < h.length() && sb.length() < MAX_HOST; i++) {
            char c = h.charAt(i);
            if (c > ' ' && c < 0x7f) {
                sb.append(c);
            }
        }
        return sb.length() == 0 ? "localhost" : sb.toString();
    }
}
