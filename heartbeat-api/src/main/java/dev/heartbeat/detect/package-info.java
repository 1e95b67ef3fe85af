/**
 * Detection: the injectable {@link dev.heartbeat.detect.Ticker}, the liveness detectors
 * ({@link dev.heartbeat.detect.AdaptiveDetector}, the default: a mistake budget turned into a timeout
 * from the silences a peer survived; {@link dev.heartbeat.detect.PhiAccrualDetector};
 * {@link dev.heartbeat.detect.DeadlineDetector}),
 * usability evaluation ({@link dev.heartbeat.detect.UsabilityPolicy} with its
 * {@link dev.heartbeat.detect.UsabilityHysteresis}) and the observer's own-pause check
 * ({@link dev.heartbeat.detect.LocalPauseDetector}).
 *
 * <p>Everything here computes; nothing here acts. Detectors are not thread-safe: each belongs to
 * one peer and is driven from that peer's thread.
 */
package dev.heartbeat.detect;
