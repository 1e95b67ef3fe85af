package dev.heartbeat.cli;

import dev.heartbeat.peer.PeerState;
import dev.heartbeat.protocol.LoadReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Renders peer snapshots as a fixed-width text table (the {@code monitor} view). Stateless. */
final class PeerTable {

    private static final String HEADER_FORMAT = "%-14s %-8s %-9s %7s %9s %5s %5s %8s  %s";

    private PeerTable() {
    }

    /** The table's lines: a header, then one line per peer in the given order. */
    static List<String> render(List<PeerState> peers, int width) {
        List<String> lines = new ArrayList<>(peers.size() + 1);
        lines.add(fit(String.format(Locale.ROOT, HEADER_FORMAT, "PEER", "LIVENESS", "USABILITY", "PHI", "RTT", "CPU",
                "MEM", "INFLIGHT", "REASON"), width));
        for (PeerState s : peers) {
            LoadReport l = s.load();
            lines.add(fit(String.format(Locale.ROOT, HEADER_FORMAT, trim(s.name(), 14), s.liveness(), s.usability(),
                    phi(s.phi()), s.rttNanos() < 0 ? "-" : String.format(Locale.ROOT, "%.2fms", s.rttNanos() / 1e6),
                    percent(l == null ? Double.NaN : l.cpu()), percent(l == null ? Double.NaN : l.memory()),
                    l == null || l.inFlight() < 0 ? "-" : Long.toString(l.inFlight()), s.reason()), width));
        }
        return lines;
    }

    private static String phi(double phi) {
        if (Double.isNaN(phi)) {
            return "-";
        }
        if (Double.isInfinite(phi)) {
            return "inf";
        }
        return String.format(Locale.ROOT, "%.2f", Math.abs(phi) < 0.005 ? 0.0 : phi); // never "-0.00"
    }

    private static String percent(double f) {
        return Double.isNaN(f) ? "-" : String.format(Locale.ROOT, "%.0f%%", f * 100);
    }

    private static String trim(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }

    private static String fit(String line, int width) {
        return width > 0 && line.length() > width ? line.substring(0, width - 1) + "…" : line;
    }
}
