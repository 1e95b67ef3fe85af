package dev.heartbeat.engine.spi;

import java.util.Arrays;
import java.util.Objects;

/**
 * Timers of one scheduler thread in one binary min-heap, for transports: arming, re-arming and
 * cancelling an entry or a timer allocate nothing (it keeps its heap index), and the underlying
 * scheduler is woken by one task for the earliest deadline, at most once per
 * {@link #RESOLUTION_NANOS} — so at ten thousand peers, a thousand wake-ups a second carry all
 * of their PINGs and evaluations instead of one scheduled task (and often a cancelled one) per
 * heartbeat. The price is that a timer may run up to {@link #RESOLUTION_NANOS} late, far below
 * the own-pause threshold (100 ms by default) and the probe spacing (1 ms at least).
 *
 * <p>It queues {@link TimerEntry entries}: a peer is its own entry ({@link #arm(TimerEntry, long)},
 * no timer object), and a {@link #newTimer timer} is an entry that runs its task.
 *
 * <p>Not thread-safe: every method is called on the scheduler's thread (the one where the peers
 * live). A transport keeps one queue per event loop and arms entries on it from
 * {@link SerialScheduler#arm(TimerEntry, long)} (and returns its timers from
 * {@link SerialScheduler#newTimer}).
 */
public final class TimerQueue {

    /** Shortest spacing of the queue's wake-ups, ns. */
    public static final long RESOLUTION_NANOS = 1_000_000;

    private final SerialScheduler base;
    private final Runnable wake = this::wake;
    private TimerEntry[] heap = new TimerEntry[64];
    private int size;
    /** When the pending wake-up runs, or Long.MAX_VALUE when none is pending. */
    private long wakeAt = Long.MAX_VALUE;
    private Cancellable pendingWake;
    private long lastWake;
    private boolean running;

    /** A queue whose wake-ups are tasks of {@code base} (its thread is the timers' thread). */
    public TimerQueue(SerialScheduler base) {
        this.base = Objects.requireNonNull(base, "base");
        this.lastWake = base.ticker().nanoTime() - RESOLUTION_NANOS;
    }

    /** A new, unarmed timer of this queue for {@code task}. */
    public Timer newTimer(Runnable task) {
        return new QueuedTimer(Objects.requireNonNull(task, "task"));
    }

    /** Entries (and timers) armed now. */
    public int armed() {
        return size;
    }

    /**
     * Runs {@code entry} once, {@code delayNanos} from now (0 or less: soon), replacing any pending
     * deadline of it; allocates nothing. The entry is armed on this queue only, for its life.
     */
    public void arm(TimerEntry entry, long delayNanos) {
        entry.deadline = base.ticker().nanoTime() + Math.max(0, delayNanos);
        if (entry.index < 0) {
            add(entry);
        } else {
            update(entry);
        }
        ensureWake();
    }

    /** Cancels {@code entry}'s pending run, if any; idempotent. It may be armed again. */
    public void cancel(TimerEntry entry) {
        if (entry.index >= 0) {
            remove(entry);
        }
    }

    /** A timer of this queue: an entry that runs its task. */
    private final class QueuedTimer extends TimerEntry implements Timer {
        final Runnable task;

        QueuedTimer(Runnable task) {
            this.task = task;
        }

        @Override
        public void run() {
            task.run();
        }

        @Override
        public void arm(long delayNanos) {
            TimerQueue.this.arm(this, delayNanos);
        }

        @Override
        public void cancel() {
            TimerQueue.this.cancel(this);
        }
    }

    /** Runs every timer due now, then asks to be woken for the next one. */
    private void wake() {
        pendingWake = null;
        wakeAt = Long.MAX_VALUE;
        long now = base.ticker().nanoTime();
        lastWake = now;
        running = true;
        try {
            // Timers armed while these run for "now or earlier" wait for the next wake-up, so a
            // timer re-armed with delay 0 cannot keep this loop going.
            for (int n = size; n > 0 && size > 0 && heap[0].deadline - now <= 0; n--) {
                TimerEntry t = heap[0];
                remove(t);
                try {
                    t.run();
                } catch (RuntimeException e) {
                    Thread th = Thread.currentThread();
                    th.getUncaughtExceptionHandler().uncaughtException(th, e);
                }
            }
        } finally {
            running = false;
        }
        ensureWake();
    }

    /** Keeps one wake-up pending for the earliest deadline (no earlier than one resolution after the last). */
    private void ensureWake() {
        if (running) {
            return;
        }
        if (size == 0) {
            if (pendingWake != null) {
                pendingWake.cancel();
                pendingWake = null;
                wakeAt = Long.MAX_VALUE;
            }
            return;
        }
        long at = heap[0].deadline;
        long earliest = lastWake + RESOLUTION_NANOS;
        if (at - earliest < 0) {
            at = earliest;
        }
        if (pendingWake != null) {
            if (wakeAt - at <= 0) {
                return; // the pending wake-up comes first (or on time): it will re-arm for the rest
            }
            pendingWake.cancel();
        }
        wakeAt = at;
        pendingWake = base.schedule(wake, at - base.ticker().nanoTime());
    }

    // --- the heap, ordered by deadline (differences, since ticker values may be negative) ------

    private void add(TimerEntry t) {
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        t.index = size;
        heap[size++] = t;
        up(t.index);
    }

    private void update(TimerEntry t) {
        int i = t.index;
        up(i);
        down(t.index);
    }

    private void remove(TimerEntry t) {
        int i = t.index;
        t.index = TimerEntry.IDLE;
        TimerEntry last = heap[--size];
        heap[size] = null;
        if (i < size) {
            heap[i] = last;
            last.index = i;
            up(i);
            down(last.index);
        }
    }

    private void up(int i) {
        TimerEntry t = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            TimerEntry p = heap[parent];
            if (p.deadline - t.deadline <= 0) {
                break;
            }
            heap[i] = p;
            p.index = i;
            i = parent;
        }
        heap[i] = t;
        t.index = i;
    }

    private void down(int i) {
        TimerEntry t = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int c = 2 * i + 1;
            int r = c + 1;
            if (r < size && heap[r].deadline - heap[c].deadline < 0) {
                c = r;
            }
            if (t.deadline - heap[c].deadline <= 0) {
                break;
            }
            heap[i] = heap[c];
            heap[i].index = i;
            i = c;
        }
        heap[i] = t;
        t.index = i;
    }

    /** A timer that schedules a new task of {@code s} per arm: the default of {@link SerialScheduler#newTimer}. */
    static Timer scheduled(SerialScheduler s, Runnable task) {
        return new ScheduledTimer(s, Objects.requireNonNull(task, "task"));
    }

    private static final class ScheduledTimer implements Timer, Runnable {
        private final SerialScheduler scheduler;
        private final Runnable task;
        private Cancellable pending;

        ScheduledTimer(SerialScheduler scheduler, Runnable task) {
            this.scheduler = scheduler;
            this.task = task;
        }

        @Override
        public void run() {
            pending = null;
            task.run();
        }

        @Override
        public void arm(long delayNanos) {
            cancel();
            pending = scheduler.schedule(this, delayNanos);
        }

        @Override
        public void cancel() {
            if (pending != null) {
                pending.cancel();
                pending = null;
            }
        }
    }
}
