package io.memgrate.health;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.memgrate.cluster.Side;
import io.memgrate.cluster.Topology;
import io.memgrate.support.InjectTestClusters;
import io.memgrate.support.TestClusters;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;

/** Readiness, liveness and startup JSON in each state. Ends in the shutting-down state, so it runs alone. */
@QuarkusTest
@WithTestResource(value = TestClusters.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HealthTest {

    @Inject
    @Liveness
    EventLoopLivenessCheck liveness;

    @Inject
    Vertx vertx;

    @Inject
    Event<ShutdownDelayInitiatedEvent> shutdownDelay;

    @InjectTestClusters
    TestClusters clusters;

    @AfterEach
    void restore() {
        clusters.restore();
    }

    @Test
    @Order(1)
    void readyOnceTheMergeIsServedWithEachUpstreamsState() {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200));
        given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'memgrate-merge' }.data.served_version", equalTo(10))
                .body("checks.find { it.name == 'memgrate-merge' }.data.served_nodes", equalTo(4))
                .body("checks.find { it.name == 'memgrate-merge' }.data.listening", equalTo(true))
                .body("checks.find { it.name == 'memgrate-merge' }.data.'primary.endpoint'", equalTo("127.0.0.1:" + clusters.primary().port()))
                .body("checks.find { it.name == 'memgrate-merge' }.data.'primary.version'", equalTo(7))
                .body("checks.find { it.name == 'memgrate-merge' }.data.'primary.nodes'", equalTo(2))
                .body("checks.find { it.name == 'memgrate-merge' }.data.'secondary.version'", equalTo(3))
                .body("checks.find { it.name == 'memgrate-merge' }.data.'secondary.nodes'", equalTo(2));
        given().get("/q/health/started").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    @Order(2)
    void staysReadyWhileAnUpstreamFailsAndShowsTheError() {
        clusters.primary().stop();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().get("/q/health/ready").then()
                .body("checks.find { it.name == 'memgrate-merge' }.data.'primary.last_error'", startsWith("cannot connect to 127.0.0.1:")));
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.find { it.name == 'memgrate-merge' }.data.'primary.version'", equalTo(7));
        // failed polls are attempts that ended: the poller is alive
        given().get("/q/health/live").then().statusCode(200)
                .body("checks.find { it.name == 'memgrate-pollers' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'memgrate-pollers' }.data.'primary.seconds_since_poll_attempt'", equalTo(0))
                .body("checks.find { it.name == 'memgrate-pollers' }.data.'secondary.seconds_since_poll_attempt'", equalTo(0));
    }

    @Test
    @Order(3)
    void livenessIsDownWhenAPollerEndedNoAttemptForLongerThanTheLimit() {
        Duration limit = Duration.ofSeconds(30);
        HealthCheckResponse stalled = PollerLivenessCheck.check(
                Map.of(Side.PRIMARY, Duration.ofSeconds(31), Side.SECONDARY, Duration.ofSeconds(1)), limit);
        assertThat(stalled.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(stalled.getData().orElseThrow()).containsEntry("primary.seconds_since_poll_attempt", 31L)
                .containsEntry("stalled_after_seconds", 30L);
        assertThat(PollerLivenessCheck.check(Map.of(Side.PRIMARY, limit), limit).getStatus())
                .isEqualTo(HealthCheckResponse.Status.UP);
    }

    @Test
    @Order(4)
    void staysReadyWhileANewNodeListIsHeldBackAndShowsWhy() {
        Topology primary = clusters.primary().endpoint().config();
        clusters.primary().endpoint().setConfig(new Topology(primary.version() - 2, primary.nodes().subList(1, 2)));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().get("/q/health/ready").then()
                .body("checks.find { it.name == 'memgrate-merge' }.data.held_version", equalTo(8)));
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.find { it.name == 'memgrate-merge' }.data.served_version", equalTo(10))
                .body("checks.find { it.name == 'memgrate-merge' }.data.held_reason",
                        startsWith("primary upstream 127.0.0.1:" + clusters.primary().port() + " went down from version 7 to 5"));
    }

    @Test
    @Order(5)
    void livenessIsDownWhileAnEventLoopIsStuck() throws Exception {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch stuck = new CountDownLatch(1);
        vertx.nettyEventLoopGroup().next().execute(() -> {
            stuck.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            assertThat(stuck.await(5, TimeUnit.SECONDS)).isTrue();
            HealthCheckResponse response = liveness.call();
            assertThat(response.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
            assertThat(response.getData().orElseThrow()).containsEntry("stuck_event_loops", 1L);
        } finally {
            release.countDown();
        }
        assertThat(liveness.call().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
    }

    @Test
    @Order(6)
    void readinessGoesDownFirstWhenShutdownBegins() {
        shutdownDelay.fire(new ShutdownDelayInitiatedEvent());
        given().get("/q/health/ready").then().statusCode(503)
                .body("checks.find { it.name == 'memgrate-merge' }.status", equalTo("DOWN"))
                .body("checks.find { it.name == 'memgrate-merge' }.data.shutting_down", equalTo(true))
                .body("checks.find { it.name == 'memgrate-merge' }.data.listening", equalTo(true));
    }
}
