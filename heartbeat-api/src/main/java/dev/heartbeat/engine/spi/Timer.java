package dev.heartbeat.engine.spi;

/**
 * One task's timer, re-armed as often as needed: a peer keeps one, for its PINGs and the
 * evaluations between them, instead of scheduling (and cancelling) a new task every heartbeat. Made by
 * {@link SerialScheduler#newTimer}; used only on that scheduler's thread.
 */
public interface Timer {

    /**
     * Runs the task once, {@code delayNanos} from now (0 or less: soon), replacing any pending
     * deadline of this timer.
     */
    void arm(long delayNanos);

    /** Cancels the pending run, if any; idempotent. The timer may be armed again. */
    void cancel();
}
