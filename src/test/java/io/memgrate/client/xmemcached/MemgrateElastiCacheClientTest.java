package io.memgrate.client.xmemcached;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Test;

import io.memgrate.cluster.Node;
import io.memgrate.movement.HashScheme;
import io.memgrate.movement.KeyMovement;
import io.memgrate.support.ClustersAsCreatedTest;
import io.memgrate.support.ClientTable;
import io.memgrate.support.LogLines;
import io.memgrate.support.TcpRelay;
import io.memgrate.support.TestClusters;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import net.rubyeye.xmemcached.aws.AWSElasticCacheClient;
import net.rubyeye.xmemcached.impl.KetamaMemcachedSessionLocator;

/**
 * xmemcached 2.4.9's ElastiCache client behind a real Memgrate, as it is and with the adapter, over cache nodes that
 * answer {@code config get cluster} with their own cluster's configuration as every ElastiCache node does. Each test
 * starts from the clusters as they were created.
 */
@QuarkusTest
@WithTestResource(value = TestClusters.class, scope = TestResourceScope.RESTRICTED_TO_CLASS,
        initArgs = { @ResourceArg(name = TestClusters.ELASTICACHE_NODES, value = "true"),
                // xmemcached connects to the host names listed
                @ResourceArg(name = TestClusters.RESOLVABLE_HOSTS, value = "true") })
class MemgrateElastiCacheClientTest extends ClustersAsCreatedTest {

    private static final String CLIENT = "xmemcached 2.4.9";
    private static final long CLIENT_POLL_MILLIS = 200;
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int KEYS = 5_000;

    /**
     * AWSElasticCacheClient polls a cache node after its first update and ignores every configuration whose version is
     * not above the one it holds (Memgrate's merged version is above each cluster's): it follows neither a drain nor an
     * addition. If a release stops doing this, this test fails and README's advice can change.
     */
    @Test
    void withoutTheAdapterTheClientFollowsNeitherADrainNorAnAddition() throws Exception {
        AWSElasticCacheClient client = new AWSElasticCacheClient(memgrate(server.port()), CLIENT_POLL_MILLIS);
        try {
            List<Node> served = clusters.listedNodes();
            await().atMost(WAIT).until(() -> ports(client).equals(TestClusters.ports(served)));

            Node drained = clusters.drainFirstPrimaryNode();
            Node added = clusters.addNode(clusters.secondary(), "localhost");
            clusters.awaitMergeServed(server.port());

            // ten of its polls later it still uses the node Memgrate stopped serving, and not the new one
            await().during(Duration.ofMillis(10 * CLIENT_POLL_MILLIS)).atMost(WAIT)
                    .until(() -> ports(client).contains(drained.port()) && !ports(client).contains(added.port()));
            ClientTable.row(CLIENT, "AWSElasticCacheClient", "merged list, at start",
                    "no (polls a cache node, ignores its lower version)", "no");
        } finally {
            client.shutdown();
        }
    }

    /**
     * The adapter asks Memgrate at every poll: a drain and an addition are followed after its next poll. On ketama,
     * the addition costs the share of keys Memgrate estimates for xmemcached, so the chosen locator is the one used.
     */
    @Test
    void withTheAdapterTheClientFollowsARemovalAndAnAddition() throws Exception {
        MemgrateElastiCacheClient client = new MemgrateElastiCacheClient(List.of(memgrate(server.port())),
                CLIENT_POLL_MILLIS, new KetamaMemcachedSessionLocator());
        try {
            List<Node> served = clusters.listedNodes();
            await().atMost(WAIT).until(() -> ports(client).equals(TestClusters.ports(served)));

            long removed = System.nanoTime();
            served.remove(clusters.drainFirstPrimaryNode());
            await().atMost(WAIT).until(() -> ports(client).equals(TestClusters.ports(served)));
            String removal = ClientTable.secondsSince(removed);

            client.flushAll();
            for (int i = 0; i < KEYS; i++) {
                assertThat(client.set("key-" + i, 0, "v")).isTrue();
            }
            List<Node> before = List.copyOf(served);
            long added = System.nanoTime();
            served.add(clusters.addNode(clusters.secondary(), "localhost"));
            await().atMost(WAIT).until(() -> ports(client).equals(TestClusters.ports(served)));
            String addition = ClientTable.secondsSince(added);

            int missed = 0;
            for (int i = 0; i < KEYS; i++) {
                missed += client.get("key-" + i) == null ? 1 : 0;
            }
            double estimated = KeyMovement.fraction(HashScheme.KETAMA_XMEMCACHED, before, served);
            assertThat((double) missed / KEYS).as("keys missed after the addition; Memgrate estimated %.3f", estimated)
                    .isCloseTo(estimated, within(0.03));
            ClientTable.row(CLIENT, "MemgrateElastiCacheClient, ketama", "merged list, at start",
                    "yes, " + removal, "yes, " + addition
                            + String.format(Locale.ROOT, " (%.1f %% of keys missed, %.1f %% estimated)",
                                    100.0 * missed / KEYS, 100 * estimated));
        } finally {
            client.shutdown();
        }
    }

    /**
     * Memgrate unreachable for a while: the client keeps its nodes, the adapter logs the outage once and its end once,
     * and a change made meanwhile is followed at the first poll Memgrate answers.
     */
    @Test
    void whileMemgrateIsUnreachableTheClientKeepsItsNodesAndTheOutageIsLoggedOnce() throws Exception {
        try (TcpRelay relay = new TcpRelay(server.port());
                LogLines log = LogLines.of(MemgrateElastiCacheClient.class.getName())) {
            MemgrateElastiCacheClient client = new MemgrateElastiCacheClient(memgrate(relay.port()), CLIENT_POLL_MILLIS);
            try {
                List<Node> served = clusters.listedNodes();
                await().atMost(WAIT).until(() -> ports(client).equals(TestClusters.ports(served)));

                relay.cut();
                await().atMost(WAIT).until(() -> log.count("Cannot get the configuration from Memgrate") == 1);
                // many polls later: still every node, still one line
                await().during(Duration.ofMillis(10 * CLIENT_POLL_MILLIS)).atMost(WAIT)
                        .until(() -> ports(client).equals(TestClusters.ports(served)));
                assertThat(log.count("Cannot get the configuration from Memgrate")).isEqualTo(1);

                served.remove(clusters.drainFirstPrimaryNode());
                relay.restore();
                await().atMost(WAIT).until(() -> ports(client).equals(TestClusters.ports(served)));
                assertThat(log.count("answers again after")).isEqualTo(1);
                assertThat(log.lines()).hasSize(2);
            } finally {
                client.shutdown();
            }
        }
    }

    private static InetSocketAddress memgrate(int port) {
        return new InetSocketAddress("127.0.0.1", port);
    }

    private static List<Integer> ports(AWSElasticCacheClient client) {
        return client.getAvailableServers().stream().map(InetSocketAddress::getPort).sorted().toList();
    }
}
