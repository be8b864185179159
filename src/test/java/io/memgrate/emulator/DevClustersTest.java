package io.memgrate.emulator;

import static io.memgrate.support.ExpectedReplies.configReply;
import static io.memgrate.support.Serving.awaitServed;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.memgrate.server.ConfigEndpointServer;
import io.memgrate.settings.MemgrateSettings;
import io.memgrate.support.FreePorts;
import io.memgrate.support.TextClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** The embedded default as dev mode runs it: nodes that store keys, answer their cluster's config, and can be drained. */
@QuarkusTest
@TestProfile(DevClustersTest.DevClustersOnFreePorts.class)
class DevClustersTest {

    /** Dev clusters as in dev mode, on free ports instead of 212xx, which may be busy. */
    public static class DevClustersOnFreePorts implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            String oldNodes = "old-1.memgrate.local|127.0.0.1|" + FreePorts.next() + " old-2.memgrate.local|127.0.0.1|" + FreePorts.next();
            String newNodes = "new-1.memgrate.local|127.0.0.1|" + FreePorts.next() + " new-2.memgrate.local|127.0.0.1|" + FreePorts.next();
            return Map.of("memgrate.dev-clusters.enabled", "true",
                    "memgrate.dev-clusters.old-nodes", oldNodes,
                    "memgrate.dev-clusters.new-nodes", newNodes,
                    "memgrate.listen.host", "127.0.0.1",
                    "memgrate.listen.port", "0",
                    "memgrate.refresh-interval", "100ms");
        }
    }

    @Inject
    ConfigEndpointServer server;

    @Inject
    DevClusters devClusters;

    /** The test reads the node lists the application started with (the profile's class may be loaded twice). */
    @Inject
    MemgrateSettings settings;

    private String oldNodes;
    private String newNodes;
    private int old1;
    private int old2;
    private int new1;
    private int new2;

    @BeforeEach
    void readNodes() {
        oldNodes = settings.devClusters().oldNodes();
        newNodes = settings.devClusters().newNodes();
        old1 = port(oldNodes, 0);
        old2 = port(oldNodes, 1);
        new1 = port(newNodes, 0);
        new2 = port(newNodes, 1);
    }

    private static int port(String nodes, int index) {
        return DevClusters.parseNodes(nodes).get(index).port();
    }

    @AfterEach
    void allNodesListedAgain() {
        given().contentType("text/plain").body(oldNodes).put("/memgrate/dev/clusters/old/nodes").then().statusCode(200);
    }

    @Test
    void everyNodeStoresKeysAndAnswersItsOwnClustersConfiguration() {
        String oldConfig = configReply(devClusters.config(DevClusters.Cluster.OLD).version() + "\n" + oldNodes + "\n");
        String newConfig = configReply(devClusters.config(DevClusters.Cluster.NEW).version() + "\n" + newNodes + "\n");
        for (int port : new int[] { old1, old2, new1, new2 }) {
            String value = "value of node " + port;
            String stored = "VALUE k 0 " + value.length() + "\r\n" + value + "\r\nEND\r\n";
            try (TextClient client = new TextClient(port)) {
                assertThat(client.exchange("set k 0 0 " + value.length() + "\r\n" + value + "\r\n", "STORED\r\n")).isEqualTo("STORED\r\n");
                assertThat(client.exchange("get k\r\n", stored)).isEqualTo(stored);
                String own = port == old1 || port == old2 ? oldConfig : newConfig;
                assertThat(client.exchange("config get cluster\r\n", own)).isEqualTo(own);
            }
        }
    }

    @Test
    void drainingANodeRaisesItsClustersVersionAndChangesMemgratesAndTheNodesAnswers() {
        long oldVersion = devClusters.config(DevClusters.Cluster.OLD).version();
        long newVersion = devClusters.config(DevClusters.Cluster.NEW).version();
        awaitServed(server.port(), configReply((oldVersion + newVersion) + "\n" + oldNodes + " " + newNodes + "\n"));

        given().delete("/memgrate/dev/clusters/old/nodes/old-2.memgrate.local").then().statusCode(200)
                .body("cluster", equalTo("old"))
                .body("version", equalTo((int) oldVersion + 1))
                .body("nodes", contains("old-1.memgrate.local|127.0.0.1|" + old1));

        String remaining = "old-1.memgrate.local|127.0.0.1|" + old1;
        awaitServed(server.port(), configReply((oldVersion + 1 + newVersion) + "\n" + remaining + " " + newNodes + "\n"));
        String nodesOwn = configReply((oldVersion + 1) + "\n" + remaining + "\n");
        for (int port : new int[] { old1, old2 }) {
            try (TextClient node = new TextClient(port)) {
                assertThat(node.exchange("config get cluster\r\n", nodesOwn)).isEqualTo(nodesOwn);
            }
        }
    }

    @Test
    void nodeListChangesThatWouldListNoWorkingNodeAreRefusedWithTheReason() {
        given().delete("/memgrate/dev/clusters/old/nodes/old-9.memgrate.local").then().statusCode(404)
                .body(equalTo("the old cluster lists no node old-9.memgrate.local\n"));
        given().contentType("text/plain").body("elsewhere|10.0.0.1|11211").put("/memgrate/dev/clusters/new/nodes").then()
                .statusCode(400).body(equalTo("elsewhere|10.0.0.1|11211 is not a node of the new cluster; its nodes are "
                        + newNodes + "\n"));
        given().delete("/memgrate/dev/clusters/old/nodes/old-2.memgrate.local").then().statusCode(200);
        given().delete("/memgrate/dev/clusters/old/nodes/old-1.memgrate.local").then().statusCode(409)
                .body(equalTo("old-1.memgrate.local is the last node of the old cluster; a cluster needs at least one node\n"));
    }

}
