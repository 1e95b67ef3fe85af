/**
 * Frame authentication with HMAC-SHA256: {@link dev.heartbeat.protocol.auth.HmacKeyRing} (several
 * keys accepted by key id, one used to sign, so keys rotate without downtime) and
 * {@link dev.heartbeat.protocol.auth.HmacSha256Authenticator}, which is both the
 * {@link dev.heartbeat.protocol.FrameSealer} and the {@link dev.heartbeat.protocol.FrameVerifier}
 * that the engines call. JDK only (SHA-256 from {@code java.security}). The wire format of the trailer is in
 * {@code docs/protocol.md}, "Authentication trailer".
 */
package dev.heartbeat.protocol.auth;
