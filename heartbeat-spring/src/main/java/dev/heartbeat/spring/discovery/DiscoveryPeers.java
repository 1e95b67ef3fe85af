package dev.heartbeat.spring.discovery;

import dev.heartbeat.engine.HeartbeatMonitor;
import dev.heartbeat.peer.PeerAttributes;
import dev.heartbeat.peer.PeerSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.cloud.client.discovery.event.HeartbeatEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;

/**
 * Keeps the monitor's peers equal to the listed peers plus the instances a Spring Cloud
 * {@link DiscoveryClient} knows: every refresh interval (and at once when the discovery client
 * announces a change with its {@link HeartbeatEvent}) it reads the instances and calls
 * {@link HeartbeatMonitor#reconcile}: new instances are added, gone ones removed, moved ones
 * replaced; unchanged peers keep running untouched. Everything that follows peer events (health
 * entries, meters, breakers, the router) follows along.
 *
 * <p>An instance is a peer when its metadata holds the heartbeat port (key
 * {@code heartbeat-port} by default). Its name is its instance id, or
 * {@code serviceId@host:port} when it has none; its heartbeat address is its host and that port,
 * over the transport its metadata names ({@code heartbeat-transport}) or the default; its data
 * address is its host and service port, its zone the metadata's {@code zone}. A listed peer wins
 * over a discovered one of the same name. An instance the library refuses (a bad port, too much
 * metadata) is logged and left out; a failing discovery client leaves the peers as they were.
 *
 * <p>Reads run on one daemon thread, {@code heartbeat-discovery}, never on a heartbeat thread.
 */
public class DiscoveryPeers implements SmartLifecycle, ApplicationListener<HeartbeatEvent> {

    private static final Logger log = LoggerFactory.getLogger(DiscoveryPeers.class);
    private static final int MAX_METADATA = PeerAttributes.MAX_METADATA_ENTRIES;

    private final DiscoveryClient discovery;
    private final HeartbeatMonitor monitor;
    private final List<PeerSpec> listed;
    private final List<String> services;
    private final String ownService;
    private final String portKey;
    private final String transportKey;
    private final String defaultScheme;
    private final dev.heartbeat.spring.support.PeriodicTask periodic;
    private volatile long refreshes;

    /**
     * @param discovery where instances come from
     * @param monitor whose peers to reconcile
     * @param listed the peers listed in the configuration (always kept)
     * @param services the services whose instances are peers; empty for every service but {@code ownService}
     * @param ownService this application's service id (spring.application.name), or null
     * @param portKey the metadata key of the heartbeat port
     * @param transportKey the metadata key of the heartbeat transport
     * @param defaultScheme the transport of instances that name none
     * @param refreshInterval how often to read the instances
     */
    public DiscoveryPeers(DiscoveryClient discovery, HeartbeatMonitor monitor, List<PeerSpec> listed,
                          List<String> services, String ownService, String portKey, String transportKey,
                          String defaultScheme, Duration refreshInterval) {
        this.discovery = Objects.requireNonNull(discovery, "discovery");
        this.monitor = Objects.requireNonNull(monitor, "monitor");
        this.listed = List.copyOf(listed);
        this.services = List.copyOf(services);
        this.ownService = ownService;
        this.portKey = Objects.requireNonNull(portKey, "portKey");
        this.transportKey = Objects.requireNonNull(transportKey, "transportKey");
        this.defaultScheme = Objects.requireNonNull(defaultScheme, "defaultScheme");
        this.periodic = new dev.heartbeat.spring.support.PeriodicTask("heartbeat-discovery",
                Objects.requireNonNull(refreshInterval, "refreshInterval"), this::refreshQuietly);
    }

    @Override
    public void start() {
        periodic.start();
    }

    @Override
    public void stop() {
        periodic.stop();
    }

    @Override
    public boolean isRunning() {
        return periodic.isRunning();
    }

    /** The discovery client saw a change: read the instances now (on the discovery thread). */
    @Override
    public void onApplicationEvent(HeartbeatEvent event) {
        periodic.runSoon();
    }

