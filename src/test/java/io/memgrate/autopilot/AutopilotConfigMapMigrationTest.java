package io.memgrate.autopilot;

import static io.memgrate.support.ExpectedReplies.configReply;
import static io.memgrate.support.ExpectedReplies.payload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.memgrate.plan.PlanFile;
import io.memgrate.server.ConfigEndpointServer;
import io.memgrate.support.InjectTestClusters;
import io.memgrate.support.KeySpaceTraffic;
import io.memgrate.support.KubernetesApi;
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
 * The autopilot on Kubernetes, end to end: it writes each step into the plan's ConfigMap through the Kubernetes API
 * (fabric8's mock server), never into the plan file; Memgrate applies a step only once the kubelet (here the test,
 * copying the ConfigMap's plan into the mounted file) has brought it; a step counts as taken only once every ready
 * replica says on its Pod that it serves it; each step is an Event on the ConfigMap; and the whole 2 + 2 migration is
 * taken that way while a real AWS Java client reads and writes through Memgrate.
 */
@QuarkusTest
@TestProfile(AutopilotConfigMapMigrationTest.OnKubernetes.class)
@WithTestResource(value = TestClusters.class, scope = TestResourceScope.RESTRICTED_TO_CLASS, initArgs = {
        @ResourceArg(name = TestClusters.PLAN, value = "revision: 1\n"),
        @ResourceArg(name = TestClusters.STATS_INTERVAL, value = "500ms") })
@WithTestResource(value = KubernetesApi.class, scope = TestResourceScope.RESTRICTED_TO_CLASS, initArgs = {
        @ResourceArg(name = KubernetesApi.PLAN, value = "revision: 1\n") })
class AutopilotConfigMapMigrationTest {

    private static final String POD = "memgrate-7d9f-a";
    /** Another replica, which the test plays: it serves the revision in the plan file once the kubelet brought it. */
    private static final String OTHER = "memgrate-7d9f-b";

    public static class OnKubernetes implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("memgrate.migration.autopilot.enabled", "true",
                    "memgrate.migration.autopilot.configmap", KubernetesApi.PLAN_CONFIGMAP,
                    "memgrate.migration.autopilot.pod-name", POD,
                    "memgrate.migration.autopilot.min-dwell", AutopilotMigrationTest.DWELL.toMillis() + "ms",
                    "memgrate.migration.client-hashing", AutopilotMigrationTest.SCHEME,
                    "memgrate.migration.warm-margin", String.valueOf(AutopilotMigrationTest.WARM_MARGIN));
        }
    }

    @Inject
    ConfigEndpointServer server;

    @InjectTestClusters
    TestClusters clusters;

    KubernetesApi api;

    @Test
    void theAutopilotWritesEachStepIntoTheConfigMapAndMemgrateAppliesItFromTheMountedFile() throws Exception {
        api.createReadyPod(POD, null);
        api.createReadyPod(OTHER, 1L);
        await().atMost(Duration.ofSeconds(10)).until(() -> api.podRevision(POD), revision -> revision != null && revision == 1);
        try (KeySpaceTraffic traffic = KeySpaceTraffic.start(server.port(), 2_000)) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(api::plan,
                    plan -> plan.contains("revision: 2\n"));

            // written through the API only: the mounted file waits for the kubelet, and Memgrate for the file
            assertThat(api.plan()).startsWith("# memgrate-autopilot: revision 2, step 1 of 4: admitted ");
            assertThat(Files.readString(clusters.planFile())).isEqualTo("revision: 1\n");
            JsonPath written = StatusSampler.status();
            assertThat(written.getLong("plan.revision")).isEqualTo(1);
            assertThat(written.getList("autopilot.waitingFor", String.class)).containsExactly(
                    "plan revision 2 is written; Memgrate applies it at its next check of the plan file");
            Map<String, Object> step = written.getMap("autopilot.history[0]");
            assertThat(api.planEvents()).extracting(Event::getReason, Event::getMessage).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("AutopilotAdmitted", "admitted " + step.get("host") + " ("
                            + AutopilotMigrationTest.SCHEME + ": " + String.format(Locale.ROOT, "%.1f%%",
                                    ((Number) step.get("predictedShare")).doubleValue() * 100) + " of keys moved)"));
            assertThat(api.client().resources(Lease.class).withName("memgrate-autopilot").get().getSpec()
                    .getHolderIdentity()).isEqualTo(POD);
            assertThat(written.getMap("autopilot.replicas")).isEqualTo(Map.of(POD, 1, OTHER, 1));

            // the kubelet brings it to this replica first: no step counts as taken while the other serves revision 1
            deliver(api.plan(), clusters.planFile());
            JsonPath lagging = await().atMost(Duration.ofSeconds(10)).until(StatusSampler::status,
                    status -> status.getLong("plan.revision") == 2 && status.getMap("autopilot.replicas").equals(Map.of(POD, 2, OTHER, 1)));
            assertThat(lagging.getList("autopilot.waitingFor", String.class))
                    .containsExactly("replica " + OTHER + " serves plan revision 1, not 2 yet");
            assertThat(api.podRevision(POD)).isEqualTo(2);
            await().during(AutopilotMigrationTest.DWELL.multipliedBy(2)).atMost(AutopilotMigrationTest.DWELL.multipliedBy(3))
                    .until(api::plan, plan -> plan.contains("revision: 2\n"));

            ScheduledExecutorService kubelet = Executors.newSingleThreadScheduledExecutor();
            try {
                kubelet.scheduleWithFixedDelay(() -> {
                    String plan = api.plan();
                    deliver(plan, clusters.planFile());
                    api.setPodRevision(OTHER, PlanFile.parse(plan).revision());
                }, 0, 250, TimeUnit.MILLISECONDS);
                JsonPath done = await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                        .until(StatusSampler::status, status -> status.getString("autopilot.state").equals("complete"));

                assertThat(done.getList("autopilot.history", Map.class)).extracting(s -> s.get("action"), s -> s.get("rolledBack"))
                        .containsExactly(org.assertj.core.groups.Tuple.tuple("admit", false),
                                org.assertj.core.groups.Tuple.tuple("admit", false),
                                org.assertj.core.groups.Tuple.tuple("withdraw", false),
                                org.assertj.core.groups.Tuple.tuple("withdraw", false));
                assertThat(done.getLong("plan.revision")).isEqualTo(5);
                assertThat(done.getMap("autopilot.replicas")).isEqualTo(Map.of(POD, 5, OTHER, 5));
                assertThat(api.planEvents()).extracting(Event::getReason).containsExactly("AutopilotAdmitted",
                        "AutopilotAdmitted", "AutopilotWithdrew", "AutopilotWithdrew");
                Serving.awaitServed(server.port(), configReply(payload(done.getLong("served.version"),
                        clusters.secondary().endpoint().config().nodes())));
            } finally {
                kubelet.shutdownNow();
            }
            assertThat(Files.readString(clusters.planFile())).isEqualTo(api.plan());
        }
    }

    /** As the kubelet brings a ConfigMap edit to a mounted volume: the whole file replaced at once. */
    private static void deliver(String plan, Path file) {
        try {
            if (!plan.equals(Files.readString(file))) {
                Path delivered = Files.writeString(file.resolveSibling(".delivered"), plan);
                Files.move(delivered, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not deliver the plan to " + file, e);
        }
    }
}
