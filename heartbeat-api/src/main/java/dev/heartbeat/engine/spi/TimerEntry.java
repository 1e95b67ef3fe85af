package dev.heartbeat.engine.spi;

/**
 * A timer that is part of the object it runs: the fields a scheduler needs to arm it (its
 * deadline, and its place in a {@link TimerQueue}) live in the subclass's own object, so an object
 * with one timer for its life — a peer — needs no timer object and no reference to one. Armed and
 * cancelled through {@link SerialScheduler#arm(TimerEntry, long)} and
 * {@link SerialScheduler#cancel(TimerEntry)}, on that scheduler's thread; {@link #run()} is
 * called there when the entry falls due, once per arm.
 *
 * <p>Fields only, to save object headers: the subclass inherits two fields (12 bytes) and
 * nothing else. Where a {@link Timer} of its own would cost an object (32 bytes with a
 * {@link TimerQueue}) and a reference to it, this costs the two fields.
 *
 * <p>An entry is armed on one scheduler for its life (the fields say where it is queued, not on
 * which queue). Not thread-safe: confined to that scheduler's thread.
 */
public abstract class TimerEntry implements Runnable {

    /** {@link #index} of an entry that is not armed. */
    static final int IDLE = -1;
    /** {@link #index} of an entry armed through {@link SerialScheduler#schedule} (the default path). */
    static final int SCHEDULED = -2;

    /** When the entry falls due, in the scheduler's ticker time; meaningful only while armed. */
    long deadline;
    /** Its slot in a {@link TimerQueue}'s heap (0 or more), {@link #SCHEDULED}, or {@link #IDLE}. */
    int index = IDLE;

    protected TimerEntry() {
    }

    /** The entry fell due: called once per arm, on the scheduler's thread. */
    @Override
    public abstract void run();

    /**
     * The default path of {@link SerialScheduler#arm(TimerEntry, long)}: schedules a task of
     * {@code s} per arm, which runs the entry only when this arm is still the entry's latest (a
     * task left behind by a re-arm or a cancel finds another deadline, or none, and does nothing).
     * A superseded task stays queued in {@code s} until its own time, since the entry keeps no
     * handle to cancel it (that handle would cost every entry a field).
     */
    final void armScheduled(SerialScheduler s, long delayNanos) {
        long delay = Math.max(0, delayNanos);
        long at = s.ticker().nanoTime() + delay;
        deadline = at;
        index = SCHEDULED;
        s.schedule(() -> fireScheduled(at), delay);
    }

    private void fireScheduled(long at) {
        if (index == SCHEDULED && deadline == at) {
            index = IDLE;
            run();
        }
    }

    /** The default path of {@link SerialScheduler#cancel(TimerEntry)}. */
    final void cancelScheduled() {
        if (index == SCHEDULED) {
            index = IDLE;
        }
    }
}
