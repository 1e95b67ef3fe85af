package dev.heartbeat.spring.autoconfigure;

import static dev.heartbeat.spring.autoconfigure.PropertyChecks.build;
import static dev.heartbeat.spring.autoconfigure.PropertyChecks.invalid;
import static dev.heartbeat.spring.autoconfigure.PropertyChecks.set;

import dev.heartbeat.detect.AdaptiveDetector;
import dev.heartbeat.detect.DeadlineDetector;
import dev.heartbeat.detect.LivenessDetector;
import dev.heartbeat.detect.PhiAccrualDetector;
import dev.heartbeat.detect.ThresholdUsabilityPolicy;
import dev.heartbeat.engine.MonitorConfig;
import dev.heartbeat.peer.PeerAttributes;
import dev.heartbeat.peer.PeerSpec;
import dev.heartbeat.protocol.auth.HmacKeyFile;
import dev.heartbeat.protocol.auth.HmacSha256Authenticator;
import dev.heartbeat.spring.autoconfigure.HeartbeatProperties.DetectorType;
import dev.heartbeat.spring.autoconfigure.HeartbeatProperties.Transport;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code heartbeat.*} properties turned into the library's immutable configuration objects,
 * once, at start-up: every value goes through the library's validating builders, and every refusal
 * is an {@link InvalidHeartbeatPropertyException} naming the property. Nothing here is mutable
 * after construction.
 */
public final class HeartbeatSettings {

    private static final String MONITOR = HeartbeatProperties.PREFIX + ".monitor.";

    private final HeartbeatProperties properties;
    private final String nodeId;
    private final MonitorConfig monitorConfig;
    private final List<PeerSpec> peers;
    private final Map<String, MonitorConfig> peerConfigs;
    private final HmacSha256Authenticator responderAuthenticator;
    private final HmacSha256Authenticator monitorAuthenticator;

    private HeartbeatSettings(HeartbeatProperties p, String applicationName) {
        this.properties = p;
        this.nodeId = nodeId(p, applicationName);
        this.monitorConfig = monitorConfig(p.getMonitor());
        this.peers = peers(p);
        this.peerConfigs = peerConfigs(p, monitorConfig);
        this.responderAuthenticator = keys(HeartbeatProperties.PREFIX + ".responder.key-file", p.getResponder().getKeyFile());
        this.monitorAuthenticator = keys(MONITOR + "key-file", p.getMonitor().getKeyFile());
        checkResponder(p.getResponder());
        checkRange("heartbeat.discovery.refresh-interval", p.getDiscovery().getRefreshInterval(), Duration.ofMillis(10),
                Duration.ofHours(1));
    }

    /**
     * Checks and converts {@code properties}.
     *
     * @param applicationName {@code spring.application.name}, or null
     * @throws InvalidHeartbeatPropertyException naming the first property that breaks a rule
     */
    public static HeartbeatSettings of(HeartbeatProperties properties, String applicationName) {
        return new HeartbeatSettings(Objects.requireNonNull(properties, "properties"), applicationName);
    }

    /** The properties these settings came from (read-only use). */
    public HeartbeatProperties properties() {
        return properties;
    }

    /** The node id for the responder and the monitor, or null for the library's own unique ids. */
    public String nodeId() {
        return nodeId;
    }

    /** The monitor's configuration. */
    public MonitorConfig monitorConfig() {
        return monitorConfig;
    }

    /** The peers listed under {@code heartbeat.peers}, in order. */
    public List<PeerSpec> peers() {
        return peers;
    }

    /** The responder's HMAC authenticator, or null without a key file. */
    public HmacSha256Authenticator responderAuthenticator() {
        return responderAuthenticator;
    }

    /** The monitor's HMAC authenticator, or null without a key file. */
    public HmacSha256Authenticator monitorAuthenticator() {
        return monitorAuthenticator;
    }

    /** The property name a library option of {@code MonitorConfig} is set by. */
    static String monitorProperty(String option) {
        return MONITOR + kebab(option);
    }

    private static String nodeId(HeartbeatProperties p, String applicationName) {
        String id = p.getNodeId();
        if (id == null && applicationName != null && !applicationName.isBlank()) {
            id = applicationName + "-" + ProcessHandle.current().pid();
        }
        if (id != null) {
            String checked = id;
            // the responder's builder holds the rule (1..255 UTF-8 bytes, no unpaired surrogates)
            set(HeartbeatProperties.PREFIX + ".node-id", checked, v -> dev.heartbeat.engine.HeartbeatResponder.builder().nodeId(v));
        }
        return id;
    }

