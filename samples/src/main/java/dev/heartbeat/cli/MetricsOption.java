package dev.heartbeat.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code --metrics-port PORT} and {@code --metrics-host HOST}, shared by {@code serve} and
 * {@code monitor} (a picocli mixin): serve {@code /metrics} in the Prometheus text format
 * ({@link MetricsEndpoint}). Off unless {@code --metrics-port} is given.
 */
final class MetricsOption {

    static final String DEFAULT_HOST = "127.0.0.1";

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--metrics-port", paramLabel = "PORT", converter = PortConverter.class,
            description = "Serve /metrics (Prometheus text format) on this port, 0..65535 (0: any free port; "
                    + "the 'metrics on http://...' line on stderr says which). Default: no metrics.")
    Integer port;

    @Option(names = "--metrics-host", paramLabel = "HOST", defaultValue = DEFAULT_HOST,
            description = "Address /metrics listens on (default: ${DEFAULT-VALUE}; 0.0.0.0 for every interface). "
                    + "Only with --metrics-port.")
    String host;

    /** Resolves {@code --metrics-host}; {@code serve} hands over its own (tests replace it: no lookup leaves the machine). */
    ServeCommand.HostResolver resolver = InetAddress::getByName;

    /** True when {@code --metrics-port} was given. */
    boolean enabled() {
        return port != null;
    }

    /**
     * Checks the pair of flags before anything starts.
     *
     * @throws ParameterException for {@code --metrics-host} without {@code --metrics-port}, or a blank host
     */
    void validate() {
        boolean hostGiven = mixee.commandLine().getParseResult() != null
                && mixee.commandLine().getParseResult().hasMatchedOption("--metrics-host");
        if (hostGiven && port == null) {
            throw new ParameterException(mixee.commandLine(), "Invalid value for option '--metrics-host': " + host
                    + " (expected: only with --metrics-port PORT, which turns /metrics on)");
        }
        if (host == null || host.isBlank()) {
            throw new ParameterException(mixee.commandLine(), "Invalid value for option '--metrics-host': '"
                    + (host == null ? "" : host) + "' (expected: an address or a name of this machine, e.g. "
                    + DEFAULT_HOST + ", 0.0.0.0 or ::1)");
        }
    }

    /** "127.0.0.1:9464", as the user gave it, for messages. */
    String given() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /**
     * Starts the endpoint, or returns {@code null} when {@code --metrics-port} was not given.
     *
     * @throws CannotServe when the host does not resolve or the address cannot be bound (exit 2)
     */
    MetricsEndpoint start() throws CannotServe {
        if (!enabled()) {
            return null;
        }
        validate();
        InetAddress address;
        try {
            address = resolver.resolve(host.trim());
        } catch (UnknownHostException e) {
            throw new CannotServe("cannot serve metrics on " + given() + ": unknown host '" + host
                    + "' (expected: an address or a name of this machine, e.g. " + DEFAULT_HOST + ", 0.0.0.0 or ::1)");
        }
        try {
            return MetricsEndpoint.start(address, port);
        } catch (IOException | RuntimeException e) {
            throw new CannotServe("cannot serve metrics on " + given() + ": " + HeartbeatCli.describe(e));
        }
    }

    /**
     * The line a command prints on stderr once the endpoint is up: where to scrape, and a word of
     * caution when that is not loopback only (the series name every peer, its state and its load).
     */
    static String announce(MetricsEndpoint endpoint) {
        return "metrics on " + endpoint.url() + (endpoint.loopbackOnly() ? ""
                : " (not loopback only: whoever reaches this address can read every peer's state and load)");
    }

    /** The metrics address could not be had: the command exits 2, like {@code serve} for its own port. */
    static final class CannotServe extends Exception {
        private static final long serialVersionUID = 1L;

        CannotServe(String message) {
            super(message);
        }
    }
}
