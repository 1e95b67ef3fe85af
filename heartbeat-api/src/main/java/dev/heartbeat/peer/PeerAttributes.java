package dev.heartbeat.peer;

import dev.heartbeat.internal.Checks;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a router and service discovery need to know about a peer besides where its heartbeats go:
 * the address its real traffic goes to, its zone, its relative weight and free-form metadata.
 * Immutable; build with {@link #builder()}.
 *
 * <pre>{@code
 * PeerAttributes a = PeerAttributes.builder().dataAddress("10.0.0.7:8080").zone("eu-west-1a")
 *         .weight(200).metadata("version", "4.2").build();
 * monitor.addPeer(PeerSpec.of("orders-1", "tcp://10.0.0.7:7070", a));
 * }</pre>
 */
public final class PeerAttributes {

    /** Default weight. */
    public static final int DEFAULT_WEIGHT = 100;
    /** Most metadata entries a peer may carry. */
    public static final int MAX_METADATA_ENTRIES = 64;
    /** Longest metadata key or value, and longest zone or data address, in characters. */
    public static final int MAX_TEXT_LENGTH = 256;

    private static final PeerAttributes NONE = new PeerAttributes(new Builder());

    private final String dataAddress;
    private final String zone;
    private final int weight;
    private final Map<String, String> metadata;

    private PeerAttributes(Builder b) {
        this.dataAddress = b.dataAddress;
        this.zone = b.zone;
        this.weight = b.weight;
        this.metadata = frozen(b.metadata);
    }

    /** An unmodifiable copy keeping the order; the shared empty map when there is nothing (as for most peers). */
    private static Map<String, String> frozen(Map<String, String> m) {
        if (m.isEmpty()) {
            return Collections.emptyMap();
        }
        if (m.size() == 1) {
            Map.Entry<String, String> e = m.entrySet().iterator().next();
            return Collections.singletonMap(e.getKey(), e.getValue());
        }
        return Collections.unmodifiableMap(new LinkedHashMap<>(m));
    }

    /** No data address, no zone, weight {@value #DEFAULT_WEIGHT}, no metadata. */
    public static PeerAttributes none() {
        return NONE;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Where the peer's real traffic goes (e.g. its HTTP port), or {@code null} when it is the heartbeat address's host. */
    public String dataAddress() {
        return dataAddress;
    }

    /** Its zone (rack, availability zone), or {@code null}. */
    public String zone() {
        return zone;
    }

    /** Its relative weight for routing, 1..10000. */
    public int weight() {
        return weight;
    }

    /** Free-form metadata (an unmodifiable, insertion-ordered map). */
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof PeerAttributes)) {
            return false;
        }
        PeerAttributes a = (PeerAttributes) o;
        return weight == a.weight && Objects.equals(dataAddress, a.dataAddress) && Objects.equals(zone, a.zone)
                && metadata.equals(a.metadata);
    }

    @Override
    public int hashCode() {
        return Objects.hash(dataAddress, zone, weight, metadata);
    }

    @Override
    public String toString() {
        return "PeerAttributes{dataAddress=" + dataAddress + ", zone=" + zone + ", weight=" + weight + ", metadata="
                + metadata + "}";
    }

    /** Validating builder. */
    public static final class Builder {
        private String dataAddress;
        private String zone;
        private int weight = DEFAULT_WEIGHT;
        private final Map<String, String> metadata = new LinkedHashMap<>();

        private Builder() {
        }

        /** Where the peer's real traffic goes; 1..256 characters. */
        public Builder dataAddress(String dataAddress) {
            this.dataAddress = text("dataAddress", dataAddress);
            return this;
        }

        /** The peer's zone; 1..256 characters. */
        public Builder zone(String zone) {
            this.zone = text("zone", zone);
            return this;
        }

        /** Relative weight, 1..10000 (default 100). */
        public Builder weight(int weight) {
            this.weight = Checks.range("weight", weight, 1, 10_000);
            return this;
        }

        /** One metadata entry; keys and values 1..256 characters, at most 64 entries. */
        public Builder metadata(String key, String value) {
            text("metadata key", key);
            text("metadata value '" + key + "'", value);
            if (!metadata.containsKey(key) && metadata.size() >= MAX_METADATA_ENTRIES) {
                throw new IllegalArgumentException("metadata : " + (metadata.size() + 1) + " entries (expected: <= "
                        + MAX_METADATA_ENTRIES + ")");
            }
            metadata.put(key, value);
            return this;
        }

        /** Every entry of {@code entries} (see {@link #metadata(String, String)}). */
        public Builder metadata(Map<String, String> entries) {
            Objects.requireNonNull(entries, "metadata").forEach(this::metadata);
            return this;
        }

        /** The attributes; {@link PeerAttributes#none()} itself when nothing was set (no copy per peer). */
        public PeerAttributes build() {
            if (dataAddress == null && zone == null && weight == DEFAULT_WEIGHT && metadata.isEmpty()) {
                return NONE;
            }
            return new PeerAttributes(this);
        }

        private static String text(String name, String v) {
            Objects.requireNonNull(v, name);
            if (v.isEmpty() || v.length() > MAX_TEXT_LENGTH) {
                throw new IllegalArgumentException(name + " : '" + (v.length() > 40 ? v.substring(0, 40) + "…" : v)
                        + "' is " + v.length() + " characters (expected: 1.." + MAX_TEXT_LENGTH + ")");
            }
            return v;
        }
    }
}
