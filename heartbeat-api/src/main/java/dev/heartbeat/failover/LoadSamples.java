package dev.heartbeat.failover;

import dev.heartbeat.detect.Ticker;
import dev.heartbeat.engine.PeerObserver;
import dev.heartbeat.peer.Peer;
import dev.heartbeat.protocol.LoadReport;
import dev.heartbeat.protocol.ServingStatus;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers when each peer's last PONG (and so its last load report and RTT) arrived, so a
 * {@link FailoverRouter} can ignore reports older than its staleness bound, and keeps a smoothed
 * RTT per peer. A {@link PeerObserver}:
 * give it to the monitor's builder, and the same instance to the router's.
 *
 * <pre>{@code
 * LoadSamples samples = LoadSamples.create();
 * HeartbeatMonitor monitor = HeartbeatMonitor.builder(tcp).observer(samples).build();
 * FailoverRouter<MyClient> router = FailoverRouter.builder(monitor, clients).samples(samples).build();
 * }</pre>
 *
 * <p>Why an observer: {@link Peer} says what the last report was, not when it came. Cheap on the
 * peer's thread: one map lookup and a volatile write per PONG, no allocation after a peer's first.
 * Thread-safe. Must share its ticker with the router.
 */
public final class LoadSamples implements PeerObserver {

    private final Ticker ticker;
    private final ConcurrentHashMap<Peer, Stamp> stamps = new ConcurrentHashMap<>();

    /** Weight of a new RTT sample in the smoothed RTT (as TCP's SRTT, RFC 6298: 1/8). */
    static final double RTT_GAIN = 0.125;

    private static final class Stamp {
        volatile long lastPongNanos;
        volatile double smoothedRttNanos = -1; // written on the peer's thread only
    }

    private LoadSamples(Ticker ticker) {
        this.ticker = ticker;
    }

    /** On the system ticker. */
    public static LoadSamples create() {
        return new LoadSamples(Ticker.system());
    }

    /** On {@code ticker} (the same as the router's; virtual in tests). */
    public static LoadSamples create(Ticker ticker) {
        return new LoadSamples(Objects.requireNonNull(ticker, "ticker"));
    }

    /** The ticker the stamps are taken on. */
    public Ticker ticker() {
        return ticker;
    }

    @Override
    public void onPongMatched(Peer peer, long rttNanos, ServingStatus status, LoadReport load) {
        Stamp s = stamps.get(peer);
        if (s == null) {
            s = stamps.computeIfAbsent(peer, p -> new Stamp());
        }
        s.lastPongNanos = ticker.nanoTime();
        if (rttNanos > 0) {
            double prev = s.smoothedRttNanos;
            s.smoothedRttNanos = prev < 0 ? rttNanos : prev + RTT_GAIN * (rttNanos - prev);
        }
    }

    /**
     * The peer's smoothed RTT in nanoseconds (an exponentially weighted average, gain 1/8 as TCP's
     * SRTT), or -1 when none was measured: one noisy sample can't swing the router's choice.
     */
    public double smoothedRttNanos(Peer peer) {
        Stamp s = stamps.get(peer);
        return s == null ? -1 : s.smoothedRttNanos;
    }

    /**
     * How long ago the last PONG of {@code peer} arrived, measured at {@code nowNanos} on this
     * ticker, or -1 when none did.
     */
    public long ageNanos(Peer peer, long nowNanos) {
        Stamp s = stamps.get(peer);
        return s == null ? -1 : Math.max(0, nowNanos - s.lastPongNanos);
    }

    /** Forgets a removed peer (the router calls this on REMOVED). */
    public void forget(Peer peer) {
        stamps.remove(peer);
    }

    /** Peers remembered (for tests and leak checks). */
    public int size() {
        return stamps.size();
    }
}
