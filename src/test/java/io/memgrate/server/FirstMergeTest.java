package io.memgrate.server;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.memgrate.support.InjectTestClusters;
import io.memgrate.support.TestClusters;
import io.memgrate.support.TextClient;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Until every configured upstream has answered once, Memgrate serves no configuration at all. */
@QuarkusTest
@WithTestResource(value = TestClusters.class, scope = TestResourceScope.RESTRICTED_TO_CLASS,
        initArgs = @ResourceArg(name = TestClusters.SECONDARY_DOWN, value = "true"))
class FirstMergeTest {

    @Inject
    ConfigEndpointServer server;

    @InjectTestClusters
    TestClusters clusters;

    @Test
    void noPartialMergeIsServedBeforeEveryUpstreamAnswered() {
        String notReady = "SERVER_ERROR configuration not ready: waiting for the first answer of secondary upstream\r\n";
        try (TextClient client = new TextClient(server.port())) {
            // the primary answers, so the version is known while the merge is not
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(new TextClient(server.port()).exchange("version\r\n", "VERSION 1.6.22\r\n")).isEqualTo("VERSION 1.6.22\r\n"));
            assertThat(client.exchange("config get cluster\r\n", notReady)).isEqualTo(notReady);
            assertThat(client.exchange("get AmazonElastiCache:cluster\r\n", notReady)).isEqualTo(notReady);
            given().get("/q/health/ready").then().statusCode(503)
                    .body("checks.find { it.name == 'memgrate-merge' }.data.waiting_for", equalTo("secondary"))
                    .body("checks.find { it.name == 'memgrate-merge' }.data.'primary.version'", equalTo(7))
                    .body("checks.find { it.name == 'memgrate-merge' }.data.'secondary.last_error'", startsWith("cannot connect"));
            given().get("/q/health/started").then().statusCode(200);

            clusters.secondary().start();
            String merged = clusters.mergedReply();
            // the same connection stays usable and gets the whole merge once the secondary answered
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                String reply = client.configGet();
                if (reply.equals(notReady)) {
                    return false;
                }
                assertThat(reply).isEqualTo(merged);
                return true;
            });
            given().get("/q/health/ready").then().statusCode(200);
        }
    }
}
