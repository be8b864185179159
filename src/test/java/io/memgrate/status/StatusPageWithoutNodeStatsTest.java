package io.memgrate.status;

import static io.memgrate.status.DashboardPage.awaitReady;
import static io.memgrate.status.DashboardPage.awaitShowing;
import static io.memgrate.status.DashboardPage.texts;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.startsWith;

import java.net.URL;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.memgrate.support.HeadlessChromium;
import io.memgrate.support.InjectTestClusters;
import io.memgrate.support.TestClusters;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The dashboard page with node statistics switched off and no plan, and drawn from a status without the node and
 * verdict fields (as an older Memgrate answers): still every node in its cluster, and no verdict rather than a wrong one.
 */
@QuarkusTest
@WithTestResource(value = TestClusters.class, scope = TestResourceScope.RESTRICTED_TO_CLASS, initArgs = {
        @ResourceArg(name = TestClusters.STATS_INTERVAL, value = "0s") })
class StatusPageWithoutNodeStatsTest {

    static HeadlessChromium chromium;

    @InjectTestClusters
    TestClusters clusters;

    @TestHTTPResource("/memgrate/")
    URL page;

    @BeforeAll
    static void startBrowser() {
        chromium = HeadlessChromium.start(1440, 900);
    }

    @AfterAll
    static void stopBrowser() {
        if (chromium != null) {
            chromium.close();
        }
    }

    @Test
    void pageShowsEveryNodeAndNoVerdictWithoutNodeStatistics() {
        awaitReady();
        given().redirects().follow(false).get("/memgrate").then().statusCode(302).header("Location", endsWith("/memgrate/"));
        given().get("/memgrate/").then().statusCode(200).contentType(startsWith("text/html"));
        // Refreshed once a minute: the page drawn below from a trimmed status stays on screen while it is read.
        chromium.open(page + "?refresh=60");
        List<String> everyNodeServed = List.of(row(clusters.primary(), 0, "old-1"), row(clusters.primary(), 1, "old-2"),
                row(clusters.secondary(), 0, "new-1"), row(clusters.secondary(), 1, "new-2"));

        JsonNode off = awaitShowing(chromium, p -> p.path("refreshes").asInt() >= 1);
        assertRows(off, everyNodeServed);
        assertThat(off.path("verdict").asText()).isEqualTo("unknown");
        assertThat(off.path("text").asText()).contains("Node statistics are off (memgrate.nodes.stats-interval is 0)");
        assertThat(off.path("revision").asText()).isEqualTo("no plan");

        // A status without nodes, verdict and key movement: the nodes come from the upstreams and the served list.
        chromium.evaluate("""
                fetch('status').then(response => response.json()).then(status => {
                  delete status.nodes; delete status.nextStepVerdict; delete status.keyMovement;
                  render(status);
                  return true;
                })""");
        JsonNode trimmed = awaitShowing(chromium,
                p -> p.path("text").asText().contains("This Memgrate reports no node statistics"));
        assertRows(trimmed, everyNodeServed);
        assertThat(trimmed.path("verdict").asText()).isEqualTo("unknown");
        assertThat(texts(trimmed.path("steps"))).isEmpty();
        assertThat(chromium.pageErrors()).as("errors the page reported: its script's, Content-Security-Policy violations, failed loads").isEmpty();
    }

    private static void assertRows(JsonNode shown, List<String> served) {
        assertThat(texts(shown.at("/nodes/primary"))).containsExactlyElementsOf(served.subList(0, 2));
        assertThat(texts(shown.at("/nodes/secondary"))).containsExactlyElementsOf(served.subList(2, 4));
        assertThat(texts(shown.path("hitRatios"))).containsOnly("—");
        assertThat(shown.path("text").asText()).as("text a person reads").doesNotContain("[object", "undefined", "NaN", "null");
        assertThat(shown.path("overflow").asInt()).isLessThanOrEqualTo(0);
    }

    private static String row(TestClusters.Cluster cluster, int index, String name) {
        return name + ".test:" + cluster.endpoint().config().nodes().get(index).port() + " served";
    }
}
