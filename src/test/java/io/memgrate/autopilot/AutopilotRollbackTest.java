package io.memgrate.autopilot;

import static io.memgrate.support.ExpectedReplies.configReply;
import static io.memgrate.support.ExpectedReplies.payload;
import static io.memgrate.support.Prometheus.counter;
import static io.memgrate.support.Prometheus.metric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URL;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import jakarta.inject.Inject;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import io.memgrate.server.ConfigEndpointServer;
import io.memgrate.support.HeadlessChromium;
import io.memgrate.support.InjectTestClusters;
import io.memgrate.support.KeySpaceTraffic;
import io.memgrate.support.LogLines;
import io.memgrate.support.NodeFlusher;
import io.memgrate.support.Serving;
import io.memgrate.support.StatusSampler;
import io.memgrate.support.TestClusters;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/**
 * A new node that cannot warm (emptied every 200 ms, as one far too small would evict) is admitted by the autopilot,
 * rolled back within max-warmup by writing the plan before it at a higher revision, and the autopilot pauses; it stays
 * paused until a person writes a higher revision, then goes on from that plan.
 */
@QuarkusTest
@TestProfile(AutopilotRollbackTest.ShortWarmup.class)
@WithTestResource(value = TestClusters.class, scope = TestResourceScope.RESTRICTED_TO_CLASS, initArgs = {
        @ResourceArg(name = TestClusters.PLAN, value = "revision: 1\n"),
        @ResourceArg(name = TestClusters.STATS_INTERVAL, value = "500ms") })
class AutopilotRollbackTest {

    private static final Logger LOG = Logger.getLogger(AutopilotRollbackTest.class);
    static final Duration MAX_WARMUP = Duration.ofSeconds(3);

