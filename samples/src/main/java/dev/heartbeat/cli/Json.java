package dev.heartbeat.cli;

import dev.heartbeat.peer.PeerEvent;
import dev.heartbeat.peer.PeerState;
import dev.heartbeat.protocol.LoadReport;
import java.util.Locale;

/**
 * The CLI's JSON output (format version {@value #VERSION}, documented in docs/cli.md): one object
 * per line, pure ASCII (anything else is a {@code \\uXXXX} escape, so the bytes do not depend on the
 * platform's encoding), fields in a fixed order, unknown figures as {@code null}. New fields may be
 * added in a later version of the same {@code "v"}; existing ones never change meaning.
 *
 * <p>A tiny writer rather than a JSON library: the samples module should not pull one in for
 * four objects. Not thread-safe; one instance per object written.
 */
public final class Json {

    /** The {@code "v"} field of every object the CLI prints. */
    public static final int VERSION = 1;

    private final StringBuilder sb = new StringBuilder(256);
    private boolean first = true;

    private Json() {
        sb.append('{');
    }

    /** A new object. */
    public static Json object() {
        return new Json();
    }

    private Json key(String k) {
        if (!first) {
            sb.append(',');
        }
        first = false;
        quote(k);
        sb.append(':');
        return this;
    }

    public Json put(String k, String v) {
        key(k);
        if (v == null) {
            sb.append("null");
        } else {
            quote(v);
        }
        return this;
    }

    public Json put(String k, long v) {
        key(k);
        sb.append(v);
        return this;
    }

    /** A number, or null when it is NaN or infinite; {@code decimals} digits after the point at most. */
    public Json put(String k, double v, int decimals) {
        key(k);
        if (!Double.isFinite(v)) {
            sb.append("null");
        } else {
            String s = String.format(Locale.ROOT, "%." + decimals + "f", v);
            if (s.indexOf('.') >= 0) {
                s = s.replaceAll("0+$", "");
                if (s.endsWith(".")) {
                    s = s.substring(0, s.length() - 1);
                }
            }
            sb.append("-0".equals(s) ? "0" : s);
        }
        return this;
    }

    /** A count, or null when it is negative (unknown). */
    public Json putCount(String k, long v) {
        key(k);
        sb.append(v < 0 ? "null" : Long.toString(v));
        return this;
    }

    public Json put(String k, boolean v) {
        key(k);
        sb.append(v);
        return this;
    }

    /** A nested object, already built. */
    public Json put(String k, Json nested) {
        key(k);
        if (nested == null) {
            sb.append("null");
        } else {
            sb.append(nested);
        }
        return this;
    }

    private void quote(String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    sb.append("\\\"");
                    break;
                case '\\':
                    sb.append("\\\\");
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                case '\r':
                    sb.append("\\r");
                    break;
                case '\t':
                    sb.append("\\t");
                    break;
                default:
                    if (c < 0x20 || c > 0x7e) { // ASCII out, whatever the terminal's encoding: "φ" is "\u03c6"
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        sb.append('"');
    }

    @Override
    public String toString() {
        return sb.toString() + '}';
    }

    // ---------------------------------------------------------------------------------------
    // The objects the CLI prints.
    // ---------------------------------------------------------------------------------------

    /** An epoch as 16 hex digits (as in event reasons), or null when unknown (0). */
    public static String epoch(long epoch) {
        return epoch == 0 ? null : String.format(Locale.ROOT, "%016x", epoch);
    }

    /** A load report: fractions 0..1, counts, null for unknown figures. */
    public static Json load(LoadReport l) {
        if (l == null) {
            return null;
        }
        Json custom = object();
        for (int i = 0; i < l.customCount(); i++) {
            custom.put(l.customName(i), l.customValue(i), 6);
        }
        return object()
                .put("cpu", l.cpu(), 4)
                .put("memory", l.memory(), 4)
                .putCount("in_flight", l.inFlight())
                .putCount("queue_depth", l.queueDepth())
                .put("rps", l.requestsPerSecond(), 3)
                .put("error_rate", l.errorRate(), 4)
                .putCount("latency_us", l.latencyMicros())
                .put("custom", custom);
    }

    /** The state fields shared by events and probe results. */
    private static Json state(Json j, PeerState s) {
        return j.put("phi", s.phi(), 3)
                .put("rtt_ms", s.rttNanos() < 0 ? Double.NaN : s.rttNanos() / 1e6, 3)
                .put("status", s.status() == null ? null : s.status().name())
                .put("epoch", epoch(s.epoch()))
                .put("node_id", s.nodeId())
                .put("load", load(s.load()));
    }

    /**
     * One event, as {@code monitor --events jsonl} prints it:
     * <pre>
     * {"v":1,"ts":"2026-11-24T13:45:01.123Z","peer":"alpha","address":"127.0.0.1:7001","kind":"TRANSITION",
     *  "from":{"liveness":"ALIVE","usability":"USABLE"},"to":{"liveness":"DEAD","usability":"UNKNOWN"},
     *  "reason":"…","phi":8.4,"rtt_ms":0.31,"status":"SERVING","epoch":"…","node_id":"alpha","load":{…}}
     * </pre>
     */
    public static String event(PeerEvent e) {
        Json j = object().put("v", VERSION)
                .put("ts", e.timestamp() == null ? null : e.timestamp().toString())
                .put("peer", e.peer())
                .put("address", e.state() == null ? null : e.state().address())
                .put("kind", e.kind().name())
                .put("from", object().put("liveness", name(e.fromLiveness())).put("usability", name(e.fromUsability())))
                .put("to", object().put("liveness", name(e.toLiveness())).put("usability", name(e.toUsability())))
                .put("reason", e.reason());
        if (e.state() != null) {
            state(j, e.state());
        }
        return j.toString();
    }

    /** The result of {@code probe --json}. */
    public static String probe(String address, int exit, String result, PeerState s, String reason, long elapsedNanos) {
        Json j = object().put("v", VERSION)
                .put("address", address)
                .put("result", result)
                .put("exit", exit)
                .put("liveness", s == null ? null : s.liveness().name())
                .put("usability", s == null ? null : s.usability().name())
                .put("reason", reason)
                .put("elapsed_ms", elapsedNanos / 1e6, 3);
        if (s != null) {
            state(j, s);
        }
        return j.toString();
    }

    private static String name(Enum<?> e) {
        return e == null ? null : e.name();
    }
}
