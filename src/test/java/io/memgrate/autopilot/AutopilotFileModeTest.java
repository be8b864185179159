package io.memgrate.autopilot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.memgrate.support.InjectTestClusters;
import io.memgrate.support.KubernetesApi;
import io.memgrate.support.StatusSampler;
import io.memgrate.support.TestClusters;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * Outside Kubernetes ({@code memgrate.migration.autopilot.configmap} unset) the autopilot never contacts a Kubernetes
 * API, even with a client configured and one listening: it decides and writes the plan file alone.
 */
@QuarkusTest
@TestProfile(AutopilotFileModeTest.FileMode.class)
@WithTestResource(value = TestClusters.class, scope = TestResourceScope.RESTRICTED_TO_CLASS, initArgs = {
        @ResourceArg(name = TestClusters.PLAN, value = "revision: 1\n"),
        @ResourceArg(name = TestClusters.STATS_INTERVAL, value = "500ms") })
@WithTestResource(value = KubernetesApi.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class AutopilotFileModeTest {

    public static class FileMode implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("memgrate.migration.autopilot.enabled", "true",
                    "memgrate.migration.autopilot.min-dwell", "1h",
                    "memgrate.migration.client-hashing", AutopilotMigrationTest.SCHEME);
        }
    }

    @InjectTestClusters
    TestClusters clusters;

    KubernetesApi api;

    @Test
    void withoutTheConfigMapSettingNoKubernetesCallIsMade() throws Exception {
        await().atMost(Duration.ofSeconds(15)).until(StatusSampler::status,
                status -> status.getString("autopilot.state").equals("waiting") && status.getLong("plan.revision") == 1);
        // ticks of a second each: several of them, each of which would ask a ConfigMap writer for the Lease
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(api::requests, requests -> requests == 0);
        assertThat(StatusSampler.status().getMap("autopilot.replicas")).isEmpty();
        assertThat(Files.readString(clusters.planFile())).isEqualTo("revision: 1\n");
    }
}
