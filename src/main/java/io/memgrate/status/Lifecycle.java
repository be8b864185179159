package io.memgrate.status;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;

/** Knows when shutdown has begun, so readiness turns DOWN before the listener stops. */
@ApplicationScoped
public class Lifecycle {

    private volatile boolean shuttingDown;

    /** Fired first, when {@code quarkus.shutdown.delay} is enabled: the Service drops the pod during the delay. */
    void onShutdownDelay(@Observes ShutdownDelayInitiatedEvent event) {
        shuttingDown = true;
    }

    void onShutdown(@Observes @Priority(1) ShutdownEvent event) {
        shuttingDown = true;
    }

    public boolean shuttingDown() {
        return shuttingDown;
    }
}
