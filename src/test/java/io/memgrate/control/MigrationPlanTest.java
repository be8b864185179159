package io.memgrate.control;

import static io.memgrate.support.AwsClusterClients.ports;
import static io.memgrate.support.ExpectedReplies.configReply;
import static io.memgrate.support.ExpectedReplies.payload;
import static io.memgrate.support.Prometheus.counter;
import static io.memgrate.support.Prometheus.metric;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

import io.memgrate.client.aws.MemgrateEndpointStrategyFactory;
import io.memgrate.cluster.Node;
import io.memgrate.server.ConfigEndpointServer;
import io.memgrate.support.AwsClusterClients;
import io.memgrate.support.InjectTestClusters;
import io.memgrate.support.MemcachedProcess;
import io.memgrate.support.Serving;
import io.memgrate.support.TestClusters;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import net.spy.memcached.MemcachedClient;
import net.spy.memcached.internal.OperationFuture;

/**
 * A 4 + 4 migration steered by the plan file: Memgrate starts serving the old cluster alone, then nodes are admitted
 * and withdrawn one step at a time and rolled back, with the status, metrics and a real client following each step.
 */
@QuarkusTest
@WithTestResource(value = TestClusters.class, scope = TestResourceScope.RESTRICTED_TO_CLASS, initArgs = {
        @ResourceArg(name = TestClusters.NODES_PER_CLUSTER, value = "4"),
        @ResourceArg(name = TestClusters.PLAN, value = "revision: 1\n") })
class MigrationPlanTest {

    private static final Logger LOG = Logger.getLogger(MigrationPlanTest.class);
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final int KEYS = 20_000;
    private static final String SCHEME = "ketama-aws-java";

    @Inject
    ConfigEndpointServer server;

    @InjectTestClusters
    TestClusters clusters;

    private List<Node> oldNodes() {
        return clusters.primary().endpoint().config().nodes();
    }

    private List<Node> newNodes() {
        return clusters.secondary().endpoint().config().nodes();
    }

    private static JsonPath status() {
        return given().get("/memgrate/status").then().statusCode(200).extract().jsonPath();
    }

    private static long revision() {
        return status().getLong("plan.revision");
    }

    /** The status once its next steps are worked out for what is served now (they are worked out after each change). */
    private static JsonPath statusWithCurrentSteps() {
        return await().atMost(WAIT).until(MigrationPlanTest::status, status -> status.getBoolean("keyMovement.nextStepsCurrent"));
    }

    /** The status once it shows the change to {@code version} (the keys a change moved are worked out after it). */
    private static JsonPath awaitChangeTo(long version) {
        return await().atMost(WAIT).until(MigrationPlanTest::status,
                status -> status.getLong("keyMovement.lastChange.toVersion") == version);
    }

    /** Writes the next plan (the revision applied now plus one) and waits until {@code served} is served. */
    private long step(String admitAndWithdraw, List<Node> served) throws IOException {
        long revision = revision() + 1;
        Files.writeString(clusters.planFile(), "revision: " + revision + "\n" + admitAndWithdraw);
        long version = 7 + 3 + revision;
        Serving.awaitServed(server.port(), configReply(payload(version, served)));
        return version;
    }

    @Test
    void stepsForwardAndBackAreServedLiveWithTheirKeyMovementKnownBefore() throws IOException {
        step("", oldNodes());
        JsonPath before = statusWithCurrentSteps();
        assertThat(before.getLong("keyMovement.nextStepsFor.servedVersion")).isEqualTo(before.getLong("served.version"));
        assertThat(before.getLong("keyMovement.nextStepsFor.planRevision")).isEqualTo(before.getLong("plan.revision"));
        assertThat(before.getList("plan.pending")).hasSize(4);
        assertThat(before.getList("served.byCluster.secondary")).isEmpty();
        assertThat(before.getList("keyMovement.nextSteps.action")).containsOnly("admit", "withdraw").hasSize(8);
        // no client hashing declared, no autopilot: every scheme alike, and every step a person's
        assertThat(before.getString("keyMovement.clientHashing")).isNull();
        assertThat(before.getMap("keyMovement.gentlestNextStep")).isNull();
        assertThat(before.getString("autopilot.state")).isEqualTo("off");
        assertThat(metric("memgrate_autopilot_state{state=\"off\"}")).isEqualTo(1.0);
        Map<String, Float> estimate = before.getMap("keyMovement.nextSteps.find { it.action == 'admit' && it.host == '"
                + newNodes().get(0).host() + "' }.keysMoved");

        List<Node> withNew1 = new ArrayList<>(oldNodes());
        withNew1.add(newNodes().get(0));
        long version = step("admit: [" + newNodes().get(0).host() + "]\n", withNew1);

        JsonPath after = awaitChangeTo(version);
        assertThat(after.getMap("keyMovement.lastChange.keysMoved", String.class, Float.class)).isEqualTo(estimate);
        assertThat(after.getList("served.byCluster.secondary")).containsExactly(newNodes().get(0).toString());
        assertThat(metric("memgrate_plan_revision")).isEqualTo(revision());
        assertThat(metric("memgrate_served_cluster_nodes{upstream=\"secondary\"}")).isEqualTo(1.0);
        assertThat(metric("memgrate_keys_moved_last_change_ratio{scheme=\"" + SCHEME + "\"}"))
                .isCloseTo(estimate.get(SCHEME), within(0.0001));

        // a bad edit: refused as a whole, the plan before stays served, readiness stays UP
        double refused = counter("memgrate_plan_refusals_total{reason=\"unknown-host\"}");
        Files.writeString(clusters.planFile(), "revision: " + (revision() + 1) + "\nadmit: [new-9.test]\n");
        await().atMost(WAIT).until(() -> counter("memgrate_plan_refusals_total{reason=\"unknown-host\"}") == refused + 1);
        assertThat(status().getString("plan.lastRefusal.message"))
                .isEqualTo("no upstream lists new-9.test: name hosts as config get cluster lists them");
        Serving.awaitServed(server.port(), configReply(payload(version, withNew1)));
        given().get("/q/health/ready").then().statusCode(200);

        // rolled back: the old cluster alone again, at a higher version
        long rolledBack = step("", oldNodes());
        assertThat(rolledBack).isGreaterThan(version);
        assertThat(status().getString("plan.lastRefusal")).isNull();
    }

