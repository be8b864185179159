package io.memgrate.client.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.memgrate.cluster.Node;
import io.memgrate.server.ConfigEndpointServer;
import io.memgrate.support.ClientTable;
import io.memgrate.support.InjectTestClusters;
import io.memgrate.support.TestClusters;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The Node.js ElastiCache clients of docs/clients.md's client table behind a real Memgrate, over cache nodes that answer
 * {@code config get cluster} with their own cluster's configuration as every ElastiCache node does: each client runs
 * in a node process ({@code src/test/node/clients/follow.js}, packages pinned by its package-lock.json) that reports
 * the nodes it uses; this test makes the changes upstream and times the client. The clients' versions are pinned, so
 * a client that starts or stops following fails here and README's table changes with it.
 */
@QuarkusTest
@WithTestResource(value = TestClusters.class, scope = TestResourceScope.RESTRICTED_TO_CLASS,
        initArgs = { @ResourceArg(name = TestClusters.ELASTICACHE_NODES, value = "true"),
                // memcached-elasticache and memcache-plus connect to the host names listed
                @ResourceArg(name = TestClusters.RESOLVABLE_HOSTS, value = "true") })
class NodeClientsTest {

    private static final Path CLIENTS = Path.of("src/test/node/clients");
    private static final String INSTALL = "run `npm ci --prefix src/test/node/clients` (.ci/run does)";
    private static final long POLL_MILLIS = 200;
    /** The node process ends itself after this, should the test not end it. */
    private static final long PROCESS_MAX_SECONDS = 120;
    private static final Duration DISCOVERS = Duration.ofSeconds(15);
    /** Two polls take 0.4 s; the rest is room for a loaded, shared machine. The figure reported is the time taken. */
    private static final Duration FOLLOWS = Duration.ofSeconds(10);
    /** A client that does not follow still uses its start-up list this long (25 polls) after a change. */
    private static final Duration NEVER = Duration.ofSeconds(5);

    /** Each client as README's table names it, and the setting {@code follow.js} starts it with. */
    enum NodeClient {
        MEMCACHE("memcache", "memcache", "`autoDiscover: { enabled, configEndpoint, pollingInterval }` (`config get cluster`)"),
        MEMCACHE_LEGACY_KEY("memcache-legacy", "memcache", "the same with `useLegacyCommand: true` (`get AmazonElastiCache:cluster`)"),
        MEMCACHED_ELASTICACHE("memcached-elasticache", "memcached-elasticache", "`autoDiscoverInterval`"),
        MEMCACHE_PLUS("memcache-plus", "memcache-plus", "`autodiscover: true`");

        final String script;
        final String npmPackage;
        final String setting;

        NodeClient(String script, String npmPackage, String setting) {
            this.script = script;
            this.npmPackage = npmPackage;
            this.setting = setting;
        }
    }

    @Inject
    ConfigEndpointServer server;

    @InjectTestClusters
    TestClusters clusters;

    @BeforeAll
    static void clientsInstalled() {
        for (NodeClient client : NodeClient.values()) {
            assertThat(CLIENTS.resolve("node_modules").resolve(client.npmPackage).resolve("package.json"))
                    .as("npm package %s is not installed: %s", client.npmPackage, INSTALL).isRegularFile();
        }
    }

    @BeforeEach
    void clustersAsCreated() {
        clusters.restore();
        clusters.awaitMergeServed(server.port());
    }

    /** memcache (either key) and memcached-elasticache poll the endpoint they were given: each change is followed. */
    @ParameterizedTest
    @EnumSource(value = NodeClient.class, names = "MEMCACHE_PLUS", mode = EnumSource.Mode.EXCLUDE)
    void theClientDiscoversBothClustersAndFollowsADrainAndAnAddition(NodeClient which) throws Exception {
        try (NodeProcess client = NodeProcess.start(which, server.port())) {
            List<Node> served = clusters.listedNodes();
            String discovery = client.awaitNodes("discovers the merged list", served, client.started, DISCOVERS);

            long drained = System.nanoTime();
            served.remove(clusters.drainFirstPrimaryNode());
            String removal = client.awaitNodes("follows a drain", served, drained, FOLLOWS);

            long added = System.nanoTime();
            served.add(clusters.addNode(clusters.secondary(), "localhost"));
            String addition = client.awaitNodes("follows an addition", served, added, FOLLOWS);

            assertThat(client.errors()).as("errors the client reported").isEmpty();
            ClientTable.row(client.name(), which.setting, "merged list, " + discovery + " after start",
                    "yes, " + removal, "yes, " + addition);
        }
    }

