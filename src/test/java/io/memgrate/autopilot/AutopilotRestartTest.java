package io.memgrate.autopilot;

import static io.memgrate.autopilot.AutopilotMigrationTest.DWELL;
import static io.memgrate.support.StatusSampler.awaitStatus;
import static io.memgrate.support.StatusSampler.holdsFor;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.memgrate.server.ConfigEndpointServer;
import io.memgrate.support.InjectTestClusters;
import io.memgrate.support.KeySpaceTraffic;
import io.memgrate.support.LogLines;
import io.memgrate.support.NodeFlusher;
import io.memgrate.support.TestClusters;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/**
 * The autopilot restarted mid-migration, as when Memgrate's pod is rescheduled: all it remembered is lost but what the
 * plan in force notes ({@link PlanNotes}). Restarted while paused after a rollback, it stays paused (the step that hurt
 * is not taken again); restarted after a step, it goes on from the plan in force: no step is repeated or skipped. The
 * restart is the autopilot's own (stop, then start from the plan in force), inside one running Memgrate: a test cannot
 * restart the application, and the autopilot keeps nothing anywhere else.
 */
@QuarkusTest
@TestProfile(AutopilotRestartTest.ShortWarmup.class)
@WithTestResource(value = TestClusters.class, scope = TestResourceScope.RESTRICTED_TO_CLASS, initArgs = {
        @ResourceArg(name = TestClusters.PLAN, value = "revision: 1\n"),
        @ResourceArg(name = TestClusters.STATS_INTERVAL, value = "500ms") })
class AutopilotRestartTest {

    /** The whole migration's settings, and a new node not warm within the rollback test's max-warmup is rolled back. */
    public static class ShortWarmup extends AutopilotMigrationTest.ShortDwell {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> settings = new HashMap<>(super.getConfigOverrides());
            settings.put("memgrate.migration.autopilot.max-warmup", AutopilotRollbackTest.MAX_WARMUP.toMillis() + "ms");
            return settings;
        }
    }

    private static final Pattern STEP = Pattern.compile(
            "^INFO Autopilot: step \\d of 4: (admitted|withdrew) (\\S+), .* wrote plan revision (\\d+) after ");

    @Inject
    ConfigEndpointServer server;

    @Inject
    Autopilot autopilot;

    @InjectTestClusters
    TestClusters clusters;

    @Test
    void aRestartGoesOnFromThePlanInForceNeitherRepeatingNorSkippingAStep() throws Exception {
        try (LogLines log = LogLines.of(Autopilot.class.getName());
                KeySpaceTraffic traffic = KeySpaceTraffic.start(server.port(), 2_000)) {
            // a new node that cannot warm: its admission is rolled back and the autopilot pauses, as the plan notes
            String pausedBecause;
            try (NodeFlusher flusher = NodeFlusher.start(clusters.newNodes())) {
                pausedBecause = awaitStatus(Duration.ofSeconds(60), status -> status.getString("autopilot.state")
                        .equals("paused") && status.getLong("plan.revision") == 3).getString("autopilot.pausedBecause");
            }
            String pausedPlan = Files.readString(clusters.planFile());

            restart();
            awaitStatus(Duration.ofSeconds(10), status -> status.getList("autopilot.history").isEmpty()
                    && status.getString("autopilot.state").equals("paused")
                    && pausedBecause.equals(status.getString("autopilot.pausedBecause")));
            assertThat(log.count("Autopilot: paused, as the plan in force (revision 3) notes: " + pausedBecause))
                    .isEqualTo(1);
            // the verdict says safe (the node that hurt is no longer served), yet the step is not taken again
            awaitStatus(Duration.ofSeconds(15), status -> status.getBoolean("nextStepVerdict.safe"));
            holdsFor(DWELL.multipliedBy(3), status -> status.getLong("plan.revision") == 3
                    && status.getString("autopilot.state").equals("paused"));
            assertThat(Files.readString(clusters.planFile())).isEqualTo(pausedPlan);

            // a person resumes it; once its second admission is served, it restarts again, mid-migration
            Files.writeString(clusters.planFile(), "revision: 4\n");
            awaitStatus(Duration.ofSeconds(60), status -> status.getLong("plan.revision") == 6);
            restart();
            JsonPath done = awaitStatus(Duration.ofSeconds(90), status -> status.getString("autopilot.state")
                    .equals("complete"));

            List<Map<String, Object>> sinceRestart = done.getList("autopilot.history");
            assertThat(sinceRestart).as("the steps taken since the last restart").extracting(step -> step.get("action"))
                    .containsExactly("withdraw", "withdraw");
            assertThat(sinceRestart).extracting(step -> step.get("revision")).containsExactly(7, 8);
            List<String> steps = log.lines().stream().map(STEP::matcher).filter(Matcher::find)
                    .map(step -> step.group(1) + " " + step.group(2)).toList();
            List<Long> revisions = log.lines().stream().map(STEP::matcher).filter(Matcher::find)
                    .map(step -> Long.parseLong(step.group(3))).toList();
            String first = steps.get(0).substring("admitted ".length());
            String second = first.equals("new-1.test") ? "new-2.test" : "new-1.test";
            assertThat(revisions).as("the revisions of every step it wrote, over both restarts").containsExactly(2L, 5L, 6L, 7L, 8L);
            assertThat(steps.subList(0, 3)).as("the rolled-back admission, then each admission once after the resume")
                    .containsExactly("admitted " + first, "admitted " + first, "admitted " + second);
            assertThat(steps.subList(3, 5)).as("each withdrawal once, after the restart")
                    .containsExactlyInAnyOrder("withdrew old-1.test", "withdrew old-2.test");
            assertThat(done.getList("served.byCluster.primary")).isEmpty();
            assertThat(done.getList("served.byCluster.secondary")).hasSize(2);
            assertThat(Files.readString(clusters.planFile())).startsWith("# memgrate-autopilot: revision 8, step 4 of 4: "
                    + steps.get(4)).contains("\nrevision: 8\n");
        }
    }

    /** Stops the autopilot and starts it again from the plan in force, as Memgrate's start does. */
    private void restart() {
        autopilot.stop();
        autopilot.start();
    }
}