    /**
     * The real AWS Java cluster client, on consistent hashing (KETAMA_HASH), through a whole migration: before each
     * step a client that discovered the list served then stores every key afresh on the node it maps to; after it, a
     * client that discovered the new list reads them back, so the keys it misses are the keys the step moved, which
     * Memgrate estimated before it was taken. A client per side of each step, as a long-lived one's configuration
     * poller can stop on its own after a node is removed (the client's, not Memgrate's; ElastiCacheClusterClientTest
     * covers a long-lived client following a change).
     */
    @Test
    void theAwsJavaClientMissesTheKeysEstimatedForEachStep() throws Exception {
        List<Node> current = oldNodes();
        step("", current);
        List<String> table = new ArrayList<>(List.of("| step | plan | served version | estimated | measured |",
                "|---|---|---:|---:|---:|"));
        List<String> admitted = new ArrayList<>();
        List<String> withdrawn = new ArrayList<>();
        List<String> steps = new ArrayList<>();
        newNodes().forEach(node -> steps.add("admit " + node.host()));
        oldNodes().forEach(node -> steps.add("withdraw " + node.host()));
        steps.add("roll back withdraw " + oldNodes().get(3).host());
        for (String name : steps) {
            String action = name.replace("roll back ", "");
            String host = action.substring(action.indexOf(' ') + 1);
            double estimated;
            if (name.startsWith("roll back")) {
                withdrawn.remove(host);
                estimated = Double.NaN;
            } else {
                estimated = statusWithCurrentSteps().getDouble("keyMovement.nextSteps.find { it.action == '" + action.split(" ")[0]
                        + "' && it.host == '" + host + "' }.keysMoved.'" + SCHEME + "'");
                (action.startsWith("admit") ? admitted : withdrawn).add(host);
            }
            storeEveryKeyAfresh(current);
            String plan = "admit: " + admitted + "\nwithdraw: " + withdrawn + "\n";
            List<Node> served = served(admitted, withdrawn);
            long version = step(plan, served);
            double measured = misses(served) / (double) KEYS;
            current = served;
            double logged = awaitChangeTo(version).getDouble("keyMovement.lastChange.keysMoved.'" + SCHEME + "'");
            if (!Double.isNaN(estimated)) {
                assertThat(logged).as("the movement of %s, as estimated before it", name).isCloseTo(estimated, within(0.0001));
            }
            assertThat(measured).as("keys the client missed after %s", name).isCloseTo(logged, within(0.02));
            table.add(String.format("| %s | %s | %d | %.1f %% | %.1f %% |", name, plan.replace("\n", "; ").trim(),
                    version, logged * 100, measured * 100));
        }
        LOG.info("Migration with the AWS Java cluster client (KETAMA_HASH), " + KEYS + " keys:\n" + String.join("\n", table));
    }

    private List<Node> served(List<String> admitted, List<String> withdrawn) {
        List<Node> served = new ArrayList<>(oldNodes().stream().filter(node -> !withdrawn.contains(node.host())).toList());
        served.addAll(newNodes().stream().filter(node -> admitted.contains(node.host())).toList());
        return served;
    }

    /** A client that has discovered {@code served} from Memgrate. */
    private MemcachedClient client(List<Node> served) throws IOException {
        MemcachedClient client = AwsClusterClients.dynamic(server.port(), 200, new MemgrateEndpointStrategyFactory(), true);
        await().atMost(WAIT).until(() -> ports(client).equals(served.stream().map(Node::port).sorted().toList()));
        return client;
    }

    /**
     * Empties every node, then stores every key through a client of the {@code served} list, so each key is on exactly
     * the node it maps to.
     */
    private void storeEveryKeyAfresh(List<Node> served) throws Exception {
        for (MemcachedProcess node : allNodes()) {
            assertThat(node.command("flush_all\r\n")).isEqualTo("OK\r\n");
        }
        MemcachedClient client = client(served);
        try {
            List<OperationFuture<Boolean>> stored = new ArrayList<>();
            for (int i = 0; i < KEYS; i++) {
                stored.add(client.set("key-" + i, 0, "v"));
            }
            for (OperationFuture<Boolean> future : stored) {
                assertThat(future.get(10, TimeUnit.SECONDS)).isTrue();
            }
        } finally {
            client.shutdown(5, TimeUnit.SECONDS);
        }
    }

    /** How many keys a client of the {@code served} list does not find. */
    private long misses(List<Node> served) throws IOException {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < KEYS; i++) {
            keys.add("key-" + i);
        }
        MemcachedClient client = client(served);
        try {
            return KEYS - client.getBulk(keys).size();
        } finally {
            client.shutdown(5, TimeUnit.SECONDS);
        }
    }

    private List<MemcachedProcess> allNodes() {
        List<MemcachedProcess> nodes = new ArrayList<>(clusters.oldNodes());
        nodes.addAll(clusters.newNodes());
        return nodes;
    }
}
