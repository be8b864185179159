package io.memgrate.health;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;

import io.memgrate.cluster.Side;
import io.memgrate.status.MemgrateStatus;
import io.memgrate.status.StatusSnapshot;

/**
 * DOWN when an upstream poller has not ended a poll attempt, successful or not, for several intervals. Every attempt
 * ends by a deadline and schedules the next, so a poller that stops means a defect: a restart is the cure, and
 * readiness alone (which stays UP on last known good data) would never ask for one.
 */
@Liveness
@ApplicationScoped
public class PollerLivenessCheck implements HealthCheck {

    private final MemgrateStatus status;

    @Inject
    public PollerLivenessCheck(MemgrateStatus status) {
        this.status = status;
    }

    @Override
    public HealthCheckResponse call() {
        StatusSnapshot now = status.snapshot();
        Map<Side, Duration> sincePollAttempt = new EnumMap<>(Side.class);
        now.upstreams().stream().filter(upstream -> upstream.sincePollAttempt() != null)
                .forEach(upstream -> sincePollAttempt.put(upstream.side(), upstream.sincePollAttempt()));
        return check(sincePollAttempt, now.pollerStalledAfter());
    }

    /** DOWN when any poller's last attempt ended longer than {@code limit} ago. */
    static HealthCheckResponse check(Map<Side, Duration> sinceLastAttempt, Duration limit) {
        boolean alive = true;
        HealthCheckResponseBuilder response = HealthCheckResponse.named("memgrate-pollers")
                .withData("stalled_after_seconds", limit.toSeconds());
        for (Map.Entry<Side, Duration> poller : sinceLastAttempt.entrySet()) {
            alive &= poller.getValue().compareTo(limit) <= 0;
            response.withData(poller.getKey().label() + ".seconds_since_poll_attempt", poller.getValue().toSeconds());
        }
        return response.status(alive).build();
    }
}
