package dev.heartbeat.bench.quality;

import dev.heartbeat.testing.InMemoryNetwork;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The trace families: seeded models of a path and of the two processes at its ends. Each gives
 * a {@link InMemoryNetwork.PathModel} (one-way delay or loss, message by message), the peer's own
 * stalls (stop-the-world pauses: PINGs queue unanswered) and the monitor's stalls (nothing of the
 * monitor runs; what arrived meanwhile is read after it). Absolute network properties, the same at
 * every interval: a detector must find the right timeout for each.
 */
public enum Family {
    /** Loopback/LAN: 0.1 ms one way, tiny jitter, one answer in 2,000 held up 1–5 ms by scheduling. */
    QUIET_LAN("quiet LAN"),
    /** WAN: 20 ms one way plus exponential jitter (mean 5 ms, heavier one in 100: +0..40 ms), 0.5% loss each way (≈1% per round trip). */
    JITTERY_WAN("jittery WAN, 1% loss"),
    /** The peer's GC: stop-the-world stalls every 20 s on average, Pareto lengths from 100 ms (α 2.2, capped at 3 s). */
    GC_STALLS("GC-like peer stalls"),
    /** Gilbert–Elliott loss: good 0.2% loss, bad 90%; good→bad 1.2%, bad→good 20% per message (≈5% loss, bursts of ~5). */
    BURSTY_LOSS("bursty loss (Gilbert–Elliott ≈5%)"),
    /** The path's delay drifts between 5 and 85 ms one way over a 20-minute cycle (the arrival rate drifts about the ping rate), 0.1% loss. */
    DRIFT("slow drift"),
    /** A quiet LAN, but the <em>monitor</em> stalls every 30 s on average, Pareto lengths from 50 ms (α 1.8, capped at 2 s). */
    MONITOR_STALLS("monitor's own stalls");

    /** The drift family's cycle: its path delay repeats every 20 minutes, the slowest rhythm of any family. */
    static final long DRIFT_CYCLE_NANOS = 1_200_000_000_000L;

    private final String title;

    Family(String title) {
        this.title = title;
    }

    public String title() {
        return title;
    }

    /** One stall: [start, start + length). */
    public record Stall(long start, long length) {
        long end() {
            return start + length;
        }
    }

    /** A seeded realisation of this family over {@code durationNanos}. */
    public Scenario scenario(long seed, long durationNanos) {
        return new Scenario(this, seed, durationNanos);
    }

    /** One realisation: the path's per-message model and the stall schedules. */
    public static final class Scenario {
        final Family family;
        final List<Stall> peerStalls = new ArrayList<>();
        final List<Stall> monitorStalls = new ArrayList<>();
        private final SplittableRandom random;
        private boolean bad;

        Scenario(Family family, long seed, long duration) {
            this.family = family;
            this.random = new SplittableRandom(seed);
            SplittableRandom stalls = new SplittableRandom(seed ^ 0x5DEECE66DL);
            if (family == GC_STALLS) {
                schedule(stalls, peerStalls, duration, 20e9, 100e6, 2.2, 3e9);
            } else if (family == MONITOR_STALLS) {
                schedule(stalls, monitorStalls, duration, 30e9, 50e6, 1.8, 2e9);
            }
        }

        private static void schedule(SplittableRandom r, List<Stall> out, long duration, double meanGap, double xm,
                                     double alpha, double cap) {
            double t = 60e9 * r.nextDouble();
            while (t < duration) {
                double len = Math.min(cap, xm * Math.pow(1 - r.nextDouble(), -1 / alpha));
                out.add(new Stall((long) t, (long) len));
                t += len - meanGap * Math.log(1 - r.nextDouble());
            }
        }

        private double exp(double mean) {
            return -mean * Math.log(1 - random.nextDouble());
        }

        /** One-way delay of a message sent at {@code now} (relative to the start), or -1 when lost. */
        public long delay(long now, boolean toResponder) {
            switch (family) {
                case QUIET_LAN:
                case GC_STALLS:
                case MONITOR_STALLS: {
                    double d = 100e3 + exp(10e3);
                    if (random.nextInt(2_000) == 0) {
                        d += 1e6 + 4e6 * random.nextDouble();
                    }
                    return (long) d;
                }
                case JITTERY_WAN: {
                    if (random.nextDouble() < 0.005) {
                        return -1;
                    }
                    double d = 20e6 + exp(5e6);
                    if (random.nextInt(100) == 0) {
                        d += 40e6 * random.nextDouble();
                    }
                    return (long) d;
                }
                case BURSTY_LOSS: {
                    bad = bad ? random.nextDouble() >= 0.20 : random.nextDouble() < 0.012;
                    if (random.nextDouble() < (bad ? 0.9 : 0.002)) {
                        return -1;
                    }
                    return (long) (1e6 + exp(200e3));
                }
                case DRIFT: {
                    if (random.nextDouble() < 0.0005) {
                        return -1;
                    }
                    double phase = 2 * Math.PI * now / DRIFT_CYCLE_NANOS;
                    return (long) (5e6 + 80e6 * (1 - Math.cos(phase)) / 2 + exp(1e6));
                }
                default:
                    throw new IllegalStateException(family.name());
            }
        }

        /** The same model as a path for the in-memory network, with time measured from {@code origin}. */
        InMemoryNetwork.PathModel path(long origin) {
            return (now, toResponder) -> delay(now - origin, toResponder);
        }
    }
}
