package io.memgrate.status;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.memgrate.server.ConfigEndpointServer;
import io.memgrate.support.TestClusters;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(value = TestClusters.class, restrictToAnnotatedClass = true)
class StatusResourceTest {

    @Inject
    ConfigEndpointServer server;

    @Test
    void statusShowsWhatIsServedAndEachUpstream() {
        TestClusters clusters = TestClusters.current();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().get("/memgrate/status").then().body("ready", equalTo(true)));
        var old = clusters.primary().endpoint().config().nodes();
        var young = clusters.secondary().endpoint().config().nodes();
        given().get("/memgrate/status").then().statusCode(200)
                .body("served.version", equalTo(10))
                .body("served.nodes", contains(old.get(0).toString(), old.get(1).toString(), young.get(0).toString(), young.get(1).toString()))
                .body("engineVersion", equalTo("1.6.22"))
                .body("listeningPort", equalTo(server.port()))
                .body("upstreams[0].side", equalTo("primary"))
                .body("upstreams[0].endpoint", equalTo("127.0.0.1:" + clusters.primary().port()))
                .body("upstreams[0].version", equalTo(7))
                .body("upstreams[0].lastError", nullValue())
                .body("upstreams[1].side", equalTo("secondary"))
                .body("upstreams[1].version", equalTo(3))
                .body("upstreams[1].engineVersion", equalTo("1.6.17"));
    }
}
