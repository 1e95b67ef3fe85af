package dev.heartbeat.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.heartbeat.detect.AdaptiveDetector;
import dev.heartbeat.detect.DeadlineDetector;
import dev.heartbeat.detect.PhiAccrualDetector;
import dev.heartbeat.engine.HeartbeatMonitor;
import dev.heartbeat.engine.HeartbeatResponder;
import dev.heartbeat.engine.MonitorConfig;
import dev.heartbeat.failover.FailoverRouter;
import dev.heartbeat.failover.PanicMode;
import dev.heartbeat.failover.PeerClients;
import dev.heartbeat.peer.Peer;
import dev.heartbeat.peer.PeerSpec;
import dev.heartbeat.spring.autoconfigure.HeartbeatProperties;
import dev.heartbeat.spring.autoconfigure.HeartbeatSettings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Properties bind, and reach the library's objects with the values written. */
class BindingTest {

    @Test
    void defaultsAreTheLibrarysDefaults() {
        Runners.heartbeat().run(ctx -> {
            HeartbeatSettings s = ctx.getBean(HeartbeatSettings.class);
            assertThat(s.monitorConfig().toString()).isEqualTo(MonitorConfig.ofDefaults().toString());
            assertThat(s.peers()).isEmpty();
            assertThat(s.nodeId()).isNull();
            assertThat(ctx.getBean(HeartbeatResponder.class).nodeId()).startsWith("responder@");
        });
    }

    @Test
    void everyMonitorPropertyReachesTheMonitorConfig() {
        Runners.heartbeat().withPropertyValues("spring.application.name=orders",
                "heartbeat.monitor.interval=100ms", "heartbeat.monitor.probe-interval=20ms",
                "heartbeat.monitor.initial-timeout=3s", "heartbeat.monitor.dead-after-probes=3",
                "heartbeat.monitor.degrade-after=4", "heartbeat.monitor.recover-after=5", "heartbeat.monitor.jitter=0.2",
                "heartbeat.monitor.pause-threshold=30ms", "heartbeat.monitor.pause-grace=90ms",
                "heartbeat.monitor.honor-peer-min-interval=false", "heartbeat.monitor.max-advised-interval=1s",
                "heartbeat.monitor.max-silence=4s", "heartbeat.monitor.max-forgiveness=500ms",
                "heartbeat.monitor.degraded-loss=0.5", "heartbeat.monitor.detector.mistakes-per-hour=0.5",
                "heartbeat.monitor.default-transport=udp").run(ctx -> {
            MonitorConfig c = ctx.getBean(HeartbeatSettings.class).monitorConfig();
            assertThat(c.interval()).isEqualTo(Duration.ofMillis(100));
            assertThat(c.probeInterval()).isEqualTo(Duration.ofMillis(20));
            assertThat(c.initialTimeout()).isEqualTo(Duration.ofSeconds(3));
            assertThat(c.deadAfterProbes()).isEqualTo(3);
            assertThat(c.degradeAfter()).isEqualTo(4);
            assertThat(c.recoverAfter()).isEqualTo(5);
            assertThat(c.jitter()).isEqualTo(0.2);
            assertThat(c.pauseThreshold()).isEqualTo(Duration.ofMillis(30));
            assertThat(c.pauseGrace()).isEqualTo(Duration.ofMillis(90));
            assertThat(c.honorPeerMinInterval()).isFalse();
            assertThat(c.maxAdvisedInterval()).isEqualTo(Duration.ofSeconds(1));
            assertThat(c.maxSilence()).isEqualTo(Duration.ofSeconds(4));
            assertThat(c.maxForgiveness()).isEqualTo(Duration.ofMillis(500));
            assertThat(c.degradedLoss()).isEqualTo(0.5);
            assertThat(((AdaptiveDetector.Config) c.detector()).mistakesPerHour()).isEqualTo(0.5);
            assertThat(ctx.getBean(HeartbeatMonitor.class).config().toString()).isEqualTo(c.toString());
            // the application's name becomes the node id of both ends
            assertThat(ctx.getBean(HeartbeatMonitor.class).nodeId()).isEqualTo("orders-" + ProcessHandle.current().pid());
            assertThat(ctx.getBean(HeartbeatResponder.class).nodeId()).isEqualTo("orders-" + ProcessHandle.current().pid());
        });
    }

    @Test
    void detectorsAndTheirOptions() {
        Runners.heartbeat().withPropertyValues("heartbeat.monitor.detector.type=phi-accrual",
                "heartbeat.monitor.detector.threshold=10", "heartbeat.monitor.detector.suspect-threshold=4",
                "heartbeat.monitor.detector.max-sample-size=50", "heartbeat.monitor.detector.min-std-deviation=20ms",
                "heartbeat.monitor.detector.acceptable-pause=100ms").run(ctx -> {
            PhiAccrualDetector.Config d = (PhiAccrualDetector.Config) ctx.getBean(HeartbeatSettings.class).monitorConfig().detector();
            assertThat(d.threshold()).isEqualTo(10.0);
            assertThat(d.suspectThreshold()).isEqualTo(4.0);
            assertThat(d.maxSampleSize()).isEqualTo(50);
            assertThat(d.minStdDeviation()).isEqualTo(Duration.ofMillis(20));
            assertThat(d.acceptablePause()).isEqualTo(Duration.ofMillis(100));
        });
        Runners.heartbeat().withPropertyValues("heartbeat.monitor.detector.type=deadline",
                "heartbeat.monitor.detector.suspect-after=300ms", "heartbeat.monitor.detector.dead-after=700ms").run(ctx -> {
            DeadlineDetector.Config d = (DeadlineDetector.Config) ctx.getBean(HeartbeatSettings.class).monitorConfig().detector();
            assertThat(d.suspectAfter()).isEqualTo(Duration.ofMillis(300));
            assertThat(d.deadAfter()).isEqualTo(Duration.ofMillis(700));
        });
    }