    private static MonitorConfig monitorConfig(HeartbeatProperties.Monitor m) {
        MonitorConfig.Builder b = MonitorConfig.custom();
        set(MONITOR + "interval", m.getInterval(), b::interval);
        set(MONITOR + "probe-interval", m.getProbeInterval(), b::probeInterval);
        set(MONITOR + "initial-timeout", m.getInitialTimeout(), b::initialTimeout);
        set(MONITOR + "dead-after-probes", m.getDeadAfterProbes(), b::deadAfterProbes);
        set(MONITOR + "degrade-after", m.getDegradeAfter(), b::degradeAfter);
        set(MONITOR + "recover-after", m.getRecoverAfter(), b::recoverAfter);
        set(MONITOR + "jitter", m.getJitter(), b::jitter);
        set(MONITOR + "pause-threshold", m.getPauseThreshold(), b::pauseThreshold);
        set(MONITOR + "pause-grace", m.getPauseGrace(), b::pauseGrace);
        b.honorPeerMinInterval(m.isHonorPeerMinInterval());
        set(MONITOR + "max-advised-interval", m.getMaxAdvisedInterval(), b::maxAdvisedInterval);
        set(MONITOR + "max-silence", m.getMaxSilence(), b::maxSilence);
        set(MONITOR + "max-forgiveness", m.getMaxForgiveness(), b::maxForgiveness);
        set(MONITOR + "degraded-loss", m.getDegradedLoss(), b::degradedLoss);
        b.detector(detector(m.getDetector()));
        b.usabilityPolicy(usability(m.getUsability()));
        checkRange(MONITOR + "keepalive.detect-within", m.getKeepalive().getDetectWithin(), Duration.ofSeconds(2),
                Duration.ofDays(1));
        set(MONITOR + "keepalive.detect-within", m.getKeepalive().getDetectWithin(),
                v -> dev.heartbeat.tcp.KeepaliveTransport.builder().detectWithin(v));
        set(MONITOR + "keepalive.probes", m.getKeepalive().getProbes(),
                v -> dev.heartbeat.tcp.KeepaliveTransport.builder().probes(v));
        return build(b::build, Map.of(), MONITOR.substring(0, MONITOR.length() - 1), MONITOR);
    }

    private static LivenessDetector.Factory detector(HeartbeatProperties.Detector d) {
        String prefix = MONITOR + "detector.";
        DetectorType type = d.getType() == null ? DetectorType.ADAPTIVE : d.getType();
        List<String> adaptive = present(prefix, "mistakes-per-hour", d.getMistakesPerHour(), "prior-timeout-factor",
                d.getPriorTimeoutFactor(), "min-timeout-factor", d.getMinTimeoutFactor());
        List<String> phi = present(prefix, "threshold", d.getThreshold(), "suspect-threshold", d.getSuspectThreshold(),
                "max-sample-size", d.getMaxSampleSize(), "min-std-deviation", d.getMinStdDeviation(), "acceptable-pause",
                d.getAcceptablePause());
        List<String> deadline = present(prefix, "suspect-after", d.getSuspectAfter(), "dead-after", d.getDeadAfter());
        refuseOthers(type, DetectorType.ADAPTIVE, adaptive);
        refuseOthers(type, DetectorType.PHI_ACCRUAL, phi);
        refuseOthers(type, DetectorType.DEADLINE, deadline);
        switch (type) {
            case PHI_ACCRUAL: {
                PhiAccrualDetector.Config.Builder b = PhiAccrualDetector.Config.custom();
                set(prefix + "threshold", d.getThreshold(), b::threshold);
                set(prefix + "suspect-threshold", d.getSuspectThreshold(), b::suspectThreshold);
                set(prefix + "max-sample-size", d.getMaxSampleSize(), b::maxSampleSize);
                set(prefix + "min-std-deviation", d.getMinStdDeviation(), b::minStdDeviation);
                set(prefix + "acceptable-pause", d.getAcceptablePause(), b::acceptablePause);
                return build(b::build, Map.of(), prefix + "threshold", prefix);
            }
            case DEADLINE: {
                Duration suspect = d.getSuspectAfter() != null ? d.getSuspectAfter() : DeadlineDetector.Config.DEFAULT_SUSPECT_AFTER;
                Duration dead = d.getDeadAfter() != null ? d.getDeadAfter() : DeadlineDetector.Config.DEFAULT_DEAD_AFTER;
                return build(() -> DeadlineDetector.Config.of(suspect, dead), Map.of(), prefix + "dead-after", prefix);
            }
            default: {
                AdaptiveDetector.Config.Builder b = AdaptiveDetector.Config.custom();
                set(prefix + "mistakes-per-hour", d.getMistakesPerHour(), b::mistakesPerHour);
                set(prefix + "prior-timeout-factor", d.getPriorTimeoutFactor(), b::priorTimeoutFactor);
                set(prefix + "min-timeout-factor", d.getMinTimeoutFactor(), b::minTimeoutFactor);
                return build(b::build, Map.of(), prefix + "type", prefix);
            }
        }
    }

