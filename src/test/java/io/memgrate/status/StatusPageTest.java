package io.memgrate.status;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.memgrate.support.HeadlessChromium;
import io.memgrate.support.InjectTestClusters;
import io.memgrate.support.TestClusters;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The dashboard page at {@code /memgrate/}, rendered by a real headless Chromium from a Memgrate in front of real
 * memcached nodes, mid-migration: one old node withdrawn, one new node admitted, one waiting. The page's screenshot is
 * written to {@code target/screenshots/memgrate-page.png}.
 */
@QuarkusTest
@WithTestResource(value = TestClusters.class, scope = TestResourceScope.RESTRICTED_TO_CLASS, initArgs = {
        @ResourceArg(name = TestClusters.PLAN, value = "revision: 2\nadmit: [new-1.test]\nwithdraw: [old-2.test]\n") })
class StatusPageTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SCREENSHOT = Path.of("target/screenshots/memgrate-page.png");
    /** What a person reads on the page, gathered from its DOM. */
    private static final String READ_PAGE = """
            JSON.stringify({
              refreshes: Number(document.body.dataset.refreshes),
              version: document.getElementById('served-version').textContent,
              revision: document.getElementById('plan-revision').textContent,
              verdict: document.getElementById('verdict').dataset.verdict,
              heading: document.querySelector('#verdict h2').textContent,
              nodes: Object.fromEntries(['primary', 'secondary'].map(side => [side,
                [...document.querySelectorAll(`section.cluster[data-side="${side}"] tr.node`)]
                  .map(row => row.dataset.node + ' ' + row.dataset.state)])),
              steps: [...document.querySelectorAll('#next-steps tr.step')].map(row => row.dataset.step),
              gentlest: [...document.querySelectorAll('#next-steps tr.gentlest')].map(row => row.dataset.step),
              text: document.body.innerText,
              resources: performance.getEntriesByType('resource').map(entry => entry.name)
            })""";

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
    void pageShowsBothClustersTheVersionTheNextStepsAndFollowsAPlanChange() throws IOException {
        await().atMost(WAIT).untilAsserted(() -> given().get("/memgrate/status").then().statusCode(200)
                .body("ready", equalTo(true)));
        chromium.open(page + "?refresh=1");

        JsonNode shown = awaitPage(p -> p.path("refreshes").asInt() >= 1);
        JsonNode status = status();
        assertThat(shown.path("version").asText()).isEqualTo(status.at("/served/version").asText());
        assertThat(shown.path("revision").asText()).isEqualTo("2");
        assertThat(texts(shown.at("/nodes/primary"))).containsExactly(
                "old-1.test:" + port(clusters.primary(), 0) + " served", "old-2.test:" + port(clusters.primary(), 1) + " withdrawn");
        assertThat(texts(shown.at("/nodes/secondary"))).containsExactly(
                "new-1.test:" + port(clusters.secondary(), 0) + " served",
                "new-2.test:" + port(clusters.secondary(), 1) + " waiting");
        assertThat(texts(shown.path("steps"))).as("one row per next step, as the status lists them")
                .containsExactlyElementsOf(steps(status)).contains("admit new-2.test", "withdraw old-1.test");
        assertThat(texts(shown.path("gentlest"))).hasSize(1);
        assertThat(shown.path("verdict").asText()).isIn("safe", "wait", "unknown");
        assertThat(shown.path("text").asText()).as("text a person reads").doesNotContain("[object", "undefined", "NaN", "null");
        assertThat(texts(shown.path("resources"))).as("the page loads nothing but Memgrate's own status")
                .allMatch(url -> url.startsWith(page.toString().replace("/memgrate/", "/memgrate/status")));

        // The next step: admit new-2. The page follows without a reload.
        Files.writeString(clusters.planFile(), "revision: 3\nadmit: [new-1.test, new-2.test]\nwithdraw: [old-2.test]\n");
        JsonNode after = awaitPage(p -> texts(p.at("/nodes/secondary")).stream().allMatch(row -> row.endsWith(" served")));
        assertThat(after.path("revision").asText()).isEqualTo("3");
        assertThat(after.path("version").asText()).isEqualTo(status().at("/served/version").asText())
                .isNotEqualTo(shown.path("version").asText());
        assertThat(texts(after.path("steps"))).containsExactlyElementsOf(steps(status())).doesNotContain("admit new-2.test");

        chromium.screenshot(SCREENSHOT);
        assertThat(Files.size(SCREENSHOT)).isGreaterThan(10_000);
        assertThat(chromium.pageErrors()).as("errors the page's script reported").isEmpty();
    }

    private JsonNode awaitPage(Predicate<JsonNode> condition) {
        return await("the page in Chromium").atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .until(() -> JSON.readTree(chromium.evaluate(READ_PAGE).asText()), condition);
    }

    private static JsonNode status() throws IOException {
        return JSON.readTree(given().get("/memgrate/status").then().statusCode(200).extract().asString());
    }

    private static int port(TestClusters.Cluster cluster, int index) {
        return cluster.endpoint().config().nodes().get(index).port();
    }

    private static List<String> texts(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }

    /** The next steps as the status lists them: "admit new-2.test", ... */
    private static List<String> steps(JsonNode status) {
        List<String> steps = new ArrayList<>();
        status.at("/keyMovement/nextSteps").forEach(step -> steps.add(step.path("action").asText() + " " + step.path("host").asText()));
        return steps;
    }
}
