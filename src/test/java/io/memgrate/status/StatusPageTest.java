package io.memgrate.status;

import static io.memgrate.status.DashboardPage.awaitReady;
import static io.memgrate.status.DashboardPage.awaitShowing;
import static io.memgrate.status.DashboardPage.status;
import static io.memgrate.status.DashboardPage.texts;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.matchesRegex;
import static org.hamcrest.Matchers.not;

import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.memgrate.support.HeadlessChromium;
import io.memgrate.support.InjectTestClusters;
import io.memgrate.support.MemcachedProcess;
import io.memgrate.support.TestClusters;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The dashboard page at {@code /memgrate/}, rendered by a real headless Chromium from a Memgrate in front of real
 * memcached nodes under client traffic, mid-migration: one old node withdrawn, new nodes admitted one by one, a served
 * node lost. Its screenshot is written to {@code target/screenshots/memgrate-page.png}.
 */
@QuarkusTest
@WithTestResource(value = TestClusters.class, scope = TestResourceScope.RESTRICTED_TO_CLASS, initArgs = {
        @ResourceArg(name = TestClusters.PLAN, value = "revision: 2\nadmit: [new-1.memgrate.local]\nwithdraw: [old-2.memgrate.local]\n"),
        // host names as long as dev mode's, which the page's tables must fit at 1440 pixels
        @ResourceArg(name = TestClusters.DOMAIN, value = "memgrate.local"),
        // node statistics every half second, so hit ratios and their history fill within the test
        @ResourceArg(name = TestClusters.STATS_INTERVAL, value = "500ms") })
class StatusPageTest {

    private static final Path SCREENSHOT = Path.of("target/screenshots/memgrate-page.png");
    /** Only the page's own files, reading its status, and the empty data: favicon. */
    private static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src data:;"
            + " connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    static HeadlessChromium chromium;

    @InjectTestClusters
    TestClusters clusters;

    @TestHTTPResource("/memgrate/")
    URL page;

    private final ScheduledExecutorService traffic = Executors.newSingleThreadScheduledExecutor();

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

    /** The page, its script and style, the status and the redirect to the page all carry both headers. */
    @Test
    void everyMemgrateResponseCarriesTheContentSecurityPolicyAndNosniff() {
        for (String path : List.of("/memgrate/", "/memgrate/dashboard.js", "/memgrate/dashboard.css", "/memgrate/status",
                "/memgrate")) {
            given().redirects().follow(false).get(path).then()
                    .statusCode(path.equals("/memgrate") ? 302 : 200)
                    .header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                    .header("X-Content-Type-Options", "nosniff");
        }
        given().get("/memgrate/").then().body(not(containsString("<script>")), not(containsString("<style>")),
                not(matchesRegex("(?s).*\\s(style|on[a-z]+)=.*")));
    }

