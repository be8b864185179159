package io.memgrate.autopilot;

import static io.memgrate.autopilot.AutopilotMigrationTest.DWELL;
import static io.memgrate.support.StatusSampler.awaitStatus;
import static io.memgrate.support.StatusSampler.holdsFor;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.memgrate.server.ConfigEndpointServer;
import io.memgrate.support.InjectTestClusters;
import io.memgrate.support.KeySpaceTraffic;
import io.memgrate.support.LogLines;
import io.memgrate.support.StatusSampler;
import io.memgrate.support.TestClusters;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/**
 * A plan refused while the autopilot waits for the dwell: it takes no step, however long the verdict says safe, and
 * writes nothing, until a person writes a valid plan with a higher revision; then it goes on after a dwell of its own.
 */
@QuarkusTest
@TestProfile(AutopilotMigrationTest.ShortDwell.class)
@WithTestResource(value = TestClusters.class, scope = TestResourceScope.RESTRICTED_TO_CLASS, initArgs = {
        @ResourceArg(name = TestClusters.PLAN, value = "revision: 1\n"),
        @ResourceArg(name = TestClusters.STATS_INTERVAL, value = "500ms") })
class AutopilotRefusedPlanTest {

    private static final String REFUSED = "revision: 2\nadmit: [new-9.test]\n";

    @Inject
    ConfigEndpointServer server;

    @InjectTestClusters
    TestClusters clusters;

    @Test
    void noStepWhileAPlanIsRefusedUntilAHigherValidRevision() throws Exception {
        try (LogLines log = LogLines.of(Autopilot.class.getName());
                StatusSampler samples = StatusSampler.start(Duration.ofMillis(100))) {
            // before any traffic, so no step can come first: the verdict wants gets on every served node
            awaitStatus(Duration.ofSeconds(15), status -> status.getString("autopilot.state").equals("waiting"));
            Files.writeString(clusters.planFile(), REFUSED);
            awaitStatus(Duration.ofSeconds(15), status -> status.getString("autopilot.state").equals("paused"));
            try (KeySpaceTraffic traffic = KeySpaceTraffic.start(server.port(), 2_000)) {
                awaitStatus(Duration.ofSeconds(30), status -> status.getBoolean("nextStepVerdict.safe"));
                holdsFor(DWELL.multipliedBy(3), status -> status.getString("autopilot.state").equals("paused")
                        && status.getLong("plan.revision") == 1 && status.getList("autopilot.history").isEmpty());
                assertThat(StatusSampler.status().getString("autopilot.pausedBecause"))
                        .startsWith("a plan was refused since the last step (no upstream lists new-9.test");
                assertThat(Files.readString(clusters.planFile())).as("the refused plan, left for a person").isEqualTo(REFUSED);

                Files.writeString(clusters.planFile(), "revision: 2\n");
                JsonPath stepped = awaitStatus(Duration.ofSeconds(30), status -> status.getList("autopilot.history").size() == 1);
                assertThat(log.count("Autopilot: resuming from plan revision 2, written by a person")).isEqualTo(1);
                assertThat(stepped.getString("autopilot.history[0].action")).isEqualTo("admit");
                assertThat(stepped.getLong("autopilot.history[0].revision")).isEqualTo(3);
                assertThat(Duration.between(samples.firstAt(2), Instant.parse(stepped.getString("autopilot.history[0].at"))))
                        .as("from the person's valid revision to the next step: a whole dwell")
                        .isGreaterThan(DWELL.minusMillis(500));
            }
        }
    }
}
