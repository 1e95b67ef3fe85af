package dev.heartbeat.engine;

import dev.heartbeat.protocol.LoadReport;

/**
 * Supplies the load report a responder puts in its PONGs. Called on transport threads, possibly
 * concurrently, once per PING: implementations must be thread-safe, must not block, and should
 * return a cached report that they refresh now and then rather than build one per call.
 */
@FunctionalInterface
public interface LoadProvider {

    /** The current load. */
    LoadReport load();

    /** A provider that reports nothing ({@link LoadReport#UNKNOWN}). */
    static LoadProvider none() {
        return () -> LoadReport.UNKNOWN;
    }
}