    /** Completed refreshes so far. */
    public long refreshes() {
        return refreshes;
    }

    /**
     * Reads the instances and reconciles the monitor's peers, on the caller's thread.
     *
     * @return what changed
     */
    public synchronized HeartbeatMonitor.Reconciliation refresh() {
        Map<String, PeerSpec> desired = new LinkedHashMap<>();
        for (PeerSpec s : listed) {
            desired.put(s.name(), s);
        }
        for (String service : servicesToWatch()) {
            List<ServiceInstance> instances = discovery.getInstances(service);
            if (instances == null) {
                continue;
            }
            for (ServiceInstance i : instances) {
                PeerSpec spec = spec(i);
                if (spec != null && desired.putIfAbsent(spec.name(), spec) != null && !isListed(spec.name())) {
                    log.warn("discovered instance {} of {} shares the peer name {} with another; left out", i.getHost(),
                            service, spec.name());
                }
            }
        }
        HeartbeatMonitor.Reconciliation r = monitor.reconcile(new ArrayList<>(desired.values()));
        refreshes++;
        if (!r.unchanged()) {
            log.info("peers from discovery: added {}, removed {}, replaced {}", r.added(), r.removed(), r.replaced());
        }
        return r;
    }

    private boolean isListed(String name) {
        for (PeerSpec s : listed) {
            if (s.name().equals(name)) {
                return true;
            }
        }
        return false;
    }

    private List<String> servicesToWatch() {
        if (!services.isEmpty()) {
            return services;
        }
        List<String> all = new ArrayList<>();
        List<String> known = discovery.getServices();
        if (known != null) {
            for (String s : known) {
                if (s != null && !s.equals(ownService)) {
                    all.add(s);
                }
            }
        }
        return all;
    }

    /** The peer an instance stands for, or null when it is not one (no heartbeat port) or is refused. */
    PeerSpec spec(ServiceInstance i) {
        Map<String, String> md = i.getMetadata() == null ? Map.of() : i.getMetadata();
        String port = md.get(portKey);
        if (port == null || i.getHost() == null) {
            return null;
        }
        try {
            int p = Integer.parseInt(port.trim());
            if (p < 1 || p > 65_535) {
                throw new IllegalArgumentException(portKey + " : " + port + " (expected: 1..65535)");
            }
            String scheme = md.getOrDefault(transportKey, defaultScheme).trim().toLowerCase(Locale.ROOT);
            if (!Set.of("tcp", "udp", "keepalive").contains(scheme)) {
                throw new IllegalArgumentException(transportKey + " : " + scheme + " (expected: tcp, udp or keepalive)");
            }
            String host = i.getHost().contains(":") && !i.getHost().startsWith("[") ? "[" + i.getHost() + "]" : i.getHost();
            String name = i.getInstanceId() != null && !i.getInstanceId().isBlank() ? i.getInstanceId()
                    : i.getServiceId() + "@" + host + ":" + p;
            PeerAttributes.Builder a = PeerAttributes.builder();
            if (i.getPort() > 0) {
                a.dataAddress(host + ":" + i.getPort());
            }
            String zone = md.get("zone");
            if (zone != null && !zone.isBlank()) {
                a.zone(zone);
            }
            int n = 0;
            for (Map.Entry<String, String> e : md.entrySet()) {
                if (n == MAX_METADATA) {
                    break;
                }
                String k = e.getKey();
                String v = e.getValue();
                if (k != null && v != null && !k.isEmpty() && !v.isEmpty() && k.length() <= PeerAttributes.MAX_TEXT_LENGTH
                        && v.length() <= PeerAttributes.MAX_TEXT_LENGTH) {
                    a.metadata(k, v);
                    n++;
                }
            }
            return PeerSpec.of(name, scheme + "://" + host + ":" + p, a.build());
        } catch (IllegalArgumentException e) {
            log.warn("discovered instance {}:{} of {} left out: {}", i.getHost(), i.getPort(), i.getServiceId(),
                    e.getMessage());
            return null;
        }
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (RuntimeException e) {
            log.warn("reading peers from discovery failed; peers unchanged until the next refresh", e);
        }
    }
}
