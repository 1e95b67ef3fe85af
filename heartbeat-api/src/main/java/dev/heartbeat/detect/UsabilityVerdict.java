package dev.heartbeat.detect;

import dev.heartbeat.peer.Usability;
import java.util.Locale;

/**
 * One evaluation's outcome: a {@link Usability}, what caused it, and the figures behind it. A
 * <b>mutable holder</b> reused so that evaluating a heartbeat allocates nothing — the engine keeps
 * one per thread, shared by that thread's peers, since a verdict lives only from the policy's
 * evaluation to the hysteresis' {@link UsabilityHysteresis#offer offer}; the human reason is
 * formatted only when asked for ({@link #reason()}), i.e. on a transition.
 */
public final class UsabilityVerdict {

    /** What drove a verdict. */
    public enum Cause {
        /** Nothing wrong. */
        OK,
        /** The peer's own status (SERVING/DEGRADED/DRAINING/NOT_SERVING). */
        STATUS,
        /** The peer said GOODBYE. */
        GOODBYE,
        CPU, MEMORY, IN_FLIGHT, QUEUE_DEPTH, ERROR_RATE, LATENCY,
        /** RTT far above the peer's own baseline. */
        RTT,
        /** The connection stays unwritable: the peer is not reading. */
        UNWRITABLE,
        /** Too many recent PINGs got no answer (datagram loss, or a responder dropping them). */
        LOSS
    }

    private Usability usability = Usability.UNKNOWN;
    private Cause cause = Cause.OK;
    private String detail = "";
    private double value;
    private double limit;
    private boolean immediate;

    /** Sets the verdict. {@code immediate} verdicts skip hysteresis (the peer said so itself). */
    public UsabilityVerdict set(Usability usability, Cause cause, String detail, double value, double limit, boolean immediate) {
        this.usability = usability;
        this.cause = cause;
        this.detail = detail;
        this.value = value;
        this.limit = limit;
        this.immediate = immediate;
        return this;
    }

    /** Back to the state of a new holder: UNKNOWN, cause OK, no detail or figures, not immediate. */
    public UsabilityVerdict clear() {
        return set(Usability.UNKNOWN, Cause.OK, "", 0, 0, false);
    }

    public Usability usability() {
        return usability;
    }

    public Cause cause() {
        return cause;
    }

    public boolean immediate() {
        return immediate;
    }

    public double value() {
        return value;
    }

    public double limit() {
        return limit;
    }

    /** Copies another verdict into this one. */
    public void copyFrom(UsabilityVerdict o) {
        set(o.usability, o.cause, o.detail, o.value, o.limit, o.immediate);
    }

    /** The reason in words: "status DRAINING", "cpu 0.97 &gt; 0.90", "rtt 120.0 ms &gt; 10.0 ms (5.0 × baseline)". */
    public String reason() {
        switch (cause) {
            case OK:
                return detail.isEmpty() ? "healthy" : detail;
            case STATUS:
            case GOODBYE:
            case UNWRITABLE:
                return detail;
            case RTT:
                return String.format(Locale.ROOT, "rtt %.1f ms > %.1f ms (%s)", value / 1e6, limit / 1e6, detail);
            case LOSS:
                return String.format(Locale.ROOT, "%s %.0f%% >= %.0f%%", detail, value * 100, limit * 100);
            case CPU:
            case MEMORY:
            case ERROR_RATE:
                return String.format(Locale.ROOT, "%s %.2f > %.2f", detail, value, limit);
            default:
                return String.format(Locale.ROOT, "%s %.0f > %.0f", detail, value, limit);
        }
    }

    @Override
    public String toString() {
        return usability + " (" + reason() + ")";
    }
}
