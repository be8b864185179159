package io.memgrate.autopilot;

import static io.memgrate.autopilot.AutopilotMigrationTest.DWELL;
import static io.memgrate.support.Prometheus.metric;
import static io.memgrate.support.StatusSampler.awaitStatus;
import static io.memgrate.support.StatusSampler.holdsFor;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;

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
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * The autopilot disabled mid-migration: settings are read at start, so it is disabled by starting Memgrate with
 * {@code memgrate.migration.autopilot.enabled=false} on the plan the autopilot wrote last. It takes no step and writes
 * nothing, however long the verdict says safe; the plan in force stays served, and the manual flow goes on: a
 * person's next plan is applied as it is.
 */
@QuarkusTest
@TestProfile(AutopilotDisabledTest.Disabled.class)
@WithTestResource(value = TestClusters.class, scope = TestResourceScope.RESTRICTED_TO_CLASS, initArgs = {
        @ResourceArg(name = TestClusters.PLAN, value = AutopilotDisabledTest.WRITTEN_BY_THE_AUTOPILOT),
        @ResourceArg(name = TestClusters.STATS_INTERVAL, value = "500ms") })
class AutopilotDisabledTest {

    /** The plan the autopilot wrote at its second step, as it writes it. */
    static final String WRITTEN_BY_THE_AUTOPILOT = PlanNotes.PREFIX + "revision 3, step 2 of 4: admitted new-2.test, 33.3% of"
            + " keys moved (ketama-aws-java), served hit ratio before 1.000\nrevision: 3\nadmit: [new-1.test, new-2.test]\n"
            + "withdraw: []\n";

    public static class Disabled implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // the rest as the whole migration's: it would step after this dwell if it ran
            return Map.of("memgrate.migration.autopilot.enabled", "false",
                    "memgrate.migration.autopilot.min-dwell", DWELL.toMillis() + "ms",
                    "memgrate.migration.client-hashing", AutopilotMigrationTest.SCHEME);
        }
    }

    @Inject
    ConfigEndpointServer server;

    @InjectTestClusters
    TestClusters clusters;

    @Test
    void disabledMidMigrationItTakesNoStepAndAPersonsNextPlanIsApplied() throws Exception {
        try (LogLines log = LogLines.of(Autopilot.class.getName());
                KeySpaceTraffic traffic = KeySpaceTraffic.start(server.port(), 2_000)) {
            awaitStatus(Duration.ofSeconds(30), status -> status.getBoolean("nextStepVerdict.safe"));
            holdsFor(DWELL.multipliedBy(3), status -> status.getString("autopilot.state").equals("off")
                    && status.getLong("plan.revision") == 3 && status.getList("served.byCluster.primary").size() == 2
                    && status.getList("served.byCluster.secondary").size() == 2);
            assertThat(Files.readString(clusters.planFile())).isEqualTo(WRITTEN_BY_THE_AUTOPILOT);
            assertThat(metric("memgrate_autopilot_state{state=\"off\"}")).isEqualTo(1.0);
            assertThat(StatusSampler.status().getString("autopilot.nextStep")).isNull();

            String next = "revision: 4\nadmit: [new-1.test, new-2.test]\nwithdraw: [old-1.test]\n";
            Files.writeString(clusters.planFile(), next);
            awaitStatus(Duration.ofSeconds(15), status -> status.getLong("plan.revision") == 4
                    && status.getList("served.byCluster.primary").size() == 1);
            holdsFor(DWELL.multipliedBy(2), status -> status.getString("autopilot.state").equals("off")
                    && status.getLong("plan.revision") == 4);
            assertThat(Files.readString(clusters.planFile())).isEqualTo(next);
            assertThat(log.lines()).as("the autopilot's log lines").isEmpty();
        }
    }
}
