package io.memgrate.emulator;

import static io.memgrate.support.StatusSampler.awaitStatus;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.memgrate.settings.MemgrateSettings;
import io.memgrate.support.FreePorts;
import io.memgrate.support.TextClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/**
 * The dev clusters' built-in traffic: the dev nodes get real gets and hits, so the next-step verdict says safe on its
 * own, and it follows the list Memgrate serves: a node drained from it gets no more gets.
 */
@QuarkusTest
@TestProfile(DevTrafficTest.DevClustersWithTraffic.class)
class DevTrafficTest {

    /** Dev clusters as in dev mode, with their traffic, on free ports; statistics every half second. */
    public static class DevClustersWithTraffic implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("memgrate.dev-clusters.enabled", "true",
                    "memgrate.dev-clusters.old-nodes", "old-1.memgrate.local|127.0.0.1|" + FreePorts.next()
                            + " old-2.memgrate.local|127.0.0.1|" + FreePorts.next(),
                    "memgrate.dev-clusters.new-nodes", "new-1.memgrate.local|127.0.0.1|" + FreePorts.next(),
                    "memgrate.dev-clusters.traffic.enabled", "true",
                    "memgrate.dev-clusters.traffic.keys", "1000",
                    "memgrate.listen.host", "127.0.0.1",
                    "memgrate.listen.port", "0",
                    "memgrate.refresh-interval", "100ms",
                    "memgrate.nodes.stats-interval", "500ms");
        }
    }

    /** The node lists the application started with (the profile's class may be loaded twice). */
    @Inject
    MemgrateSettings settings;

    @Test
    void theDevNodesHitAndTheTrafficFollowsTheServedList() {
        JsonPath safe = awaitStatus(Duration.ofSeconds(60), status -> status.getBoolean("nextStepVerdict.safe")
                && status.get("nextStepVerdict.servedHitRatio") != null
                && status.getDouble("nextStepVerdict.servedHitRatio") > 0.9);
        for (String side : List.of("primary", "secondary")) {
            assertThat(safe.getList("nodes." + side + ".getsPerSecond", Float.class)).as("gets/s of the %s's nodes", side)
                    .isNotEmpty().allSatisfy(gets -> assertThat(gets).isPositive());
        }

        int old1 = DevClusters.parseNodes(settings.devClusters().oldNodes()).get(0).port();
        int old2 = DevClusters.parseNodes(settings.devClusters().oldNodes()).get(1).port();
        given().delete("/memgrate/dev/clusters/old/nodes/old-2.memgrate.local").then().statusCode(200);
        AtomicLong previous = new AtomicLong(-1);
        await("old-2 drained gets no more gets").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    long now = gets(old2);
                    return previous.getAndSet(now) == now;
                });
        long old1Gets = gets(old1);
        await("old-1 still gets gets").atMost(Duration.ofSeconds(10)).until(() -> gets(old1) > old1Gets);
        assertThat(gets(old2)).as("old-2, drained").isEqualTo(previous.get());
    }

    /** The gets a dev node has answered since it started, from its own stats. */
    private static long gets(int port) {
        for (String line : TextClient.stats(port, null).split("\r\n")) {
            if (line.startsWith("STAT cmd_get ")) {
                return Long.parseLong(line.substring("STAT cmd_get ".length()));
            }
        }
        throw new IllegalStateException("the dev node on port " + port + " reports no cmd_get");
    }
}
