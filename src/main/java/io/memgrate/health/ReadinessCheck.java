package io.memgrate.health;

import java.time.Duration;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import io.memgrate.merge.MergedView;
import io.memgrate.merge.ServedTopology;
import io.memgrate.merge.UpstreamState;
import io.memgrate.server.ConfigEndpointServer;

/**
 * UP once a complete merge is served and the TCP listener is bound, and from then on while Memgrate serves
 * last known good data: an upstream outage must not take every replica out of the Service at once. Staleness
 * shows in the data. DOWN as soon as shutdown begins.
 */
@Readiness
@ApplicationScoped
public class ReadinessCheck implements HealthCheck {

    private final MergedView view;
    private final ConfigEndpointServer server;
    private final Lifecycle lifecycle;

    @Inject
    public ReadinessCheck(MergedView view, ConfigEndpointServer server, Lifecycle lifecycle) {
        this.view = view;
        this.server = server;
        this.lifecycle = lifecycle;
    }

    @Override
    public HealthCheckResponse call() {
        ServedTopology served = view.served().orElse(null);
        boolean listening = server.listening();
        HealthCheckResponseBuilder response = HealthCheckResponse.named("memgrate-merge")
                .status(served != null && listening && !lifecycle.shuttingDown())
                .withData("listening", listening)
                .withData("shutting_down", lifecycle.shuttingDown());
        if (served != null) {
            response.withData("served_version", served.config().version())
                    .withData("served_nodes", served.config().nodes().size());
        } else {
            response.withData("waiting_for", String.join(",", view.waitingFor()));
        }
        // stays UP: the served configuration is still the last known good one
        view.held().ifPresent(held -> response.withData("held_version", held.merged().version())
                .withData("held_reason", held.reason()));
        Instant now = Instant.now();
        for (UpstreamState upstream : view.upstreams()) {
            String prefix = upstream.side().label() + ".";
            response.withData(prefix + "endpoint", upstream.endpoint());
            if (upstream.hasAnswered()) {
                response.withData(prefix + "version", upstream.lastGood().version())
                        .withData(prefix + "nodes", upstream.lastGood().nodes().size())
                        .withData(prefix + "seconds_since_success", Duration.between(upstream.lastSuccess(), now).toSeconds());
            }
            if (upstream.lastError() != null) {
                response.withData(prefix + "last_error", upstream.lastError());
            }
        }
        return response.build();
    }
}
