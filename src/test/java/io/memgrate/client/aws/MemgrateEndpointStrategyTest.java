package io.memgrate.client.aws;

import static io.memgrate.support.AwsClusterClients.ports;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.memgrate.cluster.Node;
import io.memgrate.support.ClustersAsCreatedTest;
import io.memgrate.support.AwsClusterClients;
import io.memgrate.support.ClientTable;
import io.memgrate.support.LogLines;
import io.memgrate.support.TcpRelay;
import io.memgrate.support.TestClusters;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import net.spy.memcached.MemcachedClient;

/**
 * The AWS ElastiCache Cluster Client for Java 1.2.4 behind a real Memgrate, with and without the adapter, over cache
 * nodes that answer {@code config get cluster} with their own cluster's configuration as every ElastiCache node does.
 * Each test starts from the clusters as they were created.
 */
@QuarkusTest
@WithTestResource(value = TestClusters.class, scope = TestResourceScope.RESTRICTED_TO_CLASS,
        initArgs = @ResourceArg(name = TestClusters.ELASTICACHE_NODES, value = "true"))
class MemgrateEndpointStrategyTest extends ClustersAsCreatedTest {

    private static final String CLIENT = "AWS ElastiCache Cluster Client for Java 1.2.4";
    private static final String ADAPTER_LOG = "io.memgrate.client.aws.MemgrateEndpointStrategy";
    private static final String POLLER_LOG = "net.spy.memcached.ConfigurationPoller";
    /** What the client's poller logs at the start of each poll. */
    private static final String POLL_STARTS = "Starting configuration poller";
    private static final long CLIENT_POLL_MILLIS = 200;
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration AFTER_A_CHANGE = AwsClusterClients.adapterFollowsAChange(CLIENT_POLL_MILLIS);
    /** The client reconnects after 1, 2, 4, 8 ... s (at most 30 s) while the endpoint is down. */
    private static final Duration RECONNECT = Duration.ofSeconds(45);

    /**
     * Its default strategy sends every poll after the first to one of its cache nodes, which answers with its own
     * cluster: the client ends up holding one cluster's nodes and never asks Memgrate again. If a release of the client
     * stops doing this, this test fails and README's advice can change.
     */
    @Test
    void withoutTheAdapterTheClientCollapsesOntoOneCluster() throws Exception {
        MemcachedClient client = AwsClusterClients.dynamic(server.port(), CLIENT_POLL_MILLIS, null, false);
        long started = System.nanoTime();
        try {
            assertThat(ports(client)).as("discovered at start").isEqualTo(TestClusters.ports(clusters.listedNodes()));
            List<Integer> oldCluster = TestClusters.ports(clusters.primary().endpoint().config().nodes());
            List<Integer> newCluster = TestClusters.ports(clusters.secondary().endpoint().config().nodes());

            await().atMost(WAIT).until(() -> ports(client).equals(oldCluster) || ports(client).equals(newCluster));
            ClientTable.row(CLIENT, "default", "merged list, at start",
                    "no: holds one cluster's nodes " + ClientTable.secondsSince(started)
                            + " after start, then follows that cluster only",
                    "no (only its own cluster's)");
        } finally {
            client.shutdown(5, TimeUnit.SECONDS);
        }
    }

    /** With the adapter it keeps asking Memgrate: a node drained and a node added are followed after its next poll. */
    @Test
    void withTheAdapterTheClientFollowsARemovalAndAnAddition() throws Exception {
        MemcachedClient client = AwsClusterClients.dynamic(server.port(), CLIENT_POLL_MILLIS,
                new MemgrateEndpointStrategyFactory(), false);
        try {
            List<Node> served = clusters.listedNodes();
            assertThat(ports(client)).as("discovered at start").isEqualTo(TestClusters.ports(served));

            long removed = System.nanoTime();
            served.remove(clusters.drainFirstPrimaryNode());
            await().atMost(AFTER_A_CHANGE).until(() -> ports(client).equals(TestClusters.ports(served)));
            String removal = ClientTable.secondsSince(removed);

            long added = System.nanoTime();
            served.add(clusters.addNode(clusters.secondary(), "new-3.test"));
            await().atMost(AFTER_A_CHANGE).until(() -> ports(client).equals(TestClusters.ports(served)));
            String addition = ClientTable.secondsSince(added);

            assertThat(client.set("after-both-changes", 0, "v").get(5, TimeUnit.SECONDS)).isTrue();
            ClientTable.row(CLIENT, "MemgrateEndpointStrategyFactory", "merged list, at start",
                    "yes, " + removal, "yes, " + addition);
        } finally {
            client.shutdown(5, TimeUnit.SECONDS);
        }
    }

    /**
     * Memgrate unreachable for a while: the client keeps its nodes, the adapter logs the outage once and its end once,
     * and a change made meanwhile is followed once Memgrate answers again.
     */
    @Test
    void whileMemgrateIsUnreachableTheClientKeepsItsNodesAndTheOutageIsLoggedOnce() throws Exception {
        try (TcpRelay relay = new TcpRelay(server.port()); LogLines log = LogLines.of(ADAPTER_LOG);
                LogLines poller = LogLines.of(POLLER_LOG)) {
            MemcachedClient client = AwsClusterClients.dynamic(relay.port(), CLIENT_POLL_MILLIS,
                    new MemgrateEndpointStrategyFactory(), false);
            try {
                List<Node> served = clusters.listedNodes();
                assertThat(ports(client)).isEqualTo(TestClusters.ports(served));
                await().atMost(WAIT).until(() -> poller.count(POLL_STARTS) > 0);

                relay.cut();
                await().atMost(WAIT).until(() -> log.count("is unreachable") == 1);
                // many polls later: still every node, still one line
                await().during(Duration.ofMillis(10 * CLIENT_POLL_MILLIS)).atMost(WAIT)
                        .until(() -> ports(client).equals(TestClusters.ports(served)));
                assertThat(log.count("is unreachable")).isEqualTo(1);
                // the client's poller keeps its pace (a failed poll takes three timed-out attempts), and logs at most
                // the failure of a poll under way when the connection went
                long pollsSoFar = poller.count(POLL_STARTS);
                await().atMost(WAIT).until(() -> poller.count(POLL_STARTS) >= pollsSoFar + 10);
                assertThat(poller.lines()).filteredOn(line -> line.startsWith("ERROR")).hasSizeLessThanOrEqualTo(1);

                served.remove(clusters.drainFirstPrimaryNode());
                relay.restore();
                await().atMost(RECONNECT).until(() -> log.count("is reachable again") == 1);
                await().atMost(AFTER_A_CHANGE).until(() -> ports(client).equals(TestClusters.ports(served)));
                assertThat(log.lines()).hasSize(2);
            } finally {
                client.shutdown(5, TimeUnit.SECONDS);
            }
        }
    }
}
