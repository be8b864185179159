package io.memgrate.server;

import static io.memgrate.support.AwsClusterClients.ports;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.memgrate.client.aws.MemgrateEndpointStrategyFactory;
import io.memgrate.cluster.Node;
import io.memgrate.support.ClustersAsCreatedTest;
import io.memgrate.support.AwsClusterClients;
import io.memgrate.support.MemcachedProcess;
import io.memgrate.support.TestClusters;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import net.spy.memcached.MemcachedClient;

/** The real AWS ElastiCache Cluster Client for Java, in dynamic mode, discovers both clusters through Memgrate. */
@QuarkusTest
@WithTestResource(TestClusters.class)
class ElastiCacheClusterClientTest extends ClustersAsCreatedTest {

    private static final Duration CLIENT_POLL = Duration.ofMillis(200);
    private static final int KEYS = 400;

    @Test
    void clientSpreadsKeysOverBothClustersAndStopsUsingARemovedNode() throws Exception {
        MemcachedClient client = AwsClusterClients.dynamic(server.port(), CLIENT_POLL.toMillis(),
                new MemgrateEndpointStrategyFactory(), false);
        try {
            List<MemcachedProcess> allNodes = new ArrayList<>(clusters.oldNodes());
            allNodes.addAll(clusters.newNodes());
            List<Node> listed = clusters.listedNodes();
            assertThat(ports(client)).containsExactlyInAnyOrderElementsOf(listed.stream().map(Node::port).toList());

            for (int i = 0; i < KEYS; i++) {
                assertThat(client.set("key-" + i, 0, "value-" + i).get(5, TimeUnit.SECONDS)).isTrue();
            }
            for (int i = 0; i < KEYS; i++) {
                assertThat(client.get("key-" + i)).isEqualTo("value-" + i);
            }
            long stored = 0;
            for (MemcachedProcess node : allNodes) {
                assertThat(node.items()).as("keys on memcached port %d", node.port()).isPositive();
                stored += node.items();
            }
            assertThat(stored).isEqualTo(KEYS);

            // drain: the old cluster's first node leaves upstream; the client must stop using it within two polls once
            // its poller runs (5 s after start): the adapter's wait cannot miss that the change was applied
            // the first node listed is the first memcached process (behind its ElastiCache-like front)
            MemcachedProcess removed = clusters.oldNodes().get(0);
            Node removedNode = listed.get(0);
            List<Node> remaining = clusters.primary().endpoint().config().nodes().stream()
                    .filter(node -> !node.equals(removedNode)).toList();
            clusters.primary().endpoint().setNodes(remaining);
            await().atMost(AwsClusterClients.adapterFollowsAChange(CLIENT_POLL.toMillis()))
                    .until(() -> !ports(client).contains(removedNode.port()));
            assertThat(ports(client)).hasSize(3);
            long before = removed.items();
            for (int i = 0; i < KEYS; i++) {
                assertThat(client.set("after-" + i, 0, "value-" + i).get(5, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(removed.items()).isEqualTo(before);
            for (MemcachedProcess node : allNodes) {
                if (node != removed) {
                    assertThat(node.items()).isGreaterThan(0);
                }
            }
        } finally {
            client.shutdown(5, TimeUnit.SECONDS);
        }
    }
}
