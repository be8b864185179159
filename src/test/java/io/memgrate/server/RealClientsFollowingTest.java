package io.memgrate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.memgrate.cluster.Node;
import io.memgrate.support.InjectTestClusters;
import io.memgrate.support.PollConfigEndpointStrategy;
import io.memgrate.support.TestClusters;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import net.rubyeye.xmemcached.aws.AWSElasticCacheClient;
import net.spy.memcached.ClientMode;
import net.spy.memcached.DefaultConnectionFactory;
import net.spy.memcached.MemcachedClient;
import net.spy.memcached.config.ConfigEndpointSelectionStrategyFactory;
import net.spy.memcached.config.NodeEndPoint;

/**
 * Real Java clients (the AWS ElastiCache Cluster Client 1.2.4, xmemcached 2.4.9) behind Memgrate, with cache nodes
 * that answer {@code config get cluster} with their own cluster's configuration, as every ElastiCache node does. Each
 * test starts from the clusters as they were created.
 */
@QuarkusTest
@WithTestResource(value = TestClusters.class, scope = TestResourceScope.RESTRICTED_TO_CLASS,
        initArgs = { @ResourceArg(name = TestClusters.ELASTICACHE_NODES, value = "true"),
                // xmemcached connects to the host names listed
                @ResourceArg(name = TestClusters.RESOLVABLE_HOSTS, value = "true") })
class RealClientsFollowingTest {

    private static final Logger LOG = Logger.getLogger(RealClientsFollowingTest.class);
    private static final long CLIENT_POLL_MILLIS = 200;
    private static final Duration WAIT = Duration.ofSeconds(30);
    /**
     * After applying a change (its first poll applies one too) the AWS client can stop polling for a while: its
     * waitForConfigChangeApplied waits up to 50 s. A long-lived client's next change is awaited beyond that.
     */
    private static final Duration AFTER_A_CHANGE = Duration.ofSeconds(70);

    @Inject
    ConfigEndpointServer server;

    @InjectTestClusters
    TestClusters clusters;

    @BeforeEach
    void clustersAsCreated() {
        clusters.restore();
        clusters.awaitMergeServed(server.port());
    }

    /**
     * Its default strategy sends every poll after the first to one of its cache nodes, which answers with its own
     * cluster: the client ends up holding one cluster's nodes and never asks Memgrate again. If a release of the client
     * stops doing this, this test fails and README's advice can change.
     */
    @Test
    void withItsDefaultStrategyTheAwsClientCollapsesOntoOneCluster() throws IOException {
        MemcachedClient client = awsClient(false);
        try {
            List<Integer> oldCluster = ports(clusters.primary().endpoint().config().nodes());
            List<Integer> newCluster = ports(clusters.secondary().endpoint().config().nodes());

            await().atMost(WAIT).until(() -> ports(client).equals(oldCluster) || ports(client).equals(newCluster));
        } finally {
            client.shutdown(5, TimeUnit.SECONDS);
        }
    }

    /** With the strategy that keeps polling Memgrate, it follows a node drained and a node added, after its next poll. */
    @Test
    void withThePollStrategyTheAwsClientFollowsARemovalAndAnAddition() throws IOException {
        MemcachedClient client = awsClient(true);
        try {
            List<Node> served = new ArrayList<>(clusters.primary().endpoint().config().nodes());
            served.addAll(clusters.secondary().endpoint().config().nodes());
            await().atMost(WAIT).until(() -> ports(client).equals(ports(served)));

            Node drained = served.remove(0);
            long removed = System.nanoTime();
            clusters.primary().endpoint().setNodes(clusters.primary().endpoint().config().nodes().stream()
                    .filter(node -> !node.equals(drained)).toList());
            await().atMost(AFTER_A_CHANGE).until(() -> ports(client).equals(ports(served)));
            long removalMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - removed);

            long added = System.nanoTime();
            served.add(clusters.addNode(clusters.secondary(), "new-3.test"));
            await().atMost(AFTER_A_CHANGE).until(() -> ports(client).equals(ports(served)));
            long additionMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - added);

            assertThat(client.set("after-both-changes", 0, "v").get(5, TimeUnit.SECONDS)).isTrue();
            LOG.infof("AWS Java cluster client, poll every %d ms, with the poll strategy: follows a removal after %d ms,"
                    + " an addition after %d ms", CLIENT_POLL_MILLIS, removalMillis, additionMillis);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            client.shutdown(5, TimeUnit.SECONDS);
        }
    }

    /**
     * xmemcached's AWS client polls a cache node after its first update and ignores every configuration whose version
     * is not above the one it holds (Memgrate's merged version is above each cluster's): it never follows a drain. If
     * a release stops doing this, this test fails and README's advice can change.
     */
    @Test
    void xmemcachedsAwsClientDoesNotFollowADrain() throws Exception {
        AWSElasticCacheClient client = new AWSElasticCacheClient(new InetSocketAddress("127.0.0.1", server.port()),
                CLIENT_POLL_MILLIS);
        try {
            List<Node> served = new ArrayList<>(clusters.primary().endpoint().config().nodes());
            served.addAll(clusters.secondary().endpoint().config().nodes());
            await().atMost(WAIT).until(() -> availablePorts(client).equals(ports(served)));

            Node drained = served.get(0);
            clusters.primary().endpoint().setNodes(clusters.primary().endpoint().config().nodes().stream()
                    .filter(node -> !node.equals(drained)).toList());
            clusters.awaitMergeServed(server.port());

            // ten of its polls later it still uses the node Memgrate stopped serving
            await().during(Duration.ofMillis(10 * CLIENT_POLL_MILLIS)).atMost(WAIT)
                    .until(() -> availablePorts(client).contains(drained.port()));
        } finally {
            client.shutdown();
        }
    }

    /**
     * The AWS client in dynamic mode, polling every {@link #CLIENT_POLL_MILLIS}; with {@code pollMemgrate}, through
     * the strategy that keeps polling the endpoint it was given, else through its default one.
     */
    private MemcachedClient awsClient(boolean pollMemgrate) throws IOException {
        DefaultConnectionFactory factory = new DefaultConnectionFactory(ClientMode.Dynamic) {
            @Override
            public long getDynamicModePollingInterval() {
                return CLIENT_POLL_MILLIS;
            }

            @Override
            public ConfigEndpointSelectionStrategyFactory getConfigEndpointSelectionStrategyFactory() {
                return pollMemgrate ? PollConfigEndpointStrategy::new : super.getConfigEndpointSelectionStrategyFactory();
            }
        };
        return new MemcachedClient(factory, List.of(new InetSocketAddress("127.0.0.1", server.port())));
    }

    private static List<Integer> availablePorts(AWSElasticCacheClient client) {
        return client.getAvailableServers().stream().map(InetSocketAddress::getPort).sorted().toList();
    }

    private static List<Integer> ports(List<Node> nodes) {
        return nodes.stream().map(Node::port).sorted().toList();
    }

    private static List<Integer> ports(MemcachedClient client) {
        return client.getAllNodeEndPoints().stream().map(NodeEndPoint::getPort).sorted().toList();
    }
}
