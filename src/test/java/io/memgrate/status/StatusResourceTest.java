package io.memgrate.status;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import java.time.Duration;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.memgrate.cluster.Topology;
import io.memgrate.server.ConfigEndpointServer;
import io.memgrate.support.InjectTestClusters;
import io.memgrate.support.TestClusters;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The status page from a fresh start (the versions it shows are those of a first merge). */
@QuarkusTest
@WithTestResource(value = TestClusters.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StatusResourceTest {

    @Inject
    ConfigEndpointServer server;

    @InjectTestClusters
    TestClusters clusters;

    @AfterEach
    void restore() {
        clusters.restore();
    }

    @Test
    @Order(1)
    void statusShowsWhatIsServedAndEachUpstream() {
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

    @Test
    @Order(2)
    void statusShowsANewNodeListHeldBackAndWhy() {
        given().get("/memgrate/status").then().body("held", nullValue());
        Topology primary = clusters.primary().endpoint().config();
        var replacement = primary.nodes().get(1);
        clusters.primary().endpoint().setConfig(new Topology(primary.version() - 2, List.of(replacement)));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().get("/memgrate/status").then()
                .body("held.version", equalTo(8)));
        var young = clusters.secondary().endpoint().config().nodes();
        given().get("/memgrate/status").then().statusCode(200)
                .body("ready", equalTo(true))
                .body("served.version", equalTo(10))
                .body("held.nodes", contains(replacement.toString(), young.get(0).toString(), young.get(1).toString()))
                .body("held.reason", startsWith("primary upstream 127.0.0.1:" + clusters.primary().port()
                        + " went down from version 7 to 5 (was the cluster replaced?), so the merged version 8 is not "
                        + "higher than version 10 already served, which clients holding it would ignore. Fix: raise "
                        + "memgrate.version-offset to at least 3 on every Memgrate replica, then restart them one by one."));
    }
}