    @AfterEach
    void stopTraffic() throws InterruptedException {
        traffic.shutdownNow();
        assertThat(traffic.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        clusters.restore();
    }

    @Test
    void pageShowsBothClustersNodesTheVerdictAndFollowsAMigration() throws IOException {
        // Clients read every node; each answers its own share of hits (old-1 90 %, old-2 50 %, new-1 60 %, new-2 30 %).
        List<MemcachedProcess> nodes = List.of(clusters.oldNodes().get(0), clusters.oldNodes().get(1),
                clusters.newNodes().get(0), clusters.newNodes().get(1));
        int[] hitsInTen = { 9, 5, 6, 3 };
        for (MemcachedProcess node : nodes) {
            node.command("set key 0 0 5\r\nvalue\r\n");
        }
        traffic.scheduleWithFixedDelay(() -> {
            for (int i = 0; i < nodes.size(); i++) {
                // memcached counts each key of a multi-get as one get, a hit or a miss
                String keys = "key ".repeat(hitsInTen[i]) + "absent ".repeat(10 - hitsInTen[i]);
                try {
                    nodes.get(i).command("get " + keys.trim() + "\r\n");
                } catch (IOException e) {
                    // a node the test stopped: clients miss it too
                }
            }
        }, 0, 20, TimeUnit.MILLISECONDS);
        awaitReady();
        chromium.open(page + "?refresh=1");

        // Mid-migration: every node in its cluster with its state, hit ratio and history, the next steps, the verdict.
        JsonNode shown = awaitShowing(chromium, p -> p.path("refreshes").asInt() >= 1
                && texts(p.path("hitRatios")).stream().noneMatch("—"::equals)
                && texts(p.path("sparkPoints")).stream().allMatch(points -> Integer.parseInt(points) >= 3));
        JsonNode status = status();
        assertThat(shown.path("version").asText()).isEqualTo(status.at("/served/version").asText());
        assertThat(shown.path("revision").asText()).isEqualTo("2");
        assertThat(texts(shown.at("/nodes/primary"))).containsExactly(row(clusters.primary(), 0, "old-1", "served"),
                row(clusters.primary(), 1, "old-2", "withdrawn"));
        assertThat(texts(shown.at("/nodes/secondary"))).containsExactly(row(clusters.secondary(), 0, "new-1", "served"),
                row(clusters.secondary(), 1, "new-2", "waiting"));
        assertThat(texts(shown.path("hitRatios")).stream().map(text -> Double.parseDouble(text.replace(" %", ""))))
                .as("hit ratio of each node, from its own stats").zipSatisfy(List.of(90.0, 50.0, 60.0, 30.0),
                        (seen, expected) -> assertThat(seen).isCloseTo(expected, within(2.0)));
        assertThat(texts(shown.path("steps"))).as("one row per next step, as the status lists them")
                .containsExactlyElementsOf(steps(status)).contains("admit new-2.memgrate.local", "withdraw old-1.memgrate.local");
        assertThat(texts(shown.path("names"))).as("each node by the name a plan takes, its port smaller beside it")
                .containsExactly("old-1.memgrate.local", "old-2.memgrate.local", "new-1.memgrate.local", "new-2.memgrate.local");
        assertThat(texts(shown.path("ports"))).containsExactlyElementsOf(clusters.listedNodes().stream()
                .map(node -> ":" + node.port()).toList());
        assertThat(shown.path("overflow").asInt()).as("pixels the page or a node table is wider than a 1440-pixel window"
                + " gives it, with a node waiting to be admitted").isLessThanOrEqualTo(0);
        assertThat(texts(shown.path("gentlest"))).hasSize(1);
        assertThat(shown.path("verdict").asText()).as("new-1 answers 60 %% against the served 75 %%: not warm")
                .isEqualTo("wait");
        assertThat(texts(shown.path("reasons"))).anyMatch(reason -> reason.contains("new-1.memgrate.local"))
                .as("the status's reasons, read a moment apart (ratios may have moved)").map(StatusPageTest::ratiosMasked)
                .containsExactlyElementsOf(
                        texts(status.at("/nextStepVerdict/reasons")).stream().map(StatusPageTest::ratiosMasked).toList());
        assertThat(shown.path("text").asText()).as("text a person reads")
                .doesNotContain("[object", "undefined", "NaN", "null");
        assertThat(texts(shown.path("resources"))).as("the page loads nothing but its own style and script and Memgrate's status")
                .allMatch(url -> url.equals(page + "dashboard.css") || url.equals(page + "dashboard.js")
                        || url.startsWith(page + "status"));

        // The next step, admit new-2: the page follows without a reload.
        Files.writeString(clusters.planFile(),
                "revision: 3\nadmit: [new-1.memgrate.local, new-2.memgrate.local]\nwithdraw: [old-2.memgrate.local]\n");
        JsonNode after = awaitShowing(chromium,
                p -> texts(p.at("/nodes/secondary")).stream().allMatch(row -> row.endsWith(" served"))
                        && !texts(p.path("steps")).contains("admit new-2.memgrate.local")); // worked out just after the change
        assertThat(after.path("revision").asText()).isEqualTo("3");
        assertThat(after.path("version").asText()).isEqualTo(status().at("/served/version").asText())
                .isNotEqualTo(shown.path("version").asText());
        assertThat(texts(after.path("steps"))).containsExactlyElementsOf(steps(status())).doesNotContain("admit new-2.memgrate.local");

        // A served node lost: shown unreachable, and the verdict says so.
        nodes.get(0).close();
        String old1 = "old-1.memgrate.local:" + clusters.primary().endpoint().config().nodes().get(0).port();
        JsonNode lost = awaitShowing(chromium, p -> texts(p.at("/nodes/primary")).contains(old1 + " unreachable"));
        assertThat(lost.path("verdict").asText()).isEqualTo("wait");
        assertThat(texts(lost.path("reasons"))).anyMatch(reason -> reason.contains("old-1.memgrate.local"));
        assertThat(lost.path("overflow").asInt()).as("pixels the page or a node table is wider than a 1440-pixel window gives it")
                .isLessThanOrEqualTo(0);

        chromium.screenshot(SCREENSHOT);
        assertThat(Files.size(SCREENSHOT)).isGreaterThan(10_000);
        assertThat(chromium.pageErrors()).as("errors the page reported: its script's, Content-Security-Policy violations, failed loads").isEmpty();
    }

    /** A node row as the page keys it: "old-1.memgrate.local:port state". */
    private static String row(TestClusters.Cluster cluster, int index, String name, String state) {
        return name + ".memgrate.local:" + cluster.endpoint().config().nodes().get(index).port() + " " + state;
    }

    /** The next steps as the status lists them: "admit new-2.memgrate.local", ... */
    private static List<String> steps(JsonNode status) {
        List<String> steps = new ArrayList<>();
        status.at("/keyMovement/nextSteps").forEach(step -> steps.add(step.path("action").asText() + " " + step.path("host").asText()));
        return steps;
    }

    private static String ratiosMasked(String reason) {
        return reason.replaceAll("\\d+\\.\\d+", "#");
    }

}
