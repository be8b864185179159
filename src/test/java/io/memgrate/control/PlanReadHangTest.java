package io.memgrate.control;

import static io.memgrate.support.Prometheus.counter;
import static io.memgrate.support.Prometheus.metric;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.nullValue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.memgrate.server.ConfigEndpointServer;
import io.memgrate.support.InjectTestClusters;
import io.memgrate.support.TestClusters;
import io.memgrate.support.TextClient;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A plan file whose read never returns (a hung network mount): health, status, metrics and clients go on as before,
 * the status and a metric say that it hangs, and once the read returns, checks go on and a new plan is applied.
 */
@QuarkusTest
@WithTestResource(value = TestClusters.class, scope = TestResourceScope.RESTRICTED_TO_CLASS, initArgs = {
        @ResourceArg(name = TestClusters.PLAN, value = "revision: 1\nadmit: all\n") })
class PlanReadHangTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @Inject
    ConfigEndpointServer server;

    @InjectTestClusters
    TestClusters clusters;

    @Test
    void aReadThatHangsBlocksNeitherHealthNorStatusNorClients() throws Exception {
        await().atMost(WAIT).until(() -> given().get("/q/health/ready").statusCode() == 200);
        String config = TextClient.configGet(server.port());
        assertThat(config).contains("new-2.test");
        CountDownLatch mountComesBack = new CountDownLatch(1);
        QuarkusMock.installMockForType(new PlanWatcherTest.HangingReader(mountComesBack, new AtomicInteger()),
                PlanFileReader.class);
        try {
            await().atMost(WAIT).until(() -> given().get("/memgrate/status").then().statusCode(200).extract()
                    .path("plan.readHangingSince") != null);
            assertThat(metric("memgrate_plan_read_hanging")).isEqualTo(1.0);
            await().atMost(WAIT).until(() -> counter("memgrate_plan_checks_skipped_total") >= 10);
            given().get("/q/health/live").then().statusCode(200);
            given().get("/q/health/ready").then().statusCode(200);
            assertThat(TextClient.configGet(server.port())).isEqualTo(config);

            Files.writeString(clusters.planFile(), "revision: 2\n");
            mountComesBack.countDown();

            await().atMost(WAIT).until(() -> given().get("/memgrate/status").then().extract()
                    .<Integer>path("plan.revision") == 2);
            given().get("/memgrate/status").then().body("plan.readHangingSince", nullValue());
            assertThat(metric("memgrate_plan_read_hanging")).isZero();
        } finally {
            mountComesBack.countDown();
        }
    }
}
