package io.memgrate.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Startup;

import io.memgrate.status.MemgrateStatus;

/**
 * UP once the listener is bound and the upstream pollers run. A slow first AWS resolution or upstream answer shows in
 * readiness, not here, so it never trips liveness or restarts the pod.
 */
@Startup
@ApplicationScoped
public class StartedCheck implements HealthCheck {

    private final MemgrateStatus status;

    @Inject
    public StartedCheck(MemgrateStatus status) {
        this.status = status;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("memgrate-started").status(status.snapshot().started()).build();
    }
}
