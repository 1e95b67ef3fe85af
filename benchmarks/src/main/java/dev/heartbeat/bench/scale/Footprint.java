package dev.heartbeat.bench.scale;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;

/**
 * Where the heap per peer goes, class by class: the JVM's own class histogram of live objects
 * (the one {@code jmap -histo:live} prints, taken in-process through the {@code DiagnosticCommand}
 * MBean, which runs a full GC first) before the peers are added and after the measurement; the
 * difference divided by the number of peers. It answers "which objects does a peer cost" without
 * attaching a tool to a held process. The first histogram waits in a temporary file, so that the
 * tool holds nothing on the heap while the run measures it.
 */
final class Footprint {

    /** "   1:   47226   3632928  [B (java.base@17.0.15)" */
    private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+).*$");

    private final Path before;

    private Footprint(Path before) {
        this.before = before;
    }

    /** Takes the histogram of the heap as it is now (after a full GC). */
    static Footprint start() throws IOException {
        histogramText(); // the first call sets up the MBean (and JFR's metadata): not the run's
        Path file = Files.createTempFile("footprint", ".txt");
        Files.writeString(file, histogramText());
        return new Footprint(file);
    }

    /**
     * Prints one {@code FOOTPRINT} line per class whose live bytes changed by at least
     * {@code minBytesPerPeer} per peer since {@link #start()}, largest change first, and a total.
     */
    void print(int peers, double minBytesPerPeer) throws IOException {
        Map<String, long[]> before = parse(Files.readString(this.before));
        Files.delete(this.before);
        Map<String, long[]> after = parse(histogramText());
        List<Object[]> rows = new ArrayList<>();
        double total = 0;
        Map<String, long[]> all = new HashMap<>(before);
        after.forEach(all::putIfAbsent);
        for (String cls : all.keySet()) {
            long[] a = after.getOrDefault(cls, new long[2]);
            long[] b = before.getOrDefault(cls, new long[2]);
            double bytes = (a[1] - b[1]) / (double) peers;
            double instances = (a[0] - b[0]) / (double) peers;
            total += bytes;
            if (Math.abs(bytes) >= minBytesPerPeer) {
                rows.add(new Object[] {cls, bytes, instances});
            }
        }
        rows.sort((x, y) -> Double.compare(Math.abs((double) y[1]), Math.abs((double) x[1])));
        for (Object[] r : rows) {
            System.out.printf(Locale.ROOT, "FOOTPRINT %8.1f B/peer %6.2f objects/peer  %s%n", r[1], r[2], r[0]);
        }
        System.out.printf(Locale.ROOT, "FOOTPRINT %8.1f B/peer total (every class)%n", total);
    }

    /** The live heap's class histogram, as {@code jmap -histo:live} prints it. */
    private static String histogramText() {
        try {
            return (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
        } catch (Exception e) {
            throw new IllegalStateException("class histogram unavailable: " + e, e);
        }
    }

    /** Class name to {instances, bytes}. */
    private static Map<String, long[]> parse(String text) {
        Map<String, long[]> m = new HashMap<>();
        for (String line : text.split("\n")) {
            Matcher r = ROW.matcher(line);
            if (r.matches()) {
                // Lambda classes are numbered per run: one name for all of them, per declaring class.
                String cls = r.group(3).replaceAll("\\$\\$Lambda\\$\\d+/0x[0-9a-f]+", "\\$\\$Lambda");
                long[] v = m.computeIfAbsent(cls, k -> new long[2]);
                v[0] += Long.parseLong(r.group(1));
                v[1] += Long.parseLong(r.group(2));
            }
        }
        return m;
    }
}