    @Test
    void peersWithTheirTransportAndAttributes() {
        Runners.heartbeat().withPropertyValues("heartbeat.monitor.initial-timeout=10s",
                "heartbeat.peers.orders-1.address=127.0.0.1:1", "heartbeat.peers.orders-1.transport=udp",
                "heartbeat.peers.orders-1.data-address=127.0.0.1:8080", "heartbeat.peers.orders-1.zone=eu-1",
                "heartbeat.peers.orders-1.weight=50", "heartbeat.peers.orders-1.metadata.version=3",
                "heartbeat.peers.[orders.db].address=keepalive://127.0.0.1:2").run(ctx -> {
            assertThat(ctx).hasNotFailed();
            Map<String, PeerSpec> specs = new java.util.LinkedHashMap<>();
            ctx.getBean(HeartbeatSettings.class).peers().forEach(s -> specs.put(s.name(), s));
            assertThat(specs).containsOnlyKeys("orders-1", "orders.db");
            PeerSpec o = specs.get("orders-1");
            assertThat(o.address()).isEqualTo("udp://127.0.0.1:1");
            assertThat(o.attributes().dataAddress()).isEqualTo("127.0.0.1:8080");
            assertThat(o.attributes().zone()).isEqualTo("eu-1");
            assertThat(o.attributes().weight()).isEqualTo(50);
            assertThat(o.attributes().metadata()).containsEntry("version", "3");
            HeartbeatMonitor monitor = ctx.getBean(HeartbeatMonitor.class);
            assertThat(monitor.peers()).extracting(Peer::name).containsExactlyInAnyOrder("orders-1", "orders.db");
            assertThat(monitor.peer("orders.db").orElseThrow().address()).isEqualTo("keepalive://127.0.0.1:2");
        });
    }

    @Test
    void aPeerCanHaveItsOwnIntervalAndInitialTimeout() {
        Runners.heartbeat().withPropertyValues("heartbeat.monitor.interval=200ms",
                "heartbeat.peers.near.address=127.0.0.1:1",
                "heartbeat.peers.far.address=127.0.0.1:2", "heartbeat.peers.far.interval=1s",
                "heartbeat.peers.far.initial-timeout=5s").run(ctx -> {
            assertThat(ctx).hasNotFailed();
            HeartbeatMonitor monitor = ctx.getBean(HeartbeatMonitor.class);
            Peer far = monitor.peer("far").orElseThrow();
            Peer near = monitor.peer("near").orElseThrow();
            assertThat(monitor.config(far).interval()).isEqualTo(java.time.Duration.ofSeconds(1));
            assertThat(monitor.config(far).initialTimeout()).isEqualTo(java.time.Duration.ofSeconds(5));
            assertThat(monitor.config(far).probeInterval()).isEqualTo(monitor.config().probeInterval());
            assertThat(monitor.config(near)).isSameAs(monitor.config());
        });
    }

    @Test
    void routerPanicAndSlowStartOptions() {
        Runners.heartbeat().withUserConfiguration(Clients.class).withPropertyValues("heartbeat.panic.mode=fail-closed",
                "heartbeat.panic.threshold=0.3", "heartbeat.routing.max-attempts=2", "heartbeat.slow-start.enabled=false",
                "heartbeat.routing.retry-budget.ratio=0.1").run(ctx -> {
            assertThat(ctx).hasNotFailed();
            HeartbeatProperties p = ctx.getBean(HeartbeatProperties.class);
            assertThat(p.getPanic().getMode()).isEqualTo(PanicMode.FAIL_CLOSED);
            FailoverRouter<?> router = ctx.getBean(FailoverRouter.class);
            assertThat(router.retryBudget().ratio()).isEqualTo(0.1);
        });
    }

    @Test
    void keyFilesAuthenticateBothEndsAndUdpIsAResponderTransport(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path keys = dir.resolve("keys");
        java.nio.file.Files.writeString(keys, "key 1 hex:00112233445566778899aabbccddeeff\n");
        java.nio.file.Files.setPosixFilePermissions(keys, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        // the application watches itself, over authenticated TCP
        Runners.heartbeat().withPropertyValues("heartbeat.responder.key-file=" + keys, "heartbeat.monitor.key-file=" + keys,
                "heartbeat.responder.port=" + port, "heartbeat.peers.self.address=127.0.0.1:" + port).run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(ctx.getBean(HeartbeatResponder.class).verifier()).isNotNull();
            Peer self = ctx.getBean(HeartbeatMonitor.class).peer("self").orElseThrow();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(self::available);
            assertThat(ctx.getBean(HeartbeatResponder.class).answered()).isPositive();
        });
        Runners.heartbeat().withPropertyValues("heartbeat.responder.transport=udp").run(ctx -> {
            assertThat(ctx).hasNotFailed();
            dev.heartbeat.spring.responder.HeartbeatResponderServer server =
                    ctx.getBean(dev.heartbeat.spring.responder.HeartbeatResponderServer.class);
            assertThat(server.udp()).isPresent();
            assertThat(server.transportName()).startsWith("udp");
            assertThat(server.port()).isPositive();
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class Clients {
        @Bean
        PeerClients<String> myClients() {
            return Peer::name;
        }
    }
}
