package dev.heartbeat.protocol;

/**
 * The strings a decoder remembers for one sender — its node id and its custom metric names — so
 * that a frame repeating them decodes without allocating: an unchanged string costs a byte
 * comparison. Every {@link Frame} has one of its own; a reader that decodes the frames of many
 * senders into one shared {@code Frame} (a monitor: one per thread for all its peers) keeps one
 * per sender and hands it to the frame before each decode ({@link Frame#strings(StringCache)}),
 * so that the senders do not evict each other's strings.
 *
 * <p>Compact (24 bytes while the node id is ASCII and no custom metric was seen); not
 * thread-safe: confined to the thread that decodes with it.
 */
public final class StringCache extends FrameCodec.Utf8Cache {

    /** Made at the first custom metric (most senders send none). */
    private FrameCodec.Utf8Cache[] names;

    /** An empty cache. */
    public StringCache() {
    }

    /** The cache of custom metric name {@code i}. */
    FrameCodec.Utf8Cache name(int i) {
        if (names == null) {
            names = new FrameCodec.Utf8Cache[LoadReport.MAX_CUSTOM_METRICS];
        }
        FrameCodec.Utf8Cache c = names[i];
        if (c == null) {
            c = names[i] = new FrameCodec.Utf8Cache();
        }
        return c;
    }
}