    private static List<String> present(String prefix, Object... namesAndValues) {
        List<String> set = new ArrayList<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            if (namesAndValues[i + 1] != null) {
                set.add(prefix + namesAndValues[i]);
            }
        }
        return set;
    }

    private static void refuseOthers(DetectorType chosen, DetectorType owner, List<String> setOptions) {
        if (chosen != owner && !setOptions.isEmpty()) {
            throw invalid(setOptions.get(0), "(set)", "only with " + MONITOR + "detector.type="
                    + owner.name().toLowerCase(Locale.ROOT).replace('_', '-') + "; the detector is "
                    + chosen.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
    }

    private static ThresholdUsabilityPolicy usability(HeartbeatProperties.Usability u) {
        String prefix = MONITOR + "usability.";
        ThresholdUsabilityPolicy.Builder b = ThresholdUsabilityPolicy.custom();
        set(prefix + "degraded-cpu", u.getDegradedCpu(), b::degradedCpu);
        set(prefix + "unusable-cpu", u.getUnusableCpu(), b::unusableCpu);
        set(prefix + "degraded-memory", u.getDegradedMemory(), b::degradedMemory);
        set(prefix + "unusable-memory", u.getUnusableMemory(), b::unusableMemory);
        set(prefix + "degraded-error-rate", u.getDegradedErrorRate(), b::degradedErrorRate);
        set(prefix + "unusable-error-rate", u.getUnusableErrorRate(), b::unusableErrorRate);
        set(prefix + "unusable-queue-depth", u.getUnusableQueueDepth(), b::unusableQueueDepth);
        set(prefix + "unusable-in-flight", u.getUnusableInFlight(), b::unusableInFlight);
        if (u.getDegradedLatency() != null) {
            if (u.getDegradedLatency().isNegative()) {
                throw invalid(prefix + "degraded-latency", u.getDegradedLatency(), ">= 0");
            }
            b.degradedLatencyMicros(u.getDegradedLatency().toNanos() / 1_000);
        }
        set(prefix + "rtt-factor", u.getRttFactor(), b::rttFactor);
        set(prefix + "rtt-min-excess", u.getRttMinExcess(), b::rttMinExcess);
        return build(b::build, Map.of(), prefix + "degraded-cpu", prefix);
    }

    /** The settings a listed peer runs with: its own overrides on top of the monitor's, or the monitor's. */
    public MonitorConfig peerConfig(String name) {
        return peerConfigs.getOrDefault(name, monitorConfig);
    }

    private static Map<String, MonitorConfig> peerConfigs(HeartbeatProperties p, MonitorConfig base) {
        Map<String, MonitorConfig> out = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, HeartbeatProperties.Peer> e : p.getPeers().entrySet()) {
            HeartbeatProperties.Peer peer = e.getValue();
            if (peer.getInterval() == null && peer.getInitialTimeout() == null) {
                continue;
            }
            String prefix = HeartbeatProperties.PREFIX + ".peers." + e.getKey() + ".";
            MonitorConfig.Builder b = MonitorConfig.from(base);
            set(prefix + "interval", peer.getInterval(), b::interval);
            set(prefix + "initial-timeout", peer.getInitialTimeout(), b::initialTimeout);
            out.put(e.getKey(), build(b::build, Map.of(), prefix + "interval", prefix));
        }
        return Collections.unmodifiableMap(out);
    }

    private static List<PeerSpec> peers(HeartbeatProperties p) {
        List<PeerSpec> out = new ArrayList<>();
        for (Map.Entry<String, HeartbeatProperties.Peer> e : p.getPeers().entrySet()) {
            out.add(peer(e.getKey(), e.getValue()));
        }
        return Collections.unmodifiableList(out);
    }

    /** One listed peer; its name and attributes checked by the library's own rules. */
    static PeerSpec peer(String name, HeartbeatProperties.Peer peer) {
        String prefix = HeartbeatProperties.PREFIX + ".peers." + name + ".";
        String address = peer.getAddress();
        if (address == null || address.isBlank()) {
            throw invalid(prefix + "address", address == null ? "(none)" : "'" + address + "'",
                    "host:port, or scheme://host:port with scheme tcp, udp or keepalive");
        }
        address = address.trim();
        int sep = address.indexOf("://");
        if (sep >= 0) {
            String scheme = address.substring(0, sep).toLowerCase(Locale.ROOT);
            if (!List.of("tcp", "udp", "keepalive").contains(scheme)) {
                throw invalid(prefix + "address", address, "scheme tcp, udp or keepalive");
            }
            if (peer.getTransport() != null && !peer.getTransport().scheme().equals(scheme)) {
                throw invalid(prefix + "transport", peer.getTransport().scheme(), "the address's own scheme " + scheme);
            }
        } else if (peer.getTransport() != null) {
            address = peer.getTransport().scheme() + "://" + address;
        }
        PeerAttributes.Builder a = PeerAttributes.builder();
        set(prefix + "data-address", peer.getDataAddress(), a::dataAddress);
        set(prefix + "zone", peer.getZone(), a::zone);
        set(prefix + "weight", peer.getWeight(), a::weight);
        if (!peer.getMetadata().isEmpty()) {
            set(prefix + "metadata", peer.getMetadata(), a::metadata);
        }
        PeerAttributes attributes = a.build();
        String finalAddress = address;
        return build(() -> PeerSpec.of(name, finalAddress, attributes), Map.of("peer name", prefix.substring(0,
                prefix.length() - 1), "peer address", prefix + "address"), prefix + "address", prefix);
    }

    private static HmacSha256Authenticator keys(String property, Path file) {
        if (file == null) {
            return null;
        }
        try {
            return HmacKeyFile.loadAuthenticator(file);
        } catch (UncheckedIOException e) {
            throw new InvalidHeartbeatPropertyException(property, file.toString(),
                    "a readable key file (" + e.getCause().getMessage() + ")", e);
        } catch (IllegalArgumentException e) {
            throw new InvalidHeartbeatPropertyException(property, file.toString(), "a valid key file: " + e.getMessage(), e);
        }
    }

    private static void checkResponder(HeartbeatProperties.Responder r) {
        String prefix = HeartbeatProperties.PREFIX + ".responder.";
        if (r.getTransport() == Transport.KEEPALIVE) {
            throw invalid(prefix + "transport", "keepalive", "tcp or udp (keepalive is for watching peers that don't answer heartbeats)");
        }
        if (r.getPort() < 0 || r.getPort() > 65_535) {
            throw invalid(prefix + "port", r.getPort(), "0..65535");
        }
        if (r.getBindAddress() == null || r.getBindAddress().isBlank()) {
            throw invalid(prefix + "bind-address", "'" + r.getBindAddress() + "'", "an interface address, 0.0.0.0 or ::");
        }
        set(prefix + "min-interval", r.getMinInterval(), v -> dev.heartbeat.engine.HeartbeatResponder.builder().minInterval(v));
        checkRange(prefix + "health-check-interval", r.getHealthCheckInterval(), Duration.ofMillis(10), Duration.ofHours(1));
        checkRange(prefix + "goodbye-come-back-after", r.getGoodbyeComeBackAfter(), Duration.ZERO, Duration.ofHours(24));
        set(prefix + "close-grace", r.getCloseGrace(), v -> dev.heartbeat.tcp.TcpResponderServer.builder(
                dev.heartbeat.engine.HeartbeatResponder.builder().loadProvider(dev.heartbeat.engine.LoadProvider.none())
                        .build()).closeGrace(v));
        set(prefix + "event-loop-threads", r.getEventLoopThreads(), v -> dev.heartbeat.tcp.TcpClientTransport.builder()
                .eventLoopThreads(v));
    }

    private static void checkRange(String property, Duration d, Duration min, Duration max) {
        if (d == null || d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw invalid(property, d, min + ".." + max);
        }
    }

    /** {@code maxSilence} → {@code max-silence}. */
    static String kebab(String camel) {
        StringBuilder sb = new StringBuilder(camel.length() + 4);
        for (int i = 0; i < camel.length(); i++) {
            char c = camel.charAt(i);
            if (Character.isUpperCase(c)) {
                sb.append('-').append(Character.toLowerCase(c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