    public static class ShortWarmup implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("memgrate.migration.autopilot.enabled", "true",
                    "memgrate.migration.autopilot.min-dwell", AutopilotMigrationTest.DWELL.toMillis() + "ms",
                    "memgrate.migration.autopilot.max-warmup", MAX_WARMUP.toMillis() + "ms",
                    "memgrate.migration.client-hashing", AutopilotMigrationTest.SCHEME);
        }
    }

    @Inject
    ConfigEndpointServer server;

    @TestHTTPResource("/memgrate/")
    URL page;

    @InjectTestClusters
    TestClusters clusters;

    @Test
    void aNewNodeThatCannotWarmIsRolledBackAndAPersonsHigherRevisionResumes() throws Exception {
        NodeFlusher flusher = NodeFlusher.start(clusters.newNodes());
        try (flusher; StatusSampler samples = StatusSampler.start(Duration.ofMillis(100));
                LogLines log = LogLines.of(Autopilot.class.getName());
                KeySpaceTraffic traffic = KeySpaceTraffic.start(server.port(), 2_000)) {
            JsonPath paused = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(StatusSampler::status, status -> status.getString("autopilot.state").equals("paused")
                            && status.getLong("plan.revision") == 3);

            List<Map<String, Object>> history = paused.getList("autopilot.history");
            assertThat(history).singleElement().satisfies(step -> {
                assertThat(step.get("action")).isEqualTo("admit");
                assertThat(step.get("revision")).isEqualTo(2);
                assertThat(step.get("rolledBack")).isEqualTo(true);
            });
            String admitted = (String) history.get(0).get("host");
            String because = paused.getString("autopilot.pausedBecause");
            assertThat(because).startsWith("rolled back admit " + admitted + ": ");
            Instant stepped = Instant.parse((String) history.get(0).get("at"));
            // the sampler's own samples may not have seen revision 3 yet
            Instant rolledBack = await().atMost(Duration.ofSeconds(5)).until(() -> samples.firstAt(3), Objects::nonNull);
            // max-warmup from the step served, then two plan checks and a status sample
            assertThat(Duration.between(stepped, rolledBack)).as("from the step to its rollback served (%s)", because)
                    .isLessThan(MAX_WARMUP.plusSeconds(3));
            assertThat(paused.getString("autopilot.whatNext"))
                    .isEqualTo("write the plan with a revision above 3 to resume: it goes on from that plan");
            Serving.awaitServed(server.port(), configReply(payload(7 + 3 + 3, clusters.primary().endpoint().config().nodes())));
            assertThat(Files.readString(clusters.planFile())).isEqualTo("# memgrate-autopilot: revision 3: rolled back admit "
                    + admitted + " (the plan before it)\n# memgrate-autopilot: paused: " + because
                    + "\nrevision: 3\nadmit: []\nwithdraw: []\n");
            assertThat(counter("memgrate_autopilot_steps_total{action=\"admit\",outcome=\"rolled-back\"}")).isEqualTo(1.0);
            assertThat(metric("memgrate_autopilot_state{state=\"paused\"}")).isEqualTo(1.0);
            assertThat(log.count("Autopilot: rolled back admit " + admitted + " by writing plan revision 3")).isEqualTo(1);
            LOG.infof("Rolled back %s after %d ms: %s", admitted, Duration.between(stepped, rolledBack).toMillis(), because);

            pageShowsThePause(paused);

            // paused: no step, however long the verdict says safe
            await().during(AutopilotMigrationTest.DWELL.multipliedBy(3)).atMost(AutopilotMigrationTest.DWELL.multipliedBy(4))
                    .until(() -> StatusSampler.status().getLong("plan.revision") == 3
                            && StatusSampler.status().getString("autopilot.state").equals("paused"));

            // a person fixes the node and writes a higher revision: the autopilot goes on from it
            flusher.close();
            Files.writeString(clusters.planFile(), "revision: 4\n");
            JsonPath resumed = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(StatusSampler::status, status -> status.getList("autopilot.history").size() == 2
                            && status.getLong("plan.revision") == 5);
            assertThat(resumed.getString("autopilot.state")).isEqualTo("waiting");
            assertThat(resumed.getString("autopilot.history[1].action")).isEqualTo("admit");
            assertThat(resumed.getLong("autopilot.history[1].revision")).isEqualTo(5);
            assertThat(Duration.between(samples.firstAt(4), Instant.parse(resumed.getString("autopilot.history[1].at"))))
                    .as("from the person's revision to the next step: the dwell starts again")
                    .isGreaterThan(AutopilotMigrationTest.DWELL.minusMillis(500));
            assertThat(log.count("Autopilot: resuming from plan revision 4, written by a person")).isEqualTo(1);
        }
    }

    /** The dashboard shows the pause under the verdict, and highlights the declared scheme's gentlest next step. */
    private void pageShowsThePause(JsonPath paused) {
        try (HeadlessChromium chromium = HeadlessChromium.start(1440, 900)) {
            chromium.open(page + "?refresh=1");
            JsonNode shown = await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                    .until(() -> chromium.evaluate("({autopilot: document.getElementById('autopilot').textContent,"
                            + " hidden: document.getElementById('autopilot').hidden,"
                            + " gentlest: [...document.querySelectorAll('tr.gentlest')].map(row => row.dataset.step),"
                            + " declared: [...document.querySelectorAll('th.declared')].map(th => th.textContent)})"),
                            page -> page.path("autopilot").asText().startsWith("Autopilot: paused"));
            assertThat(shown.path("hidden").asBoolean()).isFalse();
            assertThat(shown.path("autopilot").asText()).contains(" because " + paused.getString("autopilot.pausedBecause"))
                    .contains("Next: write the plan with a revision above 3 to resume").doesNotContain("null");
            JsonPath status = StatusSampler.status();
            assertThat(shown.path("declared").toString()).isEqualTo("[\"" + AutopilotMigrationTest.SCHEME + "\"]");
            assertThat(shown.path("gentlest").toString()).isEqualTo("[\"" + status.getString("keyMovement.gentlestNextStep.action")
                    + " " + status.getString("keyMovement.gentlestNextStep.host") + "\"]");
            assertThat(chromium.pageErrors()).isEmpty();
        }
    }
}
