package dev.heartbeat.cli;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /metrics} for {@code serve} and {@code monitor} ({@code --metrics-port}): a Micrometer
 * {@link PrometheusMeterRegistry} served by the Prometheus client's {@link HTTPServer} (the JDK's
 * HTTP server underneath, on daemon threads). The JVM's own meters — memory, garbage collection,
 * threads, class loading, CPU, uptime, open files — are bound from the start; a command adds its
 * own with {@link #bind}.
 *
 * <p>Besides {@code /metrics} the server answers {@code /-/healthy} and a small index page at
 * {@code /}. It binds one address only ({@code --metrics-host}, 127.0.0.1 by default).
 *
 * <p>Thread-safe. {@link #close()} stops the server, then unbinds and closes everything bound.
 */
final class MetricsEndpoint implements AutoCloseable {

    /** The path Prometheus scrapes. */
    static final String PATH = "/metrics";

    private final PrometheusMeterRegistry registry;
    private final List<AutoCloseable> owned = new ArrayList<>();
    private final HTTPServer server;
    private final String url;
    private final boolean loopbackOnly;
    private boolean closed;

    private MetricsEndpoint(InetAddress address, int port) throws IOException {
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try {
            bind(new JvmMemoryMetrics());
            bind(new JvmGcMetrics());
            bind(new JvmThreadMetrics());
            bind(new ClassLoaderMetrics());
            bind(new JvmInfoMetrics());
            bind(new ProcessorMetrics());
            bind(new UptimeMetrics());
            bind(new FileDescriptorMetrics());
            server = HTTPServer.builder()
                    .inetAddress(address)
                    .port(port)
                    .registry(registry.getPrometheusRegistry())
                    .metricsHandlerPath(PATH)
                    .buildAndStart();
        } catch (IOException | RuntimeException e) {
            closeBound();
            throw e;
        }
        String host = address instanceof Inet6Address ? "[" + address.getHostAddress() + "]" : address.getHostAddress();
        url = "http://" + host + ":" + server.getPort() + PATH;
        loopbackOnly = address.isLoopbackAddress();
    }

    /**
     * Binds {@code address:port} (port 0: any free port) and serves the JVM's meters there.
     *
     * @throws IOException when the address cannot be bound (in use, not an address of this machine)
     */
    static MetricsEndpoint start(InetAddress address, int port) throws IOException {
        return new MetricsEndpoint(address, port);
    }

    /**
     * Binds {@code binder}'s meters to this endpoint's registry; one that is {@link AutoCloseable}
     * (it unsubscribes, or removes its meters) is closed by {@link #close()}.
     */
    synchronized void bind(MeterBinder binder) {
        if (closed) {
            throw new IllegalStateException("metrics endpoint " + url + " is closed");
        }
        binder.bindTo(registry);
        if (binder instanceof AutoCloseable) {
            owned.add((AutoCloseable) binder);
        }
    }

    /** The registry (for tests and for meters of the command's own). */
    MeterRegistry registry() {
        return registry;
    }

    /** The bound port (the real one when 0 was asked for). */
    int port() {
        return server.getPort();
    }

    /** Where to scrape: {@code http://127.0.0.1:PORT/metrics}. */
    String url() {
        return url;
    }

    /** True when it listens on a loopback address only (not a wildcard, not an interface of the network). */
    boolean loopbackOnly() {
        return loopbackOnly;
    }

    /** Stops serving, then closes every binder it owns and the registry. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.close();
        closeBound();
    }

    private void closeBound() {
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.get(i).close();
            } catch (Exception e) {
                // a binder that fails to unsubscribe changes nothing for a process on its way out
            }
        }
        owned.clear();
        registry.close();
    }
}
