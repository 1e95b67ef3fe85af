package dev.heartbeat.spring.autoconfigure;

import dev.heartbeat.engine.HeartbeatMonitor;
import dev.heartbeat.engine.HeartbeatResponder;
import dev.heartbeat.engine.JvmLoadProvider;
import dev.heartbeat.engine.LoadProvider;
import dev.heartbeat.engine.PeerObserver;
import dev.heartbeat.peer.PeerRegistry;
import dev.heartbeat.peer.PeerSpec;
import dev.heartbeat.spring.responder.HeartbeatResponderServer;
import dev.heartbeat.spring.responder.ResponderStatusUpdater;
import dev.heartbeat.tcp.KeepaliveTransport;
import dev.heartbeat.tcp.TcpClientTransport;
import dev.heartbeat.udp.UdpClientTransport;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The core of the starter: the settings (every {@code heartbeat.*} property checked), this
 * application's responder and its server, the status it reports, and the monitor of its peers.
 * Health, metrics, breakers and discovery have auto-configurations of their own, each behind its
 * library's class and an {@code enabled} property. Every bean backs off when the application
 * defines its own.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = HeartbeatProperties.PREFIX + ".enabled", matchIfMissing = true)
@EnableConfigurationProperties(HeartbeatProperties.class)
public class HeartbeatAutoConfiguration {

    /** Every property checked and converted; an invalid one stops start-up here. */
    @Bean
    @ConditionalOnMissingBean
    public HeartbeatSettings heartbeatSettings(HeartbeatProperties properties, Environment environment) {
        return HeartbeatSettings.of(properties, environment.getProperty("spring.application.name"));
    }

    /** What this application answers to those who watch it. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBooleanProperty(name = HeartbeatProperties.PREFIX + ".responder.enabled", matchIfMissing = true)
    public static class ResponderConfiguration {

        /** This JVM's load (CPU, heap after GC, and what the application feeds it) for the PONGs. */
        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean(LoadProvider.class)
        public JvmLoadProvider heartbeatLoadProvider() {
            return JvmLoadProvider.create();
        }

        /** The responder: status and load in every PONG. */
        @Bean
        @ConditionalOnMissingBean
        public HeartbeatResponder heartbeatResponder(HeartbeatSettings settings, LoadProvider loadProvider,
                                                     ObjectProvider<HeartbeatResponderCustomizer> customizers) {
            HeartbeatProperties.Responder p = settings.properties().getResponder();
            HeartbeatResponder.Builder b = HeartbeatResponder.builder().loadProvider(loadProvider)
                    .minInterval(p.getMinInterval());
            if (settings.nodeId() != null) {
                b.nodeId(settings.nodeId());
            }
            if (settings.responderAuthenticator() != null) {
                b.sealer(settings.responderAuthenticator()).verifier(settings.responderAuthenticator());
            }
            customizers.orderedStream().forEach(c -> c.customize(b));
            return b.build();
        }

        /** The responder on the network; binds at start, sends GOODBYE at shutdown. */
        @Bean
        @ConditionalOnMissingBean
        public HeartbeatResponderServer heartbeatResponderServer(HeartbeatResponder responder, HeartbeatSettings settings) {
            HeartbeatProperties.Responder p = settings.properties().getResponder();
            HeartbeatResponderServer.Kind kind = p.getTransport() == HeartbeatProperties.Transport.UDP
                    ? HeartbeatResponderServer.Kind.UDP : HeartbeatResponderServer.Kind.TCP;
            return new HeartbeatResponderServer(responder, kind, p.getBindAddress().trim(), p.getPort(), p.getCloseGrace(),
                    p.getEventLoopThreads(), p.getGoodbyeComeBackAfter());
        }

        /** Readiness (and, with actuator, health) become the status in our PONGs. */
        @Bean
        @ConditionalOnMissingBean
        public ResponderStatusUpdater heartbeatStatusUpdater(HeartbeatResponder responder, HeartbeatSettings settings,
                                                             ObjectProvider<ApplicationAvailability> availability) {
            return new ResponderStatusUpdater(responder, availability.getIfAvailable(),
                    settings.properties().getResponder().isStatusFromAvailability());
        }
    }

    /** How this application watches its peers. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBooleanProperty(name = HeartbeatProperties.PREFIX + ".monitor.enabled", matchIfMissing = true)
    public static class MonitorConfiguration {

        /** The registry of peers: events are the only way out of it. */
        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean
        public PeerRegistry heartbeatPeerRegistry() {
            return PeerRegistry.create();
        }

        /**
         * The monitor, with a transport per scheme (tcp, udp, keepalive), the listed peers added,
         * and every {@link PeerObserver} bean observing.
         */
        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean
        public HeartbeatMonitor heartbeatMonitor(HeartbeatSettings settings, PeerRegistry registry,
                                                 ObjectProvider<PeerObserver> observers,
                                                 ObjectProvider<HeartbeatMonitorCustomizer> customizers) {
            HeartbeatProperties.Monitor p = settings.properties().getMonitor();
            HeartbeatProperties.Keepalive k = p.getKeepalive();
            HeartbeatMonitor.Builder b = HeartbeatMonitor.builder()
                    .transport("tcp", TcpClientTransport.create())
                    .transport("udp", UdpClientTransport.create())
                    .transport("keepalive", KeepaliveTransport.builder().detectWithin(k.getDetectWithin())
                            .probes(k.getProbes()).build())
                    .defaultTransport(p.getDefaultTransport().scheme())
                    .config(settings.monitorConfig())
                    .registry(registry)
                    .watchGarbageCollector(p.isWatchGarbageCollector());
            if (settings.nodeId() != null) {
                b.nodeId(settings.nodeId());
            }
            if (settings.monitorAuthenticator() != null) {
                b.authentication(settings.monitorAuthenticator(), settings.monitorAuthenticator());
            }
            observers.orderedStream().forEach(b::observer);
            customizers.orderedStream().forEach(c -> c.customize(b));
            HeartbeatMonitor monitor = b.build();
            try {
                for (PeerSpec spec : settings.peers()) {
                    try {
                        monitor.addPeer(spec, settings.peerConfig(spec.name()));
                    } catch (IllegalArgumentException e) {
                        throw PropertyChecks.rename(HeartbeatProperties.PREFIX + ".peers." + spec.name() + ".address",
                                spec.address(), e);
                    }
                }
            } catch (RuntimeException e) {
                monitor.close();
                throw e;
            }
            return monitor;
        }
    }
}
