package io.memgrate.autopilot;

import static io.memgrate.autopilot.AutopilotMigrationTest.DWELL;
import static io.memgrate.support.ExpectedReplies.configReply;
import static io.memgrate.support.ExpectedReplies.payload;
import static io.memgrate.support.StatusSampler.awaitStatus;
import static io.memgrate.support.StatusSampler.holdsFor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.memgrate.cluster.Node;
import io.memgrate.server.ConfigEndpointServer;
import io.memgrate.support.InjectTestClusters;
import io.memgrate.support.KeySpaceTraffic;
import io.memgrate.support.LogLines;
import io.memgrate.support.Serving;
import io.memgrate.support.StatusSampler;
import io.memgrate.support.TestClusters;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/**
 * The node the autopilot just admitted dies (its memcached stops) while the step is watched: once it has been unreachable
 * for more than three stats intervals, the autopilot writes the plan before the step at a higher revision and pauses,
 * saying which node and for how long.
 */
@QuarkusTest
@TestProfile(AutopilotMigrationTest.ShortDwell.class)
@WithTestResource(value = TestClusters.class, scope = TestResourceScope.RESTRICTED_TO_CLASS, initArgs = {
        @ResourceArg(name = TestClusters.PLAN, value = "revision: 1\n"),
        @ResourceArg(name = TestClusters.STATS_INTERVAL, value = "500ms") })
class AutopilotUnreachableTest {

    private static final Duration STATS_INTERVAL = Duration.ofMillis(500);

    @Inject
    ConfigEndpointServer server;

    @InjectTestClusters
    TestClusters clusters;

    @Test
    void aNodeLostAfterTheStepIsRolledBackAndTheAutopilotPausesSayingWhy() throws Exception {
        try (LogLines log = LogLines.of(Autopilot.class.getName());
                StatusSampler samples = StatusSampler.start(Duration.ofMillis(100));
                KeySpaceTraffic traffic = KeySpaceTraffic.start(server.port(), 2_000)) {
            JsonPath stepped = awaitStatus(Duration.ofSeconds(60), status -> status.getLong("plan.revision") == 2);
            String admitted = stepped.getString("autopilot.history[0].host");
            List<Node> newNodes = clusters.secondary().endpoint().config().nodes();
            int lost = newNodes.stream().map(Node::host).toList().indexOf(admitted);
            clusters.newNodes().get(lost).close();
            Instant lostAt = Instant.now();

            JsonPath paused = awaitStatus(Duration.ofSeconds(30), status -> status.getString("autopilot.state")
                    .equals("paused") && status.getLong("plan.revision") == 3);
            List<Map<String, Object>> history = paused.getList("autopilot.history");
            assertThat(history).singleElement().satisfies(step -> {
                assertThat(step.get("action")).isEqualTo("admit");
                assertThat(step.get("host")).isEqualTo(admitted);
                assertThat(step.get("revision")).isEqualTo(2);
                assertThat(step.get("rolledBack")).isEqualTo(true);
            });
            String because = paused.getString("autopilot.pausedBecause");
            assertThat(because).matches("rolled back admit " + admitted + ": served node " + admitted + ":"
                    + newNodes.get(lost).port() + " has been unreachable for \\S+, more than 3 stats intervals");
            Instant rolledBack = await().atMost(Duration.ofSeconds(5)).until(() -> samples.firstAt(3), Objects::nonNull);
            // three intervals unreachable, the read that shows it (within an interval and the upstream timeout), two plan
            // checks and a status sample; the rest is slack for a loaded machine
            assertThat(Duration.between(lostAt, rolledBack)).as("from the node lost to the rollback served (%s)", because)
                    .isLessThan(STATS_INTERVAL.multipliedBy(5).plusSeconds(5));
            Serving.awaitServed(server.port(), configReply(payload(7 + 3 + 3, clusters.primary().endpoint().config().nodes())));
            assertThat(Files.readString(clusters.planFile())).isEqualTo("# memgrate-autopilot: revision 3: rolled back admit "
                    + admitted + " (the plan before it)\n# memgrate-autopilot: paused: " + because
                    + "\nrevision: 3\nadmit: []\nwithdraw: []\n");
            assertThat(log.count("Autopilot: rolled back admit " + admitted + " by writing plan revision 3 (the plan before"
                    + " it) and paused, because served node ")).isEqualTo(1);

            // the lost node is served no more, so the verdict says safe again; paused, the autopilot takes no step
            awaitStatus(Duration.ofSeconds(15), status -> status.getBoolean("nextStepVerdict.safe"));
            holdsFor(DWELL.multipliedBy(3), status -> status.getLong("plan.revision") == 3
                    && status.getString("autopilot.state").equals("paused"));
        }
    }
}
