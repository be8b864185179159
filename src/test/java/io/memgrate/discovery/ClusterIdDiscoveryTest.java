package io.memgrate.discovery;

import static io.memgrate.support.ExpectedReplies.configReply;
import static io.memgrate.support.ExpectedReplies.payload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.memgrate.cluster.Node;
import io.memgrate.cluster.Topology;
import io.memgrate.merge.ServedVersion;
import io.memgrate.plan.MigrationPlan;
import io.memgrate.server.ConfigEndpointServer;
import io.memgrate.support.InjectTestClusters;
import io.memgrate.support.TestClusters;
import io.memgrate.support.TextClient;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Memgrate configured only by two ElastiCache cluster IDs, resolved by the real AWS SDK through an emulated API. */
@QuarkusTest
@WithTestResource(value = TestClusters.class, scope = TestResourceScope.RESTRICTED_TO_CLASS,
        initArgs = @ResourceArg(name = TestClusters.BY_CLUSTER_ID, value = "true"))
class ClusterIdDiscoveryTest {

    @Inject
    ConfigEndpointServer server;

    @InjectTestClusters
    TestClusters clusters;

    @Test
    void clusterIdsResolveToTheMergedAnswerAndAMovedEndpointIsFollowedWithoutAPartialMerge() {
        String original = clusters.awaitMergeServed(server.port());

        // The primary cluster is recreated: its configuration endpoint moves, lists one more node, and the old one
        // stops answering. Its version starts higher, as the merge must rise.
        Topology before = clusters.primary().endpoint().config();
        List<Node> nodes = new ArrayList<>(before.nodes());
        nodes.add(new Node("old-3.test", "127.0.0.1", clusters.newNodes().get(0).port() + 1));
        Topology recreated = new Topology(before.version() + 5, nodes);
        TestClusters.Cluster moved = clusters.newEndpoint(TestClusters.PRIMARY_ENGINE, recreated);
        clusters.api().memcachedCluster(TestClusters.PRIMARY_CLUSTER_ID, "available", "127.0.0.1", moved.port());
        clusters.primary().stop();

        List<Node> expectedNodes = new ArrayList<>(recreated.nodes());
        expectedNodes.addAll(clusters.secondary().endpoint().config().nodes());
        String expected = configReply(payload(ServedVersion.of(recreated, clusters.secondary().endpoint().config(),
                MigrationPlan.UNION.revision(), 0), expectedNodes));
        Set<String> seen = new HashSet<>();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).until(() -> {
            String reply = TextClient.configGet(server.port());
            seen.add(reply);
            return reply.equals(expected);
        });
        assertThat(seen).as("every answer during the move was the whole old or the whole new merge").containsOnly(original, expected);
        clusters.primary().start();
    }
}
