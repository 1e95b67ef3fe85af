/**
 * The {@code heartbeat} command-line tool: {@code serve} (a responder), {@code probe} (one
 * verdict, as an exit code, for shells and Kubernetes exec probes), {@code monitor} (a live table
 * or a JSON-lines event stream) and {@code demo} (three responders in child JVMs, faults injected,
 * detections timed beside what kernel keepalive saw). Entry point: {@link dev.heartbeat.cli.HeartbeatCli}.
 *
 * <p>{@code serve}, {@code probe} and {@code monitor} authenticate their heartbeats with
 * {@code --key-file} ({@link dev.heartbeat.cli.KeyFileOption}); {@code serve} and {@code monitor}
 * serve Prometheus metrics with {@code --metrics-port} ({@link dev.heartbeat.cli.MetricsEndpoint}).
 *
 * <p>Output formats, flags and exit codes are documented in {@code docs/cli.md}; the JSON formats
 * there are versioned ({@code "v":1}) and only grow compatibly.
 */
package dev.heartbeat.cli;
