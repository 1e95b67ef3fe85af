package dev.heartbeat.failover;

import dev.heartbeat.detect.Ticker;
import dev.heartbeat.engine.PeerObserver;
import dev.heartbeat.peer.Peer;
import dev.heartbeat.protocol.LoadView;
import dev.heartbeat.protocol.ServingStatus;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers when each peer's last PONG (and so its last load report and RTT) arrived, so a
 * {@link FailoverRouter} can ignore reports older than its staleness bound, and keeps a robust
 * RTT per peer (the median of the last few). A {@link PeerObserver}:
 * give it to the monitor's builder, and the same instance to the router's.
 *
 * <pre>{@code
 * LoadSamples samples = LoadSamples.create();
 * HeartbeatMonitor monitor = HeartbeatMonitor.builder(tcp).observer(samples).build();
 * FailoverRouter<MyClient> router = FailoverRouter.builder(monitor, clients).samples(samples).build();
 * }</pre>
 *
 * <p>Why an observer: {@link Peer} says what the last report was, not when it came. Cheap on the
 * peer's thread: one map lookup, a sort of five numbers and two volatile writes per PONG, no
 * allocation after a peer's first.
 * Thread-safe. Must share its ticker with the router.
 */
public final class LoadSamples implements PeerObserver {

    private final Ticker ticker;
    private final ConcurrentHashMap<Peer, Stamp> stamps = new ConcurrentHashMap<>();

    /** RTT samples the median is taken over. */
    static final int RTT_WINDOW = 5;

    private static final class Stamp {
        volatile long lastPongNanos;
        volatile long medianRttNanos = -1;
        // written on the peer's own thread only (observers are called there)
        final long[] rtts = new long[RTT_WINDOW];
        final long[] scratch = new long[RTT_WINDOW];
        int count;
        int next;

        void rtt(long rttNanos) {
            rtts[next] = rttNanos;
            next = (next + 1) % RTT_WINDOW;
            if (count < RTT_WINDOW) {
                count++;
            }
            System.arraycopy(rtts, 0, scratch, 0, count);
            for (int i = 1; i < count; i++) { // insertion sort of at most five values
                long v = scratch[i];
                int j = i - 1;
                while (j >= 0 && scratch[j] > v) {
                    scratch[j + 1] = scratch[j];
                    j--;
                }
                scratch[j + 1] = v;
            }
            medianRttNanos = scratch[count / 2];
        }
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
    public void onPongMatched(Peer peer, long rttNanos, ServingStatus status, LoadView load) {
        Stamp s = stamps.get(peer);
        if (s == null) {
            s = stamps.computeIfAbsent(peer, p -> new Stamp());
        }
        s.lastPongNanos = ticker.nanoTime();
        if (rttNanos > 0) {
            s.rtt(rttNanos);
        }
    }

    /**
     * The median of the peer's last {@value #RTT_WINDOW} RTT samples in nanoseconds, or -1 when
     * none was measured. A median, not an average: one noisy sample can't swing the router's
     * choice, and the huge RTTs of PINGs that queued up while a peer was frozen are forgotten
     * three samples after it resumes (an average with TCP's gain of 1/8 would take seconds).
     */
    public long rttNanos(Peer peer) {
        Stamp s = stamps.get(peer);
        return s == null ? -1 : s.medianRttNanos;
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
