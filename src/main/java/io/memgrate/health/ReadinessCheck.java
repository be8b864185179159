package io.memgrate.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import io.memgrate.cluster.Topology;
import io.memgrate.status.MemgrateStatus;
import io.memgrate.status.StatusSnapshot;

/**
 * UP once a complete merge is served and the TCP listener is bound, and from then on while Memgrate serves
 * last known good data: an upstream outage must not take every replica out of the Service at once. Staleness
 * shows in the data. DOWN as soon as shutdown begins.
 */
@Readiness
@ApplicationScoped
public class ReadinessCheck implements HealthCheck {

    private final MemgrateStatus status;

    @Inject
    public ReadinessCheck(MemgrateStatus status) {
        this.status = status;
    }

    @Override
    public HealthCheckResponse call() {
        StatusSnapshot now = status.snapshot();
        Topology served = now.served();
        HealthCheckResponseBuilder response = HealthCheckResponse.named("memgrate-merge")
                .status(now.ready())
                .withData("listening", now.listening())
                .withData("shutting_down", now.shuttingDown());
        if (served != null) {
            response.withData("served_version", served.version())
                    .withData("served_nodes", served.nodes().size());
        } else {
            response.withData("waiting_for", String.join(",", now.waitingFor()));
        }
        // stays UP: the served configuration is still the last known good one
        if (now.held() != null) {
            response.withData("held_version", now.held().merged().version())
                    .withData("held_reason", now.held().reason());
        }
        for (StatusSnapshot.UpstreamStatus upstream : now.upstreams()) {
            String prefix = upstream.side().label() + ".";
            response.withData(prefix + "endpoint", upstream.endpoint());
            if (upstream.lastGood() != null) {
                response.withData(prefix + "version", upstream.lastGood().version())
                        .withData(prefix + "nodes", upstream.lastGood().nodes().size())
                        .withData(prefix + "seconds_since_success", upstream.sinceSuccess().toSeconds());
            }
            if (upstream.lastError() != null) {
                response.withData(prefix + "last_error", upstream.lastError());
            }
        }
        return response.build();
    }
}