    /** memcache-plus asks the endpoint once, at connect, and never again: it follows neither change. */
    @Test
    void memcachePlusDiscoversOnceAndFollowsNoChange() throws Exception {
        try (NodeProcess client = NodeProcess.start(NodeClient.MEMCACHE_PLUS, server.port())) {
            List<Integer> atStart = TestClusters.ports(clusters.listedNodes());
            String discovery = client.awaitNodes("discovers the merged list", clusters.listedNodes(), client.started,
                    DISCOVERS);

            clusters.drainFirstPrimaryNode();
            clusters.awaitMergeServed(server.port());
            client.keepsNodes("after a drain", atStart);

            clusters.addNode(clusters.secondary(), "localhost");
            clusters.awaitMergeServed(server.port());
            client.keepsNodes("after an addition", atStart);

            assertThat(client.errors()).as("errors the client reported").isEmpty();
            String never = "never: still its start-up list " + NEVER.toSeconds() + " s after (it polls only at connect)";
            ClientTable.row(client.name(), NodeClient.MEMCACHE_PLUS.setting, "merged list, " + discovery + " after start",
                    never, never);
        }
    }

    /** A running {@code follow.js}: the ports of the nodes its client uses, as it last reported them. */
    private static final class NodeProcess implements AutoCloseable {

        private final Process process;
        private final List<String> output = new CopyOnWriteArrayList<>();
        private volatile List<Integer> ports = List.of();
        private volatile String version = "?";
        /** When the client was created ({@link System#nanoTime()}), as the script reported it. */
        private volatile long started;

        private NodeProcess(Process process) {
            this.process = process;
        }

        static NodeProcess start(NodeClient client, int memgratePort) {
            Process process;
            try {
                process = new ProcessBuilder("node", "follow.js", client.script, "127.0.0.1:" + memgratePort,
                        String.valueOf(POLL_MILLIS), String.valueOf(PROCESS_MAX_SECONDS))
                        .directory(CLIENTS.toFile()).redirectErrorStream(true).start();
            } catch (IOException e) {
                throw new IllegalStateException("cannot run node: the Node.js client tests need Node.js and npm"
                        + " (apt-get install -y nodejs npm), then " + INSTALL, e);
            }
            NodeProcess running = new NodeProcess(process);
            Thread reader = new Thread(running::read, "node " + client.script);
            reader.setDaemon(true);
            reader.start();
            await("node " + client.script + " starts").atMost(DISCOVERS).until(() -> running.started != 0);
            return running;
        }

        private void read() {
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    output.add(line);
                    if (line.startsWith("nodes ")) {
                        String list = line.substring("nodes ".length());
                        ports = list.isEmpty() ? List.of()
                                : Arrays.stream(list.split(",")).map(Integer::valueOf).toList();
                    } else if (line.startsWith("started ")) {
                        version = line.substring("started ".length());
                        started = System.nanoTime();
                    }
                }
            } catch (IOException e) {
                output.add("(output unreadable: " + e.getMessage() + ")");
            }
        }

        List<Integer> ports() {
            return ports;
        }

        /** The client and the versions it ran with, as README's table names them. */
        String name() {
            return "Node.js " + version;
        }

        List<String> errors() {
            return output.stream().filter(line -> line.startsWith("error ")).toList();
        }

        /** Waits until the client uses {@code nodes}; returns the time since {@code sinceNanos}, as the table shows it. */
        String awaitNodes(String what, List<Node> nodes, long sinceNanos, Duration atMost) {
            List<Integer> expected = TestClusters.ports(nodes);
            try {
                await().atMost(atMost).until(() -> ports.equals(expected));
            } catch (ConditionTimeoutException e) {
                throw new AssertionError(name() + " never " + what + " within " + atMost + ": expected nodes "
                        + expected + ", it uses " + ports + "; its output: " + output, e);
            }
            return ClientTable.secondsSince(sinceNanos);
        }

        /** Checks that the client still uses {@code expected} after 25 polls' time (NEVER). */
        void keepsNodes(String when, List<Integer> expected) {
            try {
                await().during(NEVER).atMost(NEVER.plus(FOLLOWS)).until(() -> ports.equals(expected));
            } catch (ConditionTimeoutException e) {
                throw new AssertionError(name() + " does not keep its start-up nodes " + expected + " " + when
                        + ": it uses " + ports + "; its output: " + output, e);
            }
        }

        @Override
        public void close() throws IOException, InterruptedException {
            // the script ends when its input closes
            process.getOutputStream().close();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }
}
