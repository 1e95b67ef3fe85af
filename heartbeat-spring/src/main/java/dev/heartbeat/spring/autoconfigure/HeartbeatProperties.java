package dev.heartbeat.spring.autoconfigure;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Everything the starter reads from the environment, under {@value #PREFIX}. Values are checked
 * when the beans are built, by the library's own validating builders: a bad one stops start-up
 * with {@code heartbeat.<property> : <value> (expected: <rule>)} (see
 * {@link InvalidHeartbeatPropertyException}). The reference with every default is
 * {@code docs/spring.md}.
 *
 * <pre>
 * heartbeat:
 *   responder:
 *     port: 7070
 *   monitor:
 *     interval: 200ms
 *   peers:
 *     orders-1:
 *       address: tcp://10.0.0.7:7070
 *       data-address: 10.0.0.7:8080
 * </pre>
 */
@ConfigurationProperties(HeartbeatProperties.PREFIX)
public class HeartbeatProperties {

    /** The prefix of every property of the starter. */
    public static final String PREFIX = "heartbeat";

    /** Whether the starter configures anything at all. */
    private boolean enabled = true;

    /**
     * The node id this application puts in its heartbeats (1..255 UTF-8 bytes), as responder and as
     * monitor. Default: {@code spring.application.name} and the process id, or the library's own
     * unique id when the application has no name.
     */
    private String nodeId;

    /** This application's own responder: how it answers the PINGs of those who watch it. */
    private final Responder responder = new Responder();

    /** This application's monitor: how it watches its peers. */
    private final Monitor monitor = new Monitor();

    /**
     * The peers to watch, by name (the name appears in health, metrics and logs; use brackets for
     * names with dots: {@code heartbeat.peers.[orders.eu-1].address}).
     */
    private final Map<String, Peer> peers = new LinkedHashMap<>();

    /** The actuator health contributor {@code heartbeat}, one entry per peer. */
    private final Health health = new Health();

    /** Micrometer meters of the monitor, its peers and the responder. */
    private final Metrics metrics = new Metrics();

    /** Per-peer resilience4j circuit breakers driven by the heartbeats. */
    private final Breaker breaker = new Breaker();

    /** The failover router over the application's own {@code PeerClients} bean, when it declares one. */
    private final Routing routing = new Routing();

    /** What the router does when most peers look bad at once. */
    private final Panic panic = new Panic();

    /** How the router re-admits a peer that came back. */
    private final SlowStart slowStart = new SlowStart();

    /** Peers from Spring Cloud's {@code DiscoveryClient}, when the application has one. */
    private final Discovery discovery = new Discovery();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getNodeId() {
        return nodeId;
    }

    public void setNodeId(String nodeId) {
        this.nodeId = nodeId;
    }

    public Responder getResponder() {
        return responder;
    }

    public Monitor getMonitor() {
        return monitor;
    }

    public Map<String, Peer> getPeers() {
        return peers;
    }

    public Health getHealth() {
        return health;
    }

    public Metrics getMetrics() {
        return metrics;
    }

    public Breaker getBreaker() {
        return breaker;
    }

    public Routing getRouting() {
        return routing;
    }

    public Panic getPanic() {
        return panic;
    }

    public SlowStart getSlowStart() {
        return slowStart;
    }

    public Discovery getDiscovery() {
        return discovery;
    }

    /** A heartbeat transport, as named in addresses ({@code tcp://}, {@code udp://}, {@code keepalive://}). */
    public enum Transport {
        /** Heartbeats over TCP (one connection per peer). */
        TCP,
        /** Heartbeats over UDP (one datagram per heartbeat). */
        UDP,
        /** No heartbeats: kernel keepalive on a plain connection, liveness only (monitors only). */
        KEEPALIVE;

        /** The address scheme. */
        public String scheme() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The responder: answers PINGs with this application's status and load. */
    public static class Responder {

        /** Whether this application answers heartbeats. */
        private boolean enabled = true;

        /** The transport it listens on: tcp or udp. */
        private Transport transport = Transport.TCP;

        /** The port it listens on, 0..65535 (0: an ephemeral port, see the bean's {@code port()}). */
        private int port = 7070;

        /** The address it binds: an interface's address, 0.0.0.0 for all IPv4 ones, :: for all. */
        private String bindAddress = "0.0.0.0";

        /**
         * An HMAC key file (see {@code HmacKeyFile}): PINGs must be sealed with one of its keys, PONGs
         * and GOODBYEs are sealed. Without it the responder answers anyone who reaches it.
         */
        private Path keyFile;

        /** The shortest interval monitors should ping at (advice; 0 = none), 0..24h. */
        private Duration minInterval = Duration.ZERO;

        /**
         * Whether Spring's readiness becomes the status in our heartbeats: REFUSING_TRAFFIC is
         * DRAINING (and a BROKEN liveness NOT_SERVING).
         */
        private boolean statusFromAvailability = true;

        /**
         * Whether the application's actuator health becomes the status in our heartbeats: DOWN is
         * NOT_SERVING. The {@code heartbeat} contributor itself never counts (a sick peer must not
         * make us look sick to others).
         */
        private boolean statusFromHealth = true;

        /** How often the actuator health is checked for the status, 10ms..1h. */
        private Duration healthCheckInterval = Duration.ofSeconds(5);

        /** The come-back time announced in the GOODBYE sent at shutdown (shown to monitors, never obeyed), 0..24h. */
        private Duration goodbyeComeBackAfter = Duration.ZERO;

        /** TCP: how long shutdown waits for monitors to close after the GOODBYE before a hard close, 0..10min. */
        private Duration closeGrace = Duration.ofSeconds(2);

        /** I/O threads of the responder server (default: the transport's, min(4, cores) for TCP). */
        private Integer eventLoopThreads;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Transport getTransport() {
            return transport;
        }

        public void setTransport(Transport transport) {
            this.transport = transport;
        }

        public int getPort() {
            return port;
        }

        public void setPort(int port) {
            this.port = port;
        }

        public String getBindAddress() {
            return bindAddress;
        }

        public void setBindAddress(String bindAddress) {
            this.bindAddress = bindAddress;
        }

        public Path getKeyFile() {
            return keyFile;
        }

        public void setKeyFile(Path keyFile) {
            this.keyFile = keyFile;
        }

        public Duration getMinInterval() {
            return minInterval;
        }

        public void setMinInterval(Duration minInterval) {
            this.minInterval = minInterval;
        }

        public boolean isStatusFromAvailability() {
            return statusFromAvailability;
        }

        public void setStatusFromAvailability(boolean statusFromAvailability) {
            this.statusFromAvailability = statusFromAvailability;
        }

        public boolean isStatusFromHealth() {
            return statusFromHealth;
        }

        public void setStatusFromHealth(boolean statusFromHealth) {
            this.statusFromHealth = statusFromHealth;
        }

        public Duration getHealthCheckInterval() {
            return healthCheckInterval;
        }

        public void setHealthCheckInterval(Duration healthCheckInterval) {
            this.healthCheckInterval = healthCheckInterval;
        }

        public Duration getGoodbyeComeBackAfter() {
            return goodbyeComeBackAfter;
        }

        public void setGoodbyeComeBackAfter(Duration goodbyeComeBackAfter) {
            this.goodbyeComeBackAfter = goodbyeComeBackAfter;
        }

        public Duration getCloseGrace() {
            return closeGrace;
        }

        public void setCloseGrace(Duration closeGrace) {
            this.closeGrace = closeGrace;
        }

        public Integer getEventLoopThreads() {
            return eventLoopThreads;
        }

        public void setEventLoopThreads(Integer eventLoopThreads) {
            this.eventLoopThreads = eventLoopThreads;
        }
    }

    /** The monitor: PINGs every peer and judges liveness and usability. Options as in {@code MonitorConfig}. */
    public static class Monitor {

        /** Whether this application watches peers. */
        private boolean enabled = true;

        /** The transport of peers whose address names none (a bare host:port). */
        private Transport defaultTransport = Transport.TCP;

        /** Time between PINGs to a healthy peer, 1ms..1h. */
        private Duration interval = Duration.ofMillis(200);

        /** Time between PINGs to a SUSPECT peer after the quick probes, 1ms..interval. */
        private Duration probeInterval = Duration.ofMillis(50);

        /** A newly added peer that has not answered by then is DEAD, 1ms..1h. */
        private Duration initialTimeout = Duration.ofSeconds(2);

        /** PINGs (regular ones and the quick probes at SUSPECT) that must go unanswered before DEAD stands, 0..10 (0 = off). */
        private int deadAfterProbes = 2;

        /** Consecutive heartbeats an inferred worse usability (load, RTT) needs, 1..100. */
        private int degradeAfter = 3;

        /** Consecutive heartbeats a better usability needs, 1..100. */
        private int recoverAfter = 3;

        /** Random spread of each interval, as a fraction, 0.0..0.5. */
        private double jitter = 0.1;

        /** Timer lateness that counts as a pause of this JVM, 1ms..1min. Default: interval / 4, 1..100 ms. */
        private Duration pauseThreshold;

        /** After such a pause, no verdicts for this long, 0..1min. Default: min(interval, 250 ms). */
        private Duration pauseGrace;

        /** Whether to slow down to a responder's advised minimum interval (clipped to max-advised-interval). */
        private boolean honorPeerMinInterval = true;

        /** The longest interval a peer's advice can make us adopt, 1ms..24h, >= interval. Default: 10 × interval. */
        private Duration maxAdvisedInterval;

        /** The detection bound: no valid PONG for this long is DEAD, >= 2 × max-advised-interval. Default: 3 × max-advised-interval. */
        private Duration maxSilence;

        /** The most of one silence our own pauses may excuse, 0..max-silence. Default: 10 × interval. */
        private Duration maxForgiveness;

        /** Fraction of recent PINGs unanswered at which a peer is DEGRADED, 0.01..1.0 (1.0 = off). */
        private double degradedLoss = 0.25;

        /** Whether JVM garbage-collection notifications count as pauses of this monitor. */
        private boolean watchGarbageCollector = true;

        /** An HMAC key file: PINGs are sealed with its signing key and every frame must verify. */
        private Path keyFile;

        /** The liveness detector. */
        private final Detector detector = new Detector();

        /** When a PONG makes a peer DEGRADED or UNUSABLE. */
        private final Usability usability = new Usability();

        /** The kernel-keepalive fallback for keepalive:// peers (no heartbeats, liveness only). */
        private final Keepalive keepalive = new Keepalive();

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Transport getDefaultTransport() {
            return defaultTransport;
        }

        public void setDefaultTransport(Transport defaultTransport) {
            this.defaultTransport = defaultTransport;
        }

        public Duration getInterval() {
            return interval;
        }

        public void setInterval(Duration interval) {
            this.interval = interval;
        }

        public Duration getProbeInterval() {
            return probeInterval;
        }

        public void setProbeInterval(Duration probeInterval) {
            this.probeInterval = probeInterval;
        }

        public Duration getInitialTimeout() {
            return initialTimeout;
        }

        public void setInitialTimeout(Duration initialTimeout) {
            this.initialTimeout = initialTimeout;
        }

        public int getDeadAfterProbes() {
            return deadAfterProbes;
        }

        public void setDeadAfterProbes(int deadAfterProbes) {
            this.deadAfterProbes = deadAfterProbes;
        }

        public int getDegradeAfter() {
            return degradeAfter;
        }

        public void setDegradeAfter(int degradeAfter) {
            this.degradeAfter = degradeAfter;
        }

        public int getRecoverAfter() {
            return recoverAfter;
        }

        public void setRecoverAfter(int recoverAfter) {
            this.recoverAfter = recoverAfter;
        }

        public double getJitter() {
            return jitter;
        }

        public void setJitter(double jitter) {
            this.jitter = jitter;
        }

        public Duration getPauseThreshold() {
            return pauseThreshold;
        }

        public void setPauseThreshold(Duration pauseThreshold) {
            this.pauseThreshold = pauseThreshold;
        }

        public Duration getPauseGrace() {
            return pauseGrace;
        }

        public void setPauseGrace(Duration pauseGrace) {
            this.pauseGrace = pauseGrace;
        }

        public boolean isHonorPeerMinInterval() {
            return honorPeerMinInterval;
        }

        public void setHonorPeerMinInterval(boolean honorPeerMinInterval) {
            this.honorPeerMinInterval = honorPeerMinInterval;
        }

        public Duration getMaxAdvisedInterval() {
            return maxAdvisedInterval;
        }

        public void setMaxAdvisedInterval(Duration maxAdvisedInterval) {
            this.maxAdvisedInterval = maxAdvisedInterval;
        }

        public Duration getMaxSilence() {
            return maxSilence;
        }

        public void setMaxSilence(Duration maxSilence) {
            this.maxSilence = maxSilence;
        }

        public Duration getMaxForgiveness() {
            return maxForgiveness;
        }

        public void setMaxForgiveness(Duration maxForgiveness) {
            this.maxForgiveness = maxForgiveness;
        }

        public double getDegradedLoss() {
            return degradedLoss;
        }

        public void setDegradedLoss(double degradedLoss) {
            this.degradedLoss = degradedLoss;
        }

        public boolean isWatchGarbageCollector() {
            return watchGarbageCollector;
        }

        public void setWatchGarbageCollector(boolean watchGarbageCollector) {
            this.watchGarbageCollector = watchGarbageCollector;
        }

        public Path getKeyFile() {
            return keyFile;
        }

        public void setKeyFile(Path keyFile) {
            this.keyFile = keyFile;
        }

        public Detector getDetector() {
            return detector;
        }

        public Usability getUsability() {
            return usability;
        }

        public Keepalive getKeepalive() {
            return keepalive;
        }
    }

    /** Which liveness detector, and its options; an option of another detector than the chosen one is refused. */
    public static class Detector {

        /** The detector: adaptive (learns each peer's silences; the default), phi-accrual, or deadline (fixed timeouts). */
        private DetectorType type = DetectorType.ADAPTIVE;

        /** adaptive: false DEADs per hour of a healthy peer the timeout aims at, 0.0001..3600. Default 1.0. */
        private Double mistakesPerHour;

        /** adaptive: timeout past the due time, in intervals, for a peer with no history, 0..100. Default 1.5. */
        private Double priorTimeoutFactor;

        /** adaptive: floor of the timeout past the due time, in intervals, 0..10. Default 0.05. */
        private Double minTimeoutFactor;

        /** phi-accrual: φ at which a peer is DEAD, finite > 0. Default 8.0. */
        private Double threshold;

        /** phi-accrual: φ at which a peer is SUSPECT, finite > 0, below threshold. Default 3.0. */
        private Double suspectThreshold;

        /** phi-accrual: intervals kept, 2..100000. Default 200. */
        private Integer maxSampleSize;

        /** phi-accrual: floor of the standard deviation, > 0. Default 50ms. */
        private Duration minStdDeviation;

        /** phi-accrual: silence tolerated on top of the mean, >= 0. Default 400ms. */
        private Duration acceptablePause;

        /** deadline: silence after which a peer is SUSPECT, > 0. Default 500ms. */
        private Duration suspectAfter;

        /** deadline: silence after which a peer is DEAD, above suspect-after. Default 1s. */
        private Duration deadAfter;

        public DetectorType getType() {
            return type;
        }

        public void setType(DetectorType type) {
            this.type = type;
        }

        public Double getMistakesPerHour() {
            return mistakesPerHour;
        }

        public void setMistakesPerHour(Double mistakesPerHour) {
            this.mistakesPerHour = mistakesPerHour;
        }

        public Double getPriorTimeoutFactor() {
            return priorTimeoutFactor;
        }

        public void setPriorTimeoutFactor(Double priorTimeoutFactor) {
            this.priorTimeoutFactor = priorTimeoutFactor;
        }

        public Double getMinTimeoutFactor() {
            return minTimeoutFactor;
        }

        public void setMinTimeoutFactor(Double minTimeoutFactor) {
            this.minTimeoutFactor = minTimeoutFactor;
        }

        public Double getThreshold() {
            return threshold;
        }

        public void setThreshold(Double threshold) {
            this.threshold = threshold;
        }

        public Double getSuspectThreshold() {
            return suspectThreshold;
        }

        public void setSuspectThreshold(Double suspectThreshold) {
            this.suspectThreshold = suspectThreshold;
        }

        public Integer getMaxSampleSize() {
            return maxSampleSize;
        }

        public void setMaxSampleSize(Integer maxSampleSize) {
            this.maxSampleSize = maxSampleSize;
        }

        public Duration getMinStdDeviation() {
            return minStdDeviation;
        }

        public void setMinStdDeviation(Duration minStdDeviation) {
            this.minStdDeviation = minStdDeviation;
        }

        public Duration getAcceptablePause() {
            return acceptablePause;
        }

        public void setAcceptablePause(Duration acceptablePause) {
            this.acceptablePause = acceptablePause;
        }

        public Duration getSuspectAfter() {
            return suspectAfter;
        }

        public void setSuspectAfter(Duration suspectAfter) {
            this.suspectAfter = suspectAfter;
        }

        public Duration getDeadAfter() {
            return deadAfter;
        }

        public void setDeadAfter(Duration deadAfter) {
            this.deadAfter = deadAfter;
        }
    }

    /** The liveness detectors the starter can configure. */
    public enum DetectorType {
        /** {@code AdaptiveDetector}: a mistake budget turned into a timeout from each peer's own silences. */
        ADAPTIVE,
        /** {@code PhiAccrualDetector}: Hayashibara's φ over a normal model of the intervals. */
        PHI_ACCRUAL,
        /** {@code DeadlineDetector}: fixed SUSPECT and DEAD timeouts. */
        DEADLINE
    }

    /** Thresholds of {@code ThresholdUsabilityPolicy}; a figure a peer does not report never counts against it. */
    public static class Usability {

        /** CPU (0..1) above which a peer is DEGRADED. */
        private double degradedCpu = 0.85;

        /** CPU (0..1) above which a peer is UNUSABLE, >= degraded-cpu. */
        private double unusableCpu = 0.95;

        /** Memory (0..1, heap after GC for a JVM) above which a peer is DEGRADED. */
        private double degradedMemory = 0.90;

        /** Memory (0..1) above which a peer is UNUSABLE, >= degraded-memory. */
        private double unusableMemory = 0.98;

        /** Error rate (0..1) above which a peer is DEGRADED. */
        private double degradedErrorRate = 0.10;

        /** Error rate (0..1) above which a peer is UNUSABLE, >= degraded-error-rate. */
        private double unusableErrorRate = 0.50;

        /** Queued work above which a peer is UNUSABLE, >= 0. Default: no limit. */
        private Long unusableQueueDepth;

        /** Requests in flight above which a peer is UNUSABLE, >= 0. Default: no limit. */
        private Long unusableInFlight;

        /** Reported latency above which a peer is DEGRADED, >= 0. Default: no limit. */
        private Duration degradedLatency;

        /** RTT above this multiple of the peer's own baseline is DEGRADED, finite > 1. */
        private double rttFactor = 5.0;

        /** ...and only when at least this much above it, >= 0. */
        private Duration rttMinExcess = Duration.ofMillis(20);

        public double getDegradedCpu() {
            return degradedCpu;
        }

        public void setDegradedCpu(double degradedCpu) {
            this.degradedCpu = degradedCpu;
        }

        public double getUnusableCpu() {
            return unusableCpu;
        }

        public void setUnusableCpu(double unusableCpu) {
            this.unusableCpu = unusableCpu;
        }

        public double getDegradedMemory() {
            return degradedMemory;
        }

        public void setDegradedMemory(double degradedMemory) {
            this.degradedMemory = degradedMemory;
        }

        public double getUnusableMemory() {
            return unusableMemory;
        }

        public void setUnusableMemory(double unusableMemory) {
            this.unusableMemory = unusableMemory;
        }

        public double getDegradedErrorRate() {
            return degradedErrorRate;
        }

        public void setDegradedErrorRate(double degradedErrorRate) {
            this.degradedErrorRate = degradedErrorRate;
        }

        public double getUnusableErrorRate() {
            return unusableErrorRate;
        }

        public void setUnusableErrorRate(double unusableErrorRate) {
            this.unusableErrorRate = unusableErrorRate;
        }

        public Long getUnusableQueueDepth() {
            return unusableQueueDepth;
        }

        public void setUnusableQueueDepth(Long unusableQueueDepth) {
            this.unusableQueueDepth = unusableQueueDepth;
        }

        public Long getUnusableInFlight() {
            return unusableInFlight;
        }

        public void setUnusableInFlight(Long unusableInFlight) {
            this.unusableInFlight = unusableInFlight;
        }

        public Duration getDegradedLatency() {
            return degradedLatency;
        }

        public void setDegradedLatency(Duration degradedLatency) {
            this.degradedLatency = degradedLatency;
        }

        public double getRttFactor() {
            return rttFactor;
        }

        public void setRttFactor(double rttFactor) {
            this.rttFactor = rttFactor;
        }

        public Duration getRttMinExcess() {
            return rttMinExcess;
        }

        public void setRttMinExcess(Duration rttMinExcess) {
            this.rttMinExcess = rttMinExcess;
        }
    }

    /** The kernel-keepalive fallback transport ({@code KeepaliveTransport}). */
    public static class Keepalive {

        /** The detection time the kernel keepalive and TCP_USER_TIMEOUT are tuned for, whole seconds, >= 2s. */
        private Duration detectWithin = Duration.ofSeconds(10);

        /** Keepalive probes within that time. */
        private int probes = 3;

        public Duration getDetectWithin() {
            return detectWithin;
        }

        public void setDetectWithin(Duration detectWithin) {
            this.detectWithin = detectWithin;
        }

        public int getProbes() {
            return probes;
        }

        public void setProbes(int probes) {
            this.probes = probes;
        }
    }

    /** One peer to watch. */
    public static class Peer {

        /**
         * Its heartbeat address: {@code host:port} (the default transport), or with a scheme:
         * {@code tcp://}, {@code udp://}, {@code keepalive://} (IPv6: {@code tcp://[fd00::7]:7070}).
         */
        private String address;

        /** Its transport, when the address names none; must agree with the address's scheme when it does. */
        private Transport transport;

        /** Where its service (not its heartbeats) is reached, for the router's clients, e.g. 10.0.0.7:8080. */
        private String dataAddress;

        /** Its zone or rack (1..256 characters). */
        private String zone;

        /** Its routing weight, 1..10000. Default 100. */
        private Integer weight;

        /** Free-form metadata (at most 64 entries of 1..256 characters). */
        private final Map<String, String> metadata = new LinkedHashMap<>();

        /**
         * This peer's own interval between PINGs, instead of heartbeat.monitor.interval (e.g. a
         * slower one for a peer across a WAN); the monitor's other settings still apply. 1ms..1h.
         */
        private Duration interval;

        /** This peer's own initial timeout, instead of heartbeat.monitor.initial-timeout. 1ms..1h. */
        private Duration initialTimeout;

        public Duration getInterval() {
            return interval;
        }

        public void setInterval(Duration interval) {
            this.interval = interval;
        }

        public Duration getInitialTimeout() {
            return initialTimeout;
        }

        public void setInitialTimeout(Duration initialTimeout) {
            this.initialTimeout = initialTimeout;
        }

        public String getAddress() {
            return address;
        }

        public void setAddress(String address) {
            this.address = address;
        }

        public Transport getTransport() {
            return transport;
        }

        public void setTransport(Transport transport) {
            this.transport = transport;
        }

        public String getDataAddress() {
            return dataAddress;
        }

        public void setDataAddress(String dataAddress) {
            this.dataAddress = dataAddress;
        }

        public String getZone() {
            return zone;
        }

        public void setZone(String zone) {
            this.zone = zone;
        }

        public Integer getWeight() {
            return weight;
        }

        public void setWeight(Integer weight) {
            this.weight = weight;
        }

        public Map<String, String> getMetadata() {
            return metadata;
        }
    }

    /** The {@code heartbeat} health contributor. */
    public static class Health {

        /** Whether to contribute per-peer health to the actuator (never to the liveness group). */
        private boolean enabled = true;

        /** The health status of a DEAD peer. */
        private String deadStatus = "DOWN";

        /** The health status of an alive but UNUSABLE peer (draining, not serving, overloaded). */
        private String unusableStatus = "OUT_OF_SERVICE";

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getDeadStatus() {
            return deadStatus;
        }

        public void setDeadStatus(String deadStatus) {
            this.deadStatus = deadStatus;
        }

        public String getUnusableStatus() {
            return unusableStatus;
        }

        public void setUnusableStatus(String unusableStatus) {
            this.unusableStatus = unusableStatus;
        }
    }

    /** Micrometer meters (see docs/metrics.md for every series). */
    public static class Metrics {

        /** Whether to bind the monitor's and the responder's meters to the application's registries. */
        private boolean enabled = true;

        /** Most peers metered (distinct values of the peer tag), 1..1000000. */
        private int maxPeers = 1_000;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public int getMaxPeers() {
            return maxPeers;
        }

        public void setMaxPeers(int maxPeers) {
            this.maxPeers = maxPeers;
        }
    }

    /** Per-peer circuit breakers (resilience4j), opened by DEAD and UNUSABLE, half-opened on recovery. */
    public static class Breaker {

        /** Whether each peer gets a circuit breaker. */
        private boolean enabled = true;

        /**
         * A named configuration of the application's {@code CircuitBreakerRegistry} for the peers'
         * breakers. Default: its default configuration (or, with no registry bean, our own defaults).
         */
        private String configName;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getConfigName() {
            return configName;
        }

        public void setConfigName(String configName) {
            this.configName = configName;
        }
    }

    /** The load-aware failover router over the application's {@code PeerClients}. */
    public static class Routing {

        /** Whether to build a router when the application declares one {@code PeerClients} bean. */
        private boolean enabled = true;

        /** Age past which a peer's load report and RTT are ignored, 1ms..1h. */
        private Duration staleness = Duration.ofSeconds(1);

        /** Share of a DEGRADED peer, 0.01..1.0. */
        private double degradedShare = 0.25;

        /** Share of a SUSPECT peer, 0.01..1.0. */
        private double suspectShare = 0.1;

        /** Attempts per idempotent call, the first included, 1..10. */
        private int maxAttempts = 3;

        /** The retry budget: how many retries the router may add to the offered load. */
        private final RetryBudget retryBudget = new RetryBudget();

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getStaleness() {
            return staleness;
        }

        public void setStaleness(Duration staleness) {
            this.staleness = staleness;
        }

        public double getDegradedShare() {
            return degradedShare;
        }

        public void setDegradedShare(double degradedShare) {
            this.degradedShare = degradedShare;
        }

        public double getSuspectShare() {
            return suspectShare;
        }

        public void setSuspectShare(double suspectShare) {
            this.suspectShare = suspectShare;
        }

        public int getMaxAttempts() {
            return maxAttempts;
        }

        public void setMaxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
        }

        public RetryBudget getRetryBudget() {
            return retryBudget;
        }
    }

    /** The router's retry budget ({@code RetryBudget}). */
    public static class RetryBudget {

        /** Retries allowed per first attempt in the window, 0.0..1.0. */
        private double ratio = 0.2;

        /** Retries allowed per second whatever the traffic, 0..1000000. */
        private int minRetriesPerSecond = 10;

        /** The sliding window, 1s..10min. */
        private Duration window = Duration.ofSeconds(10);

        public double getRatio() {
            return ratio;
        }

        public void setRatio(double ratio) {
            this.ratio = ratio;
        }

        public int getMinRetriesPerSecond() {
            return minRetriesPerSecond;
        }

        public void setMinRetriesPerSecond(int minRetriesPerSecond) {
            this.minRetriesPerSecond = minRetriesPerSecond;
        }

        public Duration getWindow() {
            return window;
        }

        public void setWindow(Duration window) {
            this.window = window;
        }
    }

    /** Panic: fewer than threshold of the judged peers look healthy. */
    public static class Panic {

        /** Fraction of judged peers below which the router panics, 0.0..1.0 (0: never). */
        private double threshold = 0.5;

        /** What the router does in panic. */
        private dev.heartbeat.failover.PanicMode mode = dev.heartbeat.failover.PanicMode.FAIL_OPEN;

        public double getThreshold() {
            return threshold;
        }

        public void setThreshold(double threshold) {
            this.threshold = threshold;
        }

        public dev.heartbeat.failover.PanicMode getMode() {
            return mode;
        }

        public void setMode(dev.heartbeat.failover.PanicMode mode) {
            this.mode = mode;
        }
    }

    /** Slow start of peers that come back. */
    public static class SlowStart {

        /** Whether returning peers ramp up (false: full share at once). */
        private boolean enabled = true;

        /** The ramp's length, 0..1h. */
        private Duration window = Duration.ofSeconds(10);

        /** The share at the ramp's start, 0.01..1.0. */
        private double minShare = 0.1;

        /** Random delay before the ramp starts, so clients don't stampede a returning peer, 0..1h. */
        private Duration readmissionJitter = Duration.ofSeconds(1);

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getWindow() {
            return window;
        }

        public void setWindow(Duration window) {
            this.window = window;
        }

        public double getMinShare() {
            return minShare;
        }

        public void setMinShare(double minShare) {
            this.minShare = minShare;
        }

        public Duration getReadmissionJitter() {
            return readmissionJitter;
        }

        public void setReadmissionJitter(Duration readmissionJitter) {
            this.readmissionJitter = readmissionJitter;
        }
    }

    /** Peers from Spring Cloud's {@code DiscoveryClient} (Kubernetes, Consul, Eureka…), beside the listed ones. */
    public static class Discovery {

        /** Whether to take peers from the application's DiscoveryClient when it has one. */
        private boolean enabled = true;

        /** The services whose instances are peers. Empty: every service but this application's own (spring.application.name). */
        private List<String> services = new ArrayList<>();

        /** The instance metadata key holding the heartbeat port; instances without it are not peers. */
        private String portMetadataKey = "heartbeat-port";

        /** The instance metadata key naming the heartbeat transport (tcp, udp); absent: the transport below. */
        private String transportMetadataKey = "heartbeat-transport";

        /** The transport of instances that name none. */
        private Transport transport = Transport.TCP;

        /** How often the instances are read again and the peers reconciled, 10ms..1h. */
        private Duration refreshInterval = Duration.ofSeconds(10);

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public List<String> getServices() {
            return services;
        }

        public void setServices(List<String> services) {
            this.services = services;
        }

        public String getPortMetadataKey() {
            return portMetadataKey;
        }

        public void setPortMetadataKey(String portMetadataKey) {
            this.portMetadataKey = portMetadataKey;
        }

        public String getTransportMetadataKey() {
            return transportMetadataKey;
        }

        public void setTransportMetadataKey(String transportMetadataKey) {
            this.transportMetadataKey = transportMetadataKey;
        }

        public Transport getTransport() {
            return transport;
        }

        public void setTransport(Transport transport) {
            this.transport = transport;
        }

        public Duration getRefreshInterval() {
            return refreshInterval;
        }

        public void setRefreshInterval(Duration refreshInterval) {
            this.refreshInterval = refreshInterval;
        }
    }
}
