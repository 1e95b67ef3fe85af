package dev.heartbeat.cli;

import dev.heartbeat.peer.PeerState;
import dev.heartbeat.protocol.LoadReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Renders peer snapshots as a text table (the {@code monitor} view). Stateless.
 *
 * <p>Every cell has a bounded width whatever a peer reports (φ of a dead peer, a hostile
 * in-flight count): PHI is at most 5 columns ({@code ">99"}, {@code "∞"}), RTT 6, CPU and MEM 5,
 * INFLIGHT 8. PEER is as wide as the longest name (at most {@value #MAX_PEER} columns, less on a
 * narrow terminal); a longer name keeps its start and its end ({@code 127.0…17511}), which is
 * what tells peers apart. REASON takes the rest of the line; when that is less than
 * {@value #MIN_REASON} columns, each peer's reason goes on a line of its own below its row, so
 * that it can be read at 80 columns. Every string is {@link Text#safe escaped} for the terminal.
 */
final class PeerTable {

    static final int MAX_PEER = 32;
    static final int MIN_REASON = 30;
    /** Everything but PEER and REASON: the spaces and the fixed-width columns. */
    private static final String FIXED_FORMAT = " %-8s %-9s %5s %6s %5s %5s %8s";
    private static final int FIXED = 1 + 8 + 1 + 9 + 1 + 5 + 1 + 6 + 1 + 5 + 1 + 5 + 1 + 8;
    private static final String REASON_INDENT = "    ";

    private PeerTable() {
    }

    /**
     * The table's lines: a header, then one line per peer in the given order (with the reason
     * below: a second header line, and two lines per peer). No line is wider than {@code width} terminal columns ({@code width <= 0}: no
     * limit, every reason inline).
     */
    static List<String> render(List<PeerState> peers, int width) {
        int peerWidth = 4;
        for (PeerState s : peers) {
            peerWidth = Math.max(peerWidth, Text.width(Text.safe(s.name())));
        }
        peerWidth = Math.min(peerWidth, MAX_PEER);
        if (width > 0) {
            peerWidth = Math.max(4, Math.min(peerWidth, width - FIXED - 1));
        }
        int reasonRoom = width <= 0 ? Integer.MAX_VALUE : width - peerWidth - FIXED - 2;
        boolean below = reasonRoom < MIN_REASON;
        List<String> lines = new ArrayList<>(peers.size() * (below ? 2 : 1) + 1);
        String header = Text.padRight("PEER", peerWidth) + String.format(Locale.ROOT, FIXED_FORMAT, "LIVENESS",
                "USABILITY", "PHI", "RTT", "CPU", "MEM", "INFLIGHT");
        lines.add(Text.fit(below ? header : header + "  REASON", width));
        if (below) {
            lines.add(REASON_INDENT + "REASON");
        }
        for (PeerState s : peers) {
            LoadReport l = s.load();
            String row = Text.padRight(Text.fitMiddle(Text.safe(s.name()), peerWidth), peerWidth)
                    + String.format(Locale.ROOT, FIXED_FORMAT, s.liveness(), s.usability(), phi(s.phi()), rtt(s.rttNanos()),
                    percent(l == null ? Double.NaN : l.cpu()), percent(l == null ? Double.NaN : l.memory()),
                    count(l == null ? -1 : l.inFlight()));
            String reason = Text.safe(s.reason());
            if (below) {
                lines.add(Text.fit(row, width));
                lines.add(Text.fit(REASON_INDENT + reason, width));
            } else {
                lines.add(Text.fit(row + "  " + reason, width));
            }
        }
        return lines;
    }

    /** φ in at most 5 columns: "0.00".."99.99", ">99", "∞" (certain: infinite or the detector's maximum), "-". */
    static String phi(double phi) {
        if (Double.isNaN(phi)) {
            return "-";
        }
        if (Double.isInfinite(phi) || phi == Double.MAX_VALUE) {
            return "∞";
        }
        if (phi >= 99.995) {
            return ">99";
        }
        return String.format(Locale.ROOT, "%.2f", Math.abs(phi) < 0.005 ? 0.0 : phi); // never "-0.00"
    }

    /** A round trip in at most 6 columns: "0.42ms", "12.3ms", "812ms", "1.5s", ">999s", "-". */
    static String rtt(long nanos) {
        if (nanos < 0) {
            return "-";
        }
        double ms = nanos / 1e6;
        if (ms < 9.995) {
            return String.format(Locale.ROOT, "%.2fms", ms);
        }
        if (ms < 99.95) {
            return String.format(Locale.ROOT, "%.1fms", ms);
        }
        if (ms < 999.5) {
            return String.format(Locale.ROOT, "%.0fms", ms);
        }
        double s = ms / 1000;
        if (s < 9.95) {
            return String.format(Locale.ROOT, "%.1fs", s);
        }
        if (s < 999.5) {
            return String.format(Locale.ROOT, "%.0fs", s);
        }
        return ">999s";
    }

    /** A fraction as a percentage in at most 5 columns: "22%", "100%", ">999%", "-". */
    static String percent(double f) {
        if (Double.isNaN(f) || f < 0) {
            return "-";
        }
        double p = f * 100;
        return p >= 999.5 ? ">999%" : String.format(Locale.ROOT, "%.0f%%", p);
    }

    /** A count in at most 8 columns: as is up to 99999999, then "123M", "4.6E" (SI), "-" when unknown. */
    static String count(long n) {
        if (n < 0) {
            return "-";
        }
        if (n <= 99_999_999L) {
            return Long.toString(n);
        }
        String units = "kMGTPE";
        double v = n;
        int u = -1;
        while (v >= 999.5 && u < units.length() - 1) {
            v /= 1000;
            u++;
        }
        return (v < 9.95 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.0f", v)) + units.charAt(u);
    }
}
