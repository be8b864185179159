package io.memgrate.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Startup;

import io.memgrate.server.ConfigEndpointServer;
import io.memgrate.upstream.Upstreams;

/**
 * UP once the listener is bound and the upstream pollers run. A slow first AWS resolution or upstream answer shows in
 * readiness, not here, so it never trips liveness or restarts the pod.
 */
@Startup
@ApplicationScoped
public class StartedCheck implements HealthCheck {

    private final ConfigEndpointServer server;
    private final Upstreams upstreams;

    @Inject
    public StartedCheck(ConfigEndpointServer server, Upstreams upstreams) {
        this.server = server;
        this.upstreams = upstreams;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("memgrate-started").status(server.listening() && upstreams.started()).build();
    }
}
