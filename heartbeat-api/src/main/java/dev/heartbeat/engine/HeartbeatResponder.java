package dev.heartbeat.engine;

import dev.heartbeat.internal.Checks;
import dev.heartbeat.detect.Ticker;
import dev.heartbeat.protocol.Frame;
import dev.heartbeat.protocol.FrameCodec;
import dev.heartbeat.protocol.FrameDecodeException;
import dev.heartbeat.protocol.FrameType;
import dev.heartbeat.protocol.LoadReport;
import dev.heartbeat.protocol.ServingStatus;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server side of the protocol: answers each PING with a PONG that carries this process's
 * {@link ServingStatus}, its {@link LoadReport} and its epoch. Transport-agnostic: a server
 * transport calls {@link #respond} for every inbound frame and sends what it writes.
 *
 * <pre>{@code
 * HeartbeatResponder responder = HeartbeatResponder.builder().nodeId("orders-1").build();
 * responder.status(ServingStatus.DRAINING);   // e.g. on SIGTERM, before shutting down
 * }</pre>
 *
 * <p>Thread-safe and shared by all connections: status and load are volatile reads, the sequence
 * an atomic counter; per-call scratch ({@link Frame}) belongs to the caller, so answering a PING
 * allocates nothing.
 */
public final class HeartbeatResponder {

    private final String nodeId;
    private final long epoch;
    private final Ticker ticker;
    private final LoadProvider loadProvider;
    private final int minIntervalMillis;
    private final AtomicInteger sequence = new AtomicInteger(Epochs.newSequence());
    private final LongAdder answered = new LongAdder();
    private volatile ServingStatus status;

    private HeartbeatResponder(Builder b) {
        this.nodeId = b.nodeId;
        this.epoch = b.epoch != 0 ? b.epoch : Epochs.newEpoch();
        this.ticker = b.ticker;
        this.loadProvider = b.loadProvider;
        this.minIntervalMillis = (int) b.minInterval.toMillis();
        this.status = b.status;
    }

    /** A builder with defaults: node id "responder", status SERVING, {@link JvmLoadProvider}. */
    public static Builder builder() {
        return new Builder();
    }

    /** This process's epoch (random, fixed for the responder's life). */
    public long epoch() {
        return epoch;
    }

    /** The node id in every PONG. */
    public String nodeId() {
        return nodeId;
    }

    /** The status reported now. */
    public ServingStatus status() {
        return status;
    }

    /** Changes the reported status; monitors see it in their next PONG. */
    public void status(ServingStatus status) {
        this.status = Objects.requireNonNull(status, "status");
    }

    /** The load provider. */
    public LoadProvider loadProvider() {
        return loadProvider;
    }

    /** PINGs answered so far. */
    public long answered() {
        return answered.sum();
    }

    /**
     * Handles one inbound frame (the bytes from {@code request}'s position to its limit). For a
     * PING, writes the PONG at {@code reply}'s position (advancing it) and returns true; other
     * frame types are ignored (false). After a PING, {@code scratch} holds the PONG that was
     * written, except {@link Frame#intervalMillis()}, which keeps the PING's advertised interval
     * (a transport reads it for dead-client eviction); after other frames it holds the decoded
     * request.
     *
     * @param reply needs {@link FrameCodec#MAX_FRAME_LENGTH} bytes free
     * @throws FrameDecodeException when the request is not a valid frame (the transport decides
     *     whether to drop it or close the connection)
     */
    public boolean respond(ByteBuffer request, ByteBuffer reply, Frame scratch) throws FrameDecodeException {
        FrameCodec.decode(request, scratch);
        if (scratch.type() != FrameType.PING) {
            return false;
        }
        int echoSeq = scratch.sequence();
        long echoTime = scratch.sendTimeNanos();
        scratch.pong(epoch, sequence.getAndIncrement(), ticker.nanoTime(), nodeId, echoSeq, echoTime, status,
                minIntervalMillis, loadProvider.load());
        FrameCodec.encode(scratch, reply);
        answered.increment();
        return true;
    }

    /**
     * Writes a GOODBYE at {@code out}'s position: "I am leaving; stop routing to me now". Send it
     * on every open connection before closing them.
     *
     * @param comeBackAfter when monitors should try again (zero: no advice)
     */
    public void goodbye(ByteBuffer out, Frame scratch, Duration comeBackAfter) {
        long ms = comeBackAfter == null ? 0 : Math.min(Integer.MAX_VALUE, Math.max(0, comeBackAfter.toMillis()));
        scratch.goodbye(epoch, sequence.getAndIncrement(), ticker.nanoTime(), nodeId, (int) ms);
        FrameCodec.encode(scratch, out);
    }

    /** Validating builder. */
    public static final class Builder {
        private String nodeId = "responder";
        private long epoch;
        private Ticker ticker = Ticker.system();
        private LoadProvider loadProvider;
        private Duration minInterval = Duration.ZERO;
        private ServingStatus status = ServingStatus.SERVING;

        private Builder() {
        }

        /** Node id reported in PONGs: 1..255 UTF-8 bytes. */
        public Builder nodeId(String nodeId) {
            this.nodeId = FrameCodec.checkNodeId(nodeId);
            return this;
        }

        /** A fixed epoch (tests; a restart must use a new one). Default: random. Must not be 0. */
        public Builder epoch(long epoch) {
            if (epoch == 0) {
                throw Checks.bad("epoch", 0, "non-zero");
            }
            this.epoch = epoch;
            return this;
        }

        /** The ticker for PONG send times. */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /** Where the load report comes from (default {@link JvmLoadProvider#create()}). */
        public Builder loadProvider(LoadProvider loadProvider) {
            this.loadProvider = Objects.requireNonNull(loadProvider, "loadProvider");
            return this;
        }

        /** Advises monitors not to ping more often than this (default: no advice). 0..24 h. */
        public Builder minInterval(Duration minInterval) {
            this.minInterval = Checks.range("minInterval", minInterval, Duration.ZERO, Duration.ofHours(24));
            return this;
        }

        /** The initial status (default SERVING). */
        public Builder status(ServingStatus status) {
            this.status = Objects.requireNonNull(status, "status");
            return this;
        }

        public HeartbeatResponder build() {
            if (loadProvider == null) {
                loadProvider = JvmLoadProvider.create(ticker, JvmLoadProvider.DEFAULT_SAMPLE_INTERVAL);
            }
            return new HeartbeatResponder(this);
        }
    }
}
