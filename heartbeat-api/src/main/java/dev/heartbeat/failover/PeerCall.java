package dev.heartbeat.failover;

/**
 * One attempt of a call, made with the client of the peer the router chose. It may be run more
 * than once (on different peers) when the call is idempotent.
 *
 * @param <C> the per-peer client type
 * @param <R> the result type
 * @param <X> the checked exception the call may throw (inferred from the lambda)
 */
@FunctionalInterface
public interface PeerCall<C, R, X extends Exception> {

    /** Makes the call with {@code client}, the chosen peer's client. */
    R call(C client) throws X;
}
