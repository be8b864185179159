package io.memgrate.autopilot;

import static io.memgrate.support.ExpectedReplies.configReply;
import static io.memgrate.support.ExpectedReplies.payload;
import static io.memgrate.support.Prometheus.counter;
import static io.memgrate.support.Prometheus.metric;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.inject.Inject;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

import io.memgrate.server.ConfigEndpointServer;
import io.memgrate.support.InjectTestClusters;
import io.memgrate.support.KeySpaceTraffic;
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
 * A whole 2 + 2 migration taken by the autopilot, in file mode, while a real AWS Java client on consistent hashing
 * reads and writes a key space through Memgrate: each step only after the verdict said safe for the dwell, the gentlest
 * for the declared hashing first, admissions before withdrawals, versions always rising, and the new cluster alone at
 * the end.
 */
@QuarkusTest
@TestProfile(AutopilotMigrationTest.ShortDwell.class)
@WithTestResource(value = TestClusters.class, scope = TestResourceScope.RESTRICTED_TO_CLASS, initArgs = {
        @ResourceArg(name = TestClusters.PLAN, value = "revision: 1\n"),
        @ResourceArg(name = TestClusters.STATS_INTERVAL, value = "500ms") })
class AutopilotMigrationTest {

    private static final Logger LOG = Logger.getLogger(AutopilotMigrationTest.class);
    static final String SCHEME = "ketama-aws-java";
    static final Duration DWELL = Duration.ofSeconds(2);
    /**
     * Statistics every 500 ms measure a step's dip over a fraction of a pass over the key space, so it runs past the
     * prediction by more than the default 0.05: under the whole build's load a withdrawal predicted at 24.9 % dipped to
     * 0.667 and was rolled back. The margin the autopilot and this test allow, set in the profile.
     */
    static final double WARM_MARGIN = 0.15;

