package io.memgrate.health;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Vertx;

/** DOWN when any Vert.x event loop cannot run a task within the deadline: a stuck loop stops serving clients. */
@Liveness
@ApplicationScoped
public class EventLoopLivenessCheck implements HealthCheck {

    static final long DEADLINE_MILLIS = 2_000;

    private final Vertx vertx;

    @Inject
    public EventLoopLivenessCheck(Vertx vertx) {
        this.vertx = vertx;
    }

    @Override
    public HealthCheckResponse call() {
        int loops = 0;
        for (EventExecutor ignored : vertx.nettyEventLoopGroup()) {
            loops++;
        }
        CountDownLatch answered = new CountDownLatch(loops);
        long started = System.nanoTime();
        vertx.nettyEventLoopGroup().forEach(loop -> loop.execute(answered::countDown));
        boolean alive;
        try {
            alive = answered.await(DEADLINE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            alive = false;
        }
        return HealthCheckResponse.named("memgrate-event-loops").status(alive)
                .withData("event_loops", loops)
                .withData("stuck_event_loops", answered.getCount())
                .withData("round_trip_ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started))
                .build();
    }
}
