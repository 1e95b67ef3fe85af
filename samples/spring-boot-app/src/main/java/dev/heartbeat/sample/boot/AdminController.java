package dev.heartbeat.sample.boot;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Drain and resume by hand: the readiness change becomes the status in this service's heartbeats
 * (DRAINING / SERVING), so its peers stop and resume sending it work within one heartbeat.
 * ({@code curl -X POST localhost:8081/admin/drain})
 */
@RestController
public class AdminController {

    private final ApplicationEventPublisher events;

    public AdminController(ApplicationEventPublisher events) {
        this.events = events;
    }

    @PostMapping("/admin/drain")
    public String drain() {
        AvailabilityChangeEvent.publish(events, this, ReadinessState.REFUSING_TRAFFIC);
        return "REFUSING_TRAFFIC\n";
    }

    @PostMapping("/admin/resume")
    public String resume() {
        AvailabilityChangeEvent.publish(events, this, ReadinessState.ACCEPTING_TRAFFIC);
        return "ACCEPTING_TRAFFIC\n";
    }
}