    public static class ShortDwell implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("memgrate.migration.autopilot.enabled", "true",
                    "memgrate.migration.autopilot.min-dwell", DWELL.toMillis() + "ms",
                    "memgrate.migration.client-hashing", SCHEME,
                    "memgrate.migration.warm-margin", String.valueOf(WARM_MARGIN));
        }
    }

    @Inject
    ConfigEndpointServer server;

    @InjectTestClusters
    TestClusters clusters;

    @Test
    void theAutopilotMigratesTwoPlusTwoGentlestFirstEachStepAfterTheDwell() throws Exception {
        try (StatusSampler samples = StatusSampler.start(Duration.ofMillis(100))) {
            // no step before traffic: the verdict wants gets on every served node
            await().atMost(Duration.ofSeconds(10)).until(() -> samples.count() >= 3);
            JsonPath idle = StatusSampler.status();
            assertThat(idle.getString("autopilot.state")).isEqualTo("waiting");
            assertThat(idle.getList("autopilot.waitingFor", String.class)).contains("the served nodes had no gets in the"
                    + " last interval: a step's effect on the hit ratio could not be measured");
            assertThat(StatusSampler.status().getList("autopilot.history")).isEmpty();
            try (KeySpaceTraffic traffic = KeySpaceTraffic.start(server.port(), 2_000)) {
                migratesByItself(samples);
            }
        }
    }

    private void migratesByItself(StatusSampler samples) throws Exception {
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(clusters.planFile());
        {
            JsonPath done = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                    .until(StatusSampler::status, status -> status.getString("autopilot.state").equals("complete"));

            List<Map<String, Object>> history = done.getList("autopilot.history");
            assertThat(history).extracting(step -> step.get("action"))
                    .containsExactly("admit", "admit", "withdraw", "withdraw");
            assertThat(history).extracting(step -> ((Number) step.get("revision")).longValue()).containsExactly(2L, 3L, 4L, 5L);
            assertThat(history).allSatisfy(step -> assertThat(step.get("rolledBack")).isEqualTo(false));
            List<String> table = new ArrayList<>(List.of(
                    "| step | after the previous | predicted (" + SCHEME + ") | hit ratio before | lowest after | recovered |",
                    "|---|---:|---:|---:|---:|---:|"));
            Instant previous = null;
            for (int i = 0; i < history.size(); i++) {
                Map<String, Object> step = history.get(i);
                long revision = ((Number) step.get("revision")).longValue();
                Instant at = Instant.parse((String) step.get("at"));
                // the steps that were possible from the plan before it, as the status showed them
                List<Map<String, Object>> possible = samples.stepsAt(revision - 1);
                String action = possible.stream().anyMatch(s -> s.get("action").equals("admit")) ? "admit" : "withdraw";
                Map<String, Object> gentlest = possible.stream().filter(s -> s.get("action").equals(action))
                        .min((a, b) -> Double.compare(share(a), share(b))).orElseThrow();
                assertThat(step.get("action")).as("step to revision %d", revision).isEqualTo(action);
                assertThat(step.get("host")).as("the gentlest %s for %s at revision %d", action, SCHEME, revision - 1)
                        .isEqualTo(gentlest.get("host"));
                assertThat(samples.verdictsBetween(at.minus(DWELL), at))
                        .as("the verdict during the dwell before revision %d", revision).isNotEmpty().containsOnly(true);
                double before = ((Number) step.get("hitRatioBefore")).doubleValue();
                double lowest = ((Number) step.get("lowestHitRatioAfter")).doubleValue();
                double predicted = ((Number) step.get("predictedShare")).doubleValue();
                assertThat(lowest).as("the hit ratio after revision %d, against the predicted dip and the margin", revision)
                        .isGreaterThanOrEqualTo(before - (predicted * before + WARM_MARGIN));
                // recovered: the level the next step started from, or for the last one the level when it completed
                Object recovered = i + 1 < history.size() ? history.get(i + 1).get("hitRatioBefore")
                        : done.get("nextStepVerdict.servedHitRatio");
                table.add(String.format("| %s %s | %s | %.1f %% | %.3f | %.3f | %s |", step.get("action"), step.get("host"),
                        previous == null ? "—" : Duration.between(previous, at).toMillis() + " ms", predicted * 100, before,
                        lowest, recovered instanceof Number level ? String.format("%.3f", level.doubleValue()) : "—"));
                previous = at;
            }
            LOG.info("Autopilot migration, 2 + 2 nodes, dwell " + DWELL.toMillis() + " ms:\n" + String.join("\n", table));

            assertThat(samples.servedVersions()).as("served versions, in the order sampled").isSorted();
            Serving.awaitServed(server.port(), configReply(payload(done.getLong("served.version"),
                    clusters.secondary().endpoint().config().nodes())));
            assertThat(done.getList("served.byCluster.primary")).isEmpty();
            assertThat(done.getString("autopilot.whatNext")).startsWith("point the clients at the new cluster's"
                    + " configuration endpoint (127.0.0.1:" + clusters.secondary().port() + ")");
            assertThat(done.getString("autopilot.nextStep")).isNull();
            assertThat(Files.readString(clusters.planFile())).startsWith("# memgrate-autopilot: revision 5, step 4 of 4: withdrew ")
                    .contains("revision: 5\n");
            assertThat(Files.getPosixFilePermissions(clusters.planFile())).as("the plan's permissions, kept")
                    .isEqualTo(permissions).contains(PosixFilePermission.OTHERS_READ);
            assertThat(metric("memgrate_autopilot_state{state=\"complete\"}")).isEqualTo(1.0);
            assertThat(metric("memgrate_autopilot_state{state=\"waiting\"}")).isEqualTo(0.0);
            assertThat(counter("memgrate_autopilot_steps_total{action=\"admit\",outcome=\"taken\"}")).isEqualTo(2.0);
            assertThat(counter("memgrate_autopilot_steps_total{action=\"withdraw\",outcome=\"taken\"}")).isEqualTo(2.0);
            assertThat(given().get("/q/health/ready").then().extract().statusCode()).isEqualTo(200);
        }
    }

    private static double share(Map<String, Object> step) {
        @SuppressWarnings("unchecked")
        Map<String, Number> moved = (Map<String, Number>) step.get("keysMoved");
        return moved.get(SCHEME).doubleValue();
    }
}
