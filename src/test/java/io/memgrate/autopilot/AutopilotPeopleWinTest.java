package io.memgrate.autopilot;

import static io.memgrate.support.ExpectedReplies.configReply;
import static io.memgrate.support.ExpectedReplies.payload;
import static io.memgrate.support.Prometheus.metric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.memgrate.cluster.Node;
import io.memgrate.server.ConfigEndpointServer;
import io.memgrate.support.InjectTestClusters;
import io.memgrate.support.LogLines;
import io.memgrate.support.Serving;
import io.memgrate.support.StatusSampler;
import io.memgrate.support.TestClusters;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/**
 * People win: while the autopilot waits (a dwell of an hour, so it takes no step here), a person's edit is served as it
 * is and the autopilot's next step is worked out from it; a refused plan pauses it, and only a person's higher revision
 * resumes it. It writes nothing meanwhile.
 */
@QuarkusTest
@TestProfile(AutopilotPeopleWinTest.LongDwell.class)
@WithTestResource(value = TestClusters.class, scope = TestResourceScope.RESTRICTED_TO_CLASS, initArgs = {
        @ResourceArg(name = TestClusters.PLAN, value = "revision: 1\n"),
        @ResourceArg(name = TestClusters.STATS_INTERVAL, value = "500ms") })
class AutopilotPeopleWinTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    public static class LongDwell implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("memgrate.migration.autopilot.enabled", "true",
                    "memgrate.migration.autopilot.min-dwell", "1h",
                    "memgrate.migration.client-hashing", AutopilotMigrationTest.SCHEME);
        }
    }

    @Inject
    ConfigEndpointServer server;

    @InjectTestClusters
    TestClusters clusters;

    @Test
    void aPersonsEditIsFollowedARefusedPlanPausesAndAHigherRevisionResumes() throws Exception {
        List<Node> oldNodes = clusters.primary().endpoint().config().nodes();
        List<Node> newNodes = clusters.secondary().endpoint().config().nodes();
        try (LogLines log = LogLines.of(Autopilot.class.getName())) {
            await().atMost(WAIT).until(StatusSampler::status, status -> status.getString("autopilot.state").equals("waiting"));

            String edit = "revision: 2\nadmit: [" + newNodes.get(1).host() + "]\n";
            Files.writeString(clusters.planFile(), edit);
            List<Node> served = new ArrayList<>(oldNodes);
            served.add(newNodes.get(1));
            Serving.awaitServed(server.port(), configReply(payload(7 + 3 + 2, served)));
            JsonPath following = await().atMost(WAIT).until(StatusSampler::status,
                    status -> status.getString("autopilot.nextStep.host") != null
                            && status.getString("autopilot.nextStep.host").equals(newNodes.get(0).host()));
            assertThat(following.getString("autopilot.state")).isEqualTo("waiting");
            assertThat(following.getString("autopilot.nextStep.action")).isEqualTo("admit");
            assertThat(following.getList("autopilot.history")).isEmpty();
            await().atMost(WAIT).until(() -> log.count("Autopilot: following plan revision 2, written by a person, as it is") == 1);

            Files.writeString(clusters.planFile(), "revision: 3\nadmit: [new-9.test]\n");
            JsonPath paused = await().atMost(WAIT).until(StatusSampler::status,
                    status -> status.getString("autopilot.state").equals("paused"));
            assertThat(paused.getString("autopilot.pausedBecause"))
                    .isEqualTo("a plan was refused since the last step (no upstream lists new-9.test: name hosts as config"
                            + " get cluster lists them)");
            assertThat(paused.getString("autopilot.whatNext"))
                    .isEqualTo("write the plan with a revision above 2 to resume: it goes on from that plan");
            assertThat(metric("memgrate_autopilot_state{state=\"paused\"}")).isEqualTo(1.0);
            assertThat(log.count("Autopilot: paused at plan revision 2: a plan was refused since the last step")).isEqualTo(1);

            Files.writeString(clusters.planFile(), "revision: 4\nadmit: [" + newNodes.get(1).host() + "]\n");
            JsonPath resumed = await().atMost(WAIT).until(StatusSampler::status,
                    status -> status.getString("autopilot.state").equals("waiting"));
            assertThat(resumed.getLong("plan.revision")).isEqualTo(4);
            assertThat(log.count("Autopilot: resuming from plan revision 4, written by a person")).isEqualTo(1);
            assertThat(Files.readString(clusters.planFile())).as("the person's plan, never overwritten")
                    .isEqualTo("revision: 4\nadmit: [" + newNodes.get(1).host() + "]\n");
        }
    }
}
