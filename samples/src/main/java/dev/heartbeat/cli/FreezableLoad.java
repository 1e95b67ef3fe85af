package dev.heartbeat.cli;

import dev.heartbeat.engine.LoadProvider;
import dev.heartbeat.protocol.LoadReport;
import java.util.Objects;

/**
 * A {@link LoadProvider} that can be frozen: while frozen, every call blocks, so every transport
 * thread that answers a PING stops there — the serving threads are stuck while the process and
 * its kernel stay up. This is {@code serve}'s stand-in for SIGSTOP where signals are not
 * available, and it is a faithful model of the real failure: an event loop blocked on a lock or
 * an exhausted pool (exactly what a responder must never do, done on purpose).
 *
 * <p>Thread-safe.
 */
final class FreezableLoad implements LoadProvider {

    private final LoadProvider delegate;
    private final Object lock = new Object();
    private volatile boolean frozen;

    FreezableLoad(LoadProvider delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** Blocks every later {@link #load()} until {@link #thaw()}. */
    void freeze() {
        synchronized (lock) {
            frozen = true;
        }
    }

    /** Releases every blocked thread. */
    void thaw() {
        synchronized (lock) {
            frozen = false;
            lock.notifyAll();
        }
    }

    boolean frozen() {
        return frozen;
    }

    @Override
    public LoadReport load() {
        if (!frozen) { // the usual path: one volatile read, no lock
            return delegate.load();
        }
        synchronized (lock) {
            while (frozen) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        return delegate.load();
    }
}
