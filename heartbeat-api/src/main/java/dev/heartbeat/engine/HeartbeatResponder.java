package dev.heartbeat.engine;

import dev.heartbeat.internal.Checks;
import dev.heartbeat.detect.Ticker;
import dev.heartbeat.protocol.AuthResult;
import dev.heartbeat.protocol.Frame;
import dev.heartbeat.protocol.FrameCodec;
import dev.heartbeat.protocol.FrameDecodeException;
import dev.heartbeat.protocol.FrameSealer;
import dev.heartbeat.protocol.FrameTooLargeException;
import dev.heartbeat.protocol.FrameType;
import dev.heartbeat.protocol.FrameVerifier;
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
 * <p><b>Authentication.</b> With a {@link Builder#verifier(FrameVerifier) verifier},
 * {@link #respond(ByteBuffer, ByteBuffer, Frame, int)} verifies each PING after decoding it and
 * answers only those that pass; the others are not answered, and the returned {@link Outcome}
 * says why. With a {@link Builder#sealer(FrameSealer) sealer}, {@link #respond} seals every PONG
 * and {@link #goodbye} every GOODBYE. These are the only responder methods that call the hooks.
 *
 * <pre>{@code
 * HmacSha256Authenticator auth = HmacSha256Authenticator.of(HmacKeyRing.of(7, secret));
 * HeartbeatResponder responder = HeartbeatResponder.builder().sealer(auth).verifier(auth).build();
 * }</pre>
 *
 * <p>Thread-safe and shared by all connections: status and load are volatile reads, the sequence
 * an atomic counter, the hooks thread-safe; per-call scratch ({@link Frame}) belongs to the
 * caller, so answering a PING allocates nothing.
 */
public final class HeartbeatResponder {

    private final String nodeId;
    private final long epoch;
    private final Ticker ticker;
    private final LoadProvider loadProvider;
    private final int minIntervalMillis;
    private final AtomicInteger sequence = new AtomicInteger(Epochs.newSequence());
    private final FrameSealer sealer;
    private final FrameVerifier verifier;
    private final LongAdder answered = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private volatile ServingStatus status;

    private HeartbeatResponder(Builder b) {
        this.nodeId = b.nodeId;
        this.epoch = b.epoch != 0 ? b.epoch : Epochs.newEpoch();
        this.ticker = b.ticker;
        this.loadProvider = b.loadProvider;
        this.minIntervalMillis = (int) b.minInterval.toMillis();
        this.status = b.status;
        this.sealer = b.sealer;
        this.verifier = b.verifier;
    }

    /** A builder with defaults: node id {@code responder@HOST-PID} (unique per process), status SERVING, {@link JvmLoadProvider}. */
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

    /** PINGs not answered because the verifier refused them. */
    public long rejected() {
        return rejected.sum();
    }

    /** The sealer of PONGs and GOODBYEs, or {@code null}. */
    public FrameSealer sealer() {
        return sealer;
    }

    /** The verifier of PINGs, or {@code null}. */
    public FrameVerifier verifier() {
        return verifier;
    }

    /**
     * Handles one inbound frame with no cap below {@link FrameCodec#MAX_FRAME_LENGTH}: as
     * {@link #respond(ByteBuffer, ByteBuffer, Frame, int)}, returning true when a PONG was written.
     * A PING that the verifier refuses returns false like a non-PING; use the four-argument
     * overload to learn why.
     */
    public boolean respond(ByteBuffer request, ByteBuffer reply, Frame scratch) throws FrameDecodeException {
        return respond(request, reply, scratch, FrameCodec.MAX_FRAME_LENGTH) == Outcome.ANSWERED;
    }

    /**
     * Handles one inbound frame (the bytes from {@code request}'s position to its limit). For a
     * PING that passes the verifier (if one is configured), writes the PONG, sealed if a sealer is
     * configured, at {@code reply}'s position (advancing it) and returns {@link Outcome#ANSWERED}.
     * Other frame types are ignored ({@link Outcome#IGNORED}); a PING the verifier refuses is not
     * answered ({@code REJECTED_*}, counted in {@link #rejected()}). Nothing is written unless the
     * outcome is {@code ANSWERED}.
     *
     * <p>After a PING, {@code scratch} holds the PONG, except {@link Frame#intervalMillis()}, which
     * keeps the PING's advertised interval (a transport reads it for dead-client eviction); after
     * a refused PING or another frame it holds the decoded request.
     *
     * @param reply needs {@code maxLength} bytes free
     * @param maxLength the largest PONG the transport will send, trailer included:
     *     {@value FrameCodec#MIN_FRAME_LENGTH}..{@value FrameCodec#MAX_FRAME_LENGTH} (for UDP its
     *     datagram cap, 508 by default)
     * @throws FrameDecodeException when the request is not a valid frame (the transport decides
     *     whether to drop it or close the connection)
     * @throws FrameTooLargeException when the PONG would be longer than {@code maxLength} (too many
     *     or too long custom metrics for this transport); the message names both sizes and
     *     {@code reply} is unchanged
     * @throws IllegalArgumentException when {@code maxLength} is out of range
     */
    public Outcome respond(ByteBuffer request, ByteBuffer reply, Frame scratch, int maxLength)
            throws FrameDecodeException {
        if (maxLength < FrameCodec.MIN_FRAME_LENGTH || maxLength > FrameCodec.MAX_FRAME_LENGTH) {
            throw Checks.bad("maxLength", maxLength, FrameCodec.MIN_FRAME_LENGTH + ".." + FrameCodec.MAX_FRAME_LENGTH);
        }
        int start = request.position();
        FrameCodec.decode(request, scratch);
        if (scratch.type() != FrameType.PING) {
            return Outcome.IGNORED;
        }
        if (verifier != null) {
            AuthResult auth = verifier.verify(request, start, scratch);
            if (!auth.ok()) {
                rejected.increment();
                return Outcome.rejected(auth);
            }
        }
        int echoSeq = scratch.sequence();
        long echoTime = scratch.sendTimeNanos();
        scratch.pong(epoch, sequence.getAndIncrement(), ticker.nanoTime(), nodeId, echoSeq, echoTime, status,
                minIntervalMillis, loadProvider.load());
        int length = FrameCodec.encodedLength(scratch, null) + (sealer == null ? 0 : sealer.trailerLength());
        if (length > maxLength) {
            throw new FrameTooLargeException(FrameType.PONG, length, maxLength);
        }
        FrameCodec.encode(scratch, reply, sealer);
        answered.increment();
        return Outcome.ANSWERED;
    }

    /**
     * Writes a GOODBYE at {@code out}'s position, sealed if a sealer is configured: "I am leaving;
     * stop routing to me now". Send it on every open connection before closing them.
     *
     * @param comeBackAfter when monitors should try again (zero: no advice)
     */
    public void goodbye(ByteBuffer out, Frame scratch, Duration comeBackAfter) {
        long ms = comeBackAfter == null ? 0 : Math.min(Integer.MAX_VALUE, Math.max(0, comeBackAfter.toMillis()));
        scratch.goodbye(epoch, sequence.getAndIncrement(), ticker.nanoTime(), nodeId, (int) ms);
        FrameCodec.encode(scratch, out, sealer);
    }

    /**
     * What {@link #respond(ByteBuffer, ByteBuffer, Frame, int)} did with a frame. A transport
     * counts the {@code REJECTED_*} outcomes by reason ({@link #rejectedBecause()}).
     */
    public enum Outcome {
        /** A PING, answered: the PONG is in the reply buffer. */
        ANSWERED(null),
        /** A valid PONG or GOODBYE, which a responder does not answer. */
        IGNORED(null),
        /** A PING without an authentication trailer; not answered. */
        REJECTED_MISSING(AuthResult.MISSING),
        /** A PING signed with a key id the verifier does not hold; not answered. */
        REJECTED_UNKNOWN_KEY(AuthResult.UNKNOWN_KEY),
        /** A PING whose tag has the wrong length; not answered. */
        REJECTED_BAD_TAG_LENGTH(AuthResult.BAD_TAG_LENGTH),
        /** A PING whose tag does not match; not answered. */
        REJECTED_BAD_TAG(AuthResult.BAD_TAG),
        /** A PING the verifier could not check against the buffer; not answered. */
        REJECTED_MALFORMED(AuthResult.MALFORMED);

        private static final Outcome[] BY_AUTH = new Outcome[AuthResult.values().length];

        static {
            for (Outcome o : values()) {
                if (o.auth != null) {
                    BY_AUTH[o.auth.ordinal()] = o;
                }
            }
        }

        private final AuthResult auth;

        Outcome(AuthResult auth) {
            this.auth = auth;
        }

        /** The verifier's verdict behind a {@code REJECTED_*} outcome; {@code null} for the others. */
        public AuthResult rejectedBecause() {
            return auth;
        }

        static Outcome rejected(AuthResult auth) {
            Outcome o = BY_AUTH[auth.ordinal()];
            if (o == null) {
                throw new AssertionError("no outcome for " + auth);
            }
            return o;
        }
    }

    /** Validating builder. */
    public static final class Builder {
        private String nodeId = dev.heartbeat.internal.NodeIds.defaultFor("responder");
        private long epoch;
        private Ticker ticker = Ticker.system();
        private LoadProvider loadProvider;
        private Duration minInterval = Duration.ZERO;
        private ServingStatus status = ServingStatus.SERVING;
        private FrameSealer sealer;
        private FrameVerifier verifier;

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

        /**
         * Seals every PONG and GOODBYE (default: none, frames go out without a trailer). It must
         * be thread-safe; its trailer counts towards {@code respond}'s {@code maxLength}.
         */
        public Builder sealer(FrameSealer sealer) {
            this.sealer = Objects.requireNonNull(sealer, "sealer");
            return this;
        }

        /**
         * Verifies every PING before it is answered; a PING it refuses is not answered (default:
         * none, every valid PING is answered and a trailer, if any, is not checked). It must be
         * thread-safe.
         */
        public Builder verifier(FrameVerifier verifier) {
            this.verifier = Objects.requireNonNull(verifier, "verifier");
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
