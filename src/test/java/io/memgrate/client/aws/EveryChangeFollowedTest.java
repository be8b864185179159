package io.memgrate.client.aws;

import static io.memgrate.support.AwsClusterClients.ports;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.memgrate.cluster.Node;
import io.memgrate.support.ClustersAsCreatedTest;
import io.memgrate.support.AwsClusterClients;
import io.memgrate.support.AwsClusterClients.Protocol;
import io.memgrate.support.LogLines;
import io.memgrate.support.TestClusters;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import net.spy.memcached.MemcachedClient;

/**
 * The AWS ElastiCache Cluster Client for Java 1.2.4 with the adapter follows every change Memgrate serves within two
 * of its polls, the first after start included. Without the adapter's own wait, the client's poller can miss the
 * signal that a change was applied and stop polling for 50 s (its waitForConfigChangeApplied).
 */
@QuarkusTest
@WithTestResource(value = TestClusters.class, scope = TestResourceScope.RESTRICTED_TO_CLASS,
        initArgs = @ResourceArg(name = TestClusters.ELASTICACHE_NODES, value = "true"))
class EveryChangeFollowedTest extends ClustersAsCreatedTest {

    private static final long POLL_MILLIS = 200;
    private static final int CHANGES = 30;
    /**
     * Two polls, plus 1 s for Memgrate's own refresh (100 ms) and a loaded, shared 2-core machine; a missed wakeup
     * costs 50 s.
     */
    private static final Duration WITHIN_TWO_POLLS = Duration.ofMillis(2 * POLL_MILLIS + 1000);

    private static final String POLLER_LOG = "net.spy.memcached.ConfigurationPoller";
    /** The client's poller makes its first poll 5 s after the client starts. */
    private static final Duration POLLER_STARTS = Duration.ofSeconds(15);

    /** Drains and additions on both sides in turn: each followed within two polls of the client. */
    @ParameterizedTest
    @EnumSource(Protocol.class)
    void thirtySuccessiveChangesAreEachFollowedWithinTwoPolls(Protocol protocol) throws Exception {
        MemcachedClient client = startedAndPolled(protocol);
        try {
            Deque<Node> drainedFromPrimary = new ArrayDeque<>();
            Deque<Node> drainedFromSecondary = new ArrayDeque<>();
            for (int change = 1; change <= CHANGES; change++) {
                String what = switch (change % 4) {
                    case 1 -> drain(clusters.primary(), drainedFromPrimary);
                    case 2 -> drain(clusters.secondary(), drainedFromSecondary);
                    case 3 -> addBack(clusters.primary(), drainedFromPrimary);
                    default -> addBack(clusters.secondary(), drainedFromSecondary);
                };
                awaitFollowed(client, "change " + change + " of " + CHANGES + ", " + what + ", " + protocol);
            }
            if (protocol == Protocol.TEXT) { // the ElastiCache-like fronts relay the text protocol only
                assertThat(client.set("after-every-change", 0, "v").get(5, TimeUnit.SECONDS)).isTrue();
            }
        } finally {
            client.shutdown(5, TimeUnit.SECONDS);
        }
    }

    /**
     * The poller's first poll applies a change too (from its version -1 to the list the client started with, unchanged):
     * the next change must not wait 50 s.
     */
    @ParameterizedTest
    @EnumSource(Protocol.class)
    void theFirstChangeAfterStartIsFollowedWithinTwoPolls(Protocol protocol) throws Exception {
        MemcachedClient client = startedAndPolled(protocol);
        try {
            String what = drain(clusters.primary(), new ArrayDeque<>());
            awaitFollowed(client, "the first change after start, " + what + ", " + protocol);
        } finally {
            client.shutdown(5, TimeUnit.SECONDS);
        }
    }

    /**
     * A client with the adapter, ketama with the binary protocol and array-mod with the text protocol (both locators,
     * both protocols), once its poller has made its first poll: the client asks for its nodes when it is built, and its
     * poller starts 5 s later.
     */
    private MemcachedClient startedAndPolled(Protocol protocol) throws Exception {
        try (LogLines poller = LogLines.of(POLLER_LOG)) {
            MemcachedClient client = AwsClusterClients.dynamic(server.port(), POLL_MILLIS,
                    new MemgrateEndpointStrategyFactory(), protocol, protocol == Protocol.BINARY);
            assertThat(ports(client)).as("discovered at start").isEqualTo(TestClusters.ports(clusters.listedNodes()));
            await("the poller's first poll").atMost(POLLER_STARTS)
                    .until(() -> poller.count("Notifying observers about configuration change") == 1);
            return client;
        }
    }

    private void awaitFollowed(MemcachedClient client, String change) {
        List<Integer> listed = TestClusters.ports(clusters.listedNodes());
        await(change).atMost(WITHIN_TWO_POLLS).pollInterval(Duration.ofMillis(20))
                .until(() -> ports(client).equals(listed));
    }

    private static String drain(TestClusters.Cluster cluster, Deque<Node> drained) {
        List<Node> nodes = new ArrayList<>(cluster.endpoint().config().nodes());
        drained.push(nodes.remove(0));
        cluster.endpoint().setNodes(nodes);
        return "drained " + drained.peek().host();
    }

    private static String addBack(TestClusters.Cluster cluster, Deque<Node> drained) {
        List<Node> nodes = new ArrayList<>(cluster.endpoint().config().nodes());
        nodes.add(drained.pop());
        cluster.endpoint().setNodes(nodes);
        return "added " + nodes.get(nodes.size() - 1).host();
    }
}
