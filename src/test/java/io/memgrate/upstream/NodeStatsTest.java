package io.memgrate.upstream;

import static io.memgrate.support.Prometheus.metric;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;

import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.memgrate.cluster.Node;
import io.memgrate.nodestats.NodeStatsBook;
import io.memgrate.support.FakeStatsNode;
import io.memgrate.support.FreePorts;
import io.memgrate.support.InjectTestClusters;
import io.memgrate.support.MemcachedProcess;
import io.memgrate.support.TestClusters;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * Node statistics end to end: real memcached nodes behind ElastiCache-like fronts, read every 300 ms, with gets that
 * hit or miss sent to them; fake nodes for replies memcached never gives. Starts with a plan that admits nothing.
 */
@QuarkusTest
@WithTestResource(value = TestClusters.class, scope = TestResourceScope.RESTRICTED_TO_CLASS, initArgs = {
        @ResourceArg(name = TestClusters.STATS_INTERVAL, value = "300ms"),
        @ResourceArg(name = TestClusters.PLAN, value = "revision: 1\n") })
class NodeStatsTest {

    private static final Duration INTERVAL = Duration.ofMillis(300);
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String TOO_LARGE = "stats reply is larger than the limit of 16384 bytes"
            + " (memgrate.nodes.max-stats-reply-bytes); refused as it streamed in";

    @InjectTestClusters
    TestClusters clusters;

    private final Traffic traffic = new Traffic();
    private final List<FakeStatsNode> fakes = new ArrayList<>();

    @BeforeEach
    void ready() {
        await().atMost(WAIT).until(() -> status().getBoolean("ready"));
    }

    @AfterEach
    void restore() throws IOException {
        traffic.close();
        fakes.forEach(FakeStatsNode::close);
        clusters.restore();
        Files.writeString(clusters.planFile(), "revision: " + (status().getLong("plan.revision") + 1) + "\n");
        await().atMost(WAIT).until(() -> status().getList("served.byCluster.secondary").isEmpty());
    }

    private static JsonPath status() {
        return given().get("/memgrate/status").then().statusCode(200).extract().jsonPath();
    }

    /** The status of the node {@code node} lists, in its cluster's list. */
    private static Map<String, Object> node(JsonPath status, String side, Node node) {
        return status.getMap("nodes." + side + ".find { it.node == '" + label(node) + "' }");
    }

    private static String label(Node node) {
        return node.host() + ":" + node.port();
    }

    private static String series(String name, String side, Node node) {
        return name + "{node=\"" + label(node) + "\",upstream=\"" + side + "\"}";
    }

    private Node old(int i) {
        return clusters.primary().endpoint().config().nodes().get(i);
    }

    private Node young(int i) {
        return clusters.secondary().endpoint().config().nodes().get(i);
    }

    private void plan(String admit) throws IOException {
        Files.writeString(clusters.planFile(), "revision: " + (status().getLong("plan.revision") + 1) + "\n" + admit);
    }

    /** Lists a node at {@code port} at the end of {@code cluster}. */
    private Node list(TestClusters.Cluster cluster, String host, int port) {
        Node node = new Node(host, "127.0.0.1", port);
        List<Node> nodes = new ArrayList<>(cluster.endpoint().config().nodes());
        nodes.add(node);
        cluster.endpoint().setNodes(nodes);
        return node;
    }

    private FakeStatsNode fake(String reply) {
        FakeStatsNode fake = FakeStatsNode.answering(reply);
        fakes.add(fake);
        return fake;
    }

    /**
     * Reading hundreds of nodes must not queue the clients' requests behind it: Vert.x 4 serves every client connection
     * on one loop of its pool, which a context taken from that pool can share, so nodes are read on a thread of their own.
     */
    @Test
    void nodesAreReadOnAThreadOfTheirOwn() {
        List<Thread> statsThreads = Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().equals("memgrate-node-stats")).toList();
        assertThat(statsThreads).as("threads named memgrate-node-stats").hasSize(1);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpuBefore = threads.getThreadCpuTime(statsThreads.get(0).getId());

        await("the node statistics thread at work").atMost(WAIT)
                .until(() -> threads.getThreadCpuTime(statsThreads.get(0).getId()) > cpuBefore);
    }

    @Test
    void aNewNodeThatMissesIsNotWarmUntilItHitsLikeTheServedNodes() throws IOException {
        Node new1 = young(0);
        MemcachedProcess new1Memcached = clusters.newNodes().get(0);
        traffic.hits(clusters.oldNodes().get(0));
        traffic.hits(clusters.oldNodes().get(1));
        traffic.misses(new1Memcached);
        // each node is read at its own offset into the interval, and a round ends when its last read does: wait for the
        // served nodes and new-1 both measured for two intervals, so a whole round has ended with the level before the step
        JsonPath waiting = await("the served nodes' and new-1's hit ratios measured").atMost(WAIT)
                .during(Duration.ofMillis(700)).until(NodeStatsTest::status,
                status -> status.get("nextStepVerdict.servedHitRatio") instanceof Number ratio && ratio.doubleValue() == 1.0
                        && Float.valueOf(0.0f).equals(node(status, "secondary", new1).get("hitRatio")));
        assertThat(node(waiting, "secondary", new1)).containsEntry("admission", "waiting").containsEntry("warm", null);
        assertThat(node(waiting, "secondary", new1).get("hitRatio")).isEqualTo(0.0f);
        assertThat(waiting.getBoolean("nextStepVerdict.safe")).isTrue();

        plan("admit: [" + new1.host() + "]\n");
        JsonPath cold = await("new-1 judged cold").atMost(WAIT).until(NodeStatsTest::status, status ->
                String.valueOf(node(status, "secondary", new1).get("notWarmBecause")).startsWith("hit ratio 0.000"));

        Map<String, Object> new1Status = node(cold, "secondary", new1);
        assertThat(new1Status).containsEntry("admission", "served").containsEntry("warm", false)
                .containsEntry("reachable", true).containsEntry("hitRatio", 0.0f);
        assertThat((Float) new1Status.get("getsPerSecond")).isPositive();
        assertThat(node(cold, "primary", old(0))).containsEntry("hitRatio", 1.0f).containsEntry("warm", null);
        assertThat(cold.getBoolean("nextStepVerdict.safe")).isFalse();
        assertThat(cold.getString("nextStepVerdict.lastAdmitted")).isEqualTo(label(new1));
        assertThat(cold.getDouble("nextStepVerdict.servedHitRatioBeforeLastStep")).isEqualTo(1.0);
        assertThat(cold.getDouble("nextStepVerdict.servedHitRatio")).isLessThan(0.95);
        assertThat(cold.getList("nextStepVerdict.reasons", String.class))
                .anySatisfy(reason -> assertThat(reason).startsWith("last admitted node " + label(new1)
                        + " is not warm: hit ratio 0.000 is more than 0.050 below the served"))
                .anySatisfy(reason -> assertThat(reason).startsWith("the served hit ratio ")
                        .endsWith(" is more than 0.050 below 1.000 before the last step"));
        assertThat(metric(series("memgrate_node_hit_ratio", "secondary", new1))).isZero();
        assertThat(metric(series("memgrate_node_hit_ratio", "primary", old(0)))).isEqualTo(1.0);
        assertThat(metric(series("memgrate_node_warm", "secondary", new1))).isZero();
        assertThat(metric(series("memgrate_node_served", "secondary", new1))).isEqualTo(1.0);
        assertThat(metric(series("memgrate_node_served", "secondary", young(1)))).isZero();
        assertThat(metric(series("memgrate_node_reachable", "secondary", young(1)))).isEqualTo(1.0);
        assertThat(metric(series("memgrate_node_bytes_used_ratio", "primary", old(0)))).isBetween(0.0, 0.01);
        assertThat(metric("memgrate_served_hit_ratio")).isLessThan(0.95);
        assertThat(metric("memgrate_next_step_safe")).isZero();
        keepForTheReport("cold", cold);

        traffic.hits(new1Memcached);
        JsonPath warm = await("new-1 judged warm").atMost(WAIT).until(NodeStatsTest::status,
                status -> status.getBoolean("nextStepVerdict.safe"));

        assertThat(node(warm, "secondary", new1)).containsEntry("warm", true).containsEntry("notWarmBecause", null);
        assertThat(warm.getList("nextStepVerdict.reasons")).isEmpty();
        assertThat(warm.getDouble("nextStepVerdict.servedHitRatio")).isCloseTo(1.0, within(0.05));
        assertThat(metric(series("memgrate_node_warm", "secondary", new1))).isEqualTo(1.0);
        await().atMost(WAIT).until(() -> metric("memgrate_next_step_safe") == 1.0);
        keepForTheReport("warm", warm);
    }

    @Test
    void aRestartedMemcachedNodeIsSeenAndNoRateGoesNegative() throws IOException {
        Node old1 = old(0);
        MemcachedProcess memcached = clusters.oldNodes().get(0);
        // counters far above what the restarted process counts in its first interval, and gets all along
        traffic.burstOfHits(memcached, 3000);
        traffic.hits(memcached);
        await("gets measured").atMost(WAIT).until(() -> rate(status(), old1, "getsPerSecond") > 0);
        List<Object> rates = new CopyOnWriteArrayList<>();
        LogLines log = new LogLines(NodeStatsBook.class);
        ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor();
        try {
            watcher.scheduleAtFixedRate(() -> {
                Map<String, Object> now = node(status(), "primary", old1);
                rates.add(now.get("getsPerSecond"));
                rates.add(now.get("setsPerSecond"));
                rates.add(now.get("evictionsPerSecond"));
                rates.add(now.get("hitRatio"));
            }, 0, 50, TimeUnit.MILLISECONDS);

            memcached.close();
            // a read out when the store went away ends with the front closing its connection; the next one is
            // answered by the front, which says why
            String storeDown = "malformed reply: stats answered SERVER_ERROR dev node store at 127.0.0.1:" + memcached.port()
                    + " is unreachable";
            JsonPath down = await("old-1 unreachable").atMost(WAIT).until(NodeStatsTest::status,
                    status -> Boolean.FALSE.equals(node(status, "primary", old1).get("reachable"))
                            && String.valueOf(node(status, "primary", old1).get("unreachableReason")).startsWith(storeDown));
            assertThat(down.getList("nextStepVerdict.reasons", String.class))
                    .anySatisfy(reason -> assertThat(reason).startsWith("served node " + label(old1) + " is unreachable: "));
            assertThat(down.getList("served.byCluster.primary")).contains(old1.toString());

            memcached.restartIfStopped();
            await("the restart seen").atMost(WAIT).until(() -> log.lines().stream()
                    .anyMatch(line -> line.startsWith("Node " + label(old1) + " restarted or its counters were reset")));
            await("rates again after it").atMost(WAIT).until(() -> rate(status(), old1, "getsPerSecond") > 0);
        } finally {
            watcher.shutdownNow();
            log.close();
        }
        assertThat(log.lines()).anyMatch(line -> line.startsWith("Node " + label(old1) + " answers stats again"));
        assertThat(rates).filteredOn(value -> value != null).isNotEmpty()
                .allSatisfy(value -> assertThat(((Number) value).doubleValue()).isNotNegative());
    }

    private static double rate(JsonPath status, Node node, String name) {
        Object value = node(status, "primary", node).get(name);
        return value == null ? -1 : ((Number) value).doubleValue();
    }

    @Test
    void anUnreachableNodeIsMarkedWithItsReasonChangesNothingServedAndItsSeriesGoWithIt() {
        int nothingListens = FreePorts.next();
        Node dead = list(clusters.primary(), "old-9.test", nothingListens);
        JsonPath down = await("old-9 unreachable").atMost(WAIT).until(NodeStatsTest::status,
                status -> node(status, "primary", dead) != null && Boolean.FALSE.equals(node(status, "primary", dead).get("reachable")));

        assertThat((String) node(down, "primary", dead).get("unreachableReason"))
                .startsWith("cannot connect to 127.0.0.1:" + nothingListens);
        assertThat(down.getList("served.byCluster.primary", String.class)).containsExactlyElementsOf(
                clusters.primary().endpoint().config().nodes().stream().map(Node::toString).toList());
        assertThat(down.getList("nextStepVerdict.reasons", String.class))
                .anySatisfy(reason -> assertThat(reason).startsWith("served node " + label(dead) + " is unreachable: cannot connect"));
        assertThat(metric(series("memgrate_node_reachable", "primary", dead))).isZero();
        assertThat(metric("memgrate_next_step_safe")).isZero();
        // the poller goes on reading the other nodes
        int history = ((List<?>) node(down, "primary", old(0)).get("hitRatioHistory")).size();
        await("the other nodes read again").atMost(WAIT).until(() -> {
            JsonPath now = status();
            return ((List<?>) node(now, "primary", old(0)).get("hitRatioHistory")).size() >= Math.min(history + 3,
                    NodeStatsBook.HISTORY_POINTS) && Boolean.FALSE.equals(node(now, "primary", dead).get("reachable"));
        });

        clusters.primary().restore();
        await("its series removed").atMost(WAIT).until(() -> !metricsText().contains("node=\"" + label(dead) + "\""));
        assertThat(metricsText()).contains(series("memgrate_node_reachable", "primary", old(0)));
    }

    private static String metricsText() {
        return given().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    @Test
    void eachNodeGetsOneRequestPerIntervalWhateverTheReaders() throws Exception {
        FakeStatsNode counted = fake(FakeStatsNode.stats(100, 10, 5));
        Node node = list(clusters.secondary(), "new-9.test", counted.port());
        await("the fake node read").atMost(WAIT).until(() -> Boolean.TRUE.equals(node(status(), "secondary", node).get("reachable")));
        assertThat(node(status(), "secondary", node)).containsEntry("items", 12).containsEntry("admission", "waiting")
                .containsEntry("connections", 3).containsEntry("limitMaxBytes", 67108864);

        ExecutorService readers = Executors.newFixedThreadPool(6);
        int before = counted.requests();
        long started = System.nanoTime();
        List<Future<Integer>> reads = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            reads.add(readers.submit(() -> {
                int count = 0;
                while (System.nanoTime() - started < TimeUnit.SECONDS.toNanos(3)) {
                    given().get(count % 2 == 0 ? "/memgrate/status" : "/q/metrics").then().statusCode(200);
                    count++;
                }
                return count;
            }));
        }
        int readsDone = 0;
        for (var read : reads) {
            readsDone += read.get(30, TimeUnit.SECONDS);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        int requests = counted.requests() - before;
        readers.shutdown();

        // the machine is shared: tens of reads are enough to see whether they reach the node
        assertThat(readsDone).as("status and metrics reads").isGreaterThan(30);
        assertThat(requests).as("stats requests to the node in %.1f s, with %d reads", seconds, readsDone)
                .isBetween(2, (int) (seconds / (INTERVAL.toMillis() / 1000.0)) + 2);
    }

    @Test
    void aGarbageOrOversizedStatsReplyMarksTheNodeUnreachableWithTheReasonAndItRecovers() {
        FakeStatsNode garbage = fake(FakeStatsNode.stats(100, 10, 5));
        Node node = list(clusters.secondary(), "new-9.test", garbage.port());
        String served = status().getString("served.nodes");
        Map<String, String> replies = new LinkedHashMap<>();
        replies.put("STAT uptime 5\r\nEND\r\n", "malformed reply: stats lacks STAT cmd_get");
        replies.put(FakeStatsNode.stats(100, 10, 5).replace("cmd_get 10", "cmd_get ten"),
                "malformed reply: STAT cmd_get is not a number below 10^18: ten");
        replies.put("ERROR\r\n", "malformed reply: stats answered ERROR instead of STAT lines ended by END");
        replies.put("STAT uptime 5\r\nHELLO\r\nEND\r\n", "malformed reply: not a STAT <name> <value> line: HELLO");
        replies.put("\u0000\u0001\u00ff garbage\nEND\n", "malformed reply: reply line not ended by \\r\\n");
        replies.put(("STAT filler " + "x".repeat(1000) + "\r\n").repeat(20), TOO_LARGE);
        for (Map.Entry<String, String> reply : replies.entrySet()) {
            garbage.answer(reply.getKey());
            await(reply.getValue()).atMost(WAIT).until(() -> reply.getValue().equals(node(status(), "secondary", node)
                    .get("unreachableReason")));
            assertThat(node(status(), "secondary", node)).containsEntry("reachable", false).containsEntry("items", null);
        }
        garbage.answer(FakeStatsNode.stats(100, 10, 5));
        await("the node read again").atMost(WAIT).until(() -> Boolean.TRUE.equals(node(status(), "secondary", node).get("reachable")));
        assertThat(status().getString("served.nodes")).isEqualTo(served);
    }

    @Test
    void aStatsReplyOfTwoMegabytesOrWithoutEndIsRefusedAsItStreamsAndTheReadsGoOn() {
        FakeStatsNode huge = fake(("STAT filler " + "x".repeat(1000) + "\r\n").repeat(2048) + "END\r\n");
        FakeStatsNode endless = fake("");
        endless.answerWithoutEnd();
        Node hugeNode = list(clusters.secondary(), "new-9.test", huge.port());
        Node endlessNode = list(clusters.secondary(), "new-10.test", endless.port());

        // refused at the limit, long before the reply ends (or the 500 ms timeout for the endless one)
        await("both refused as too large").atMost(WAIT).until(() -> {
            JsonPath status = status();
            return TOO_LARGE.equals(node(status, "secondary", hugeNode).get("unreachableReason"))
                    && TOO_LARGE.equals(node(status, "secondary", endlessNode).get("unreachableReason"));
        });
        int hugeReads = huge.requests();
        int endlessReads = endless.requests();
        await("both read again").atMost(WAIT).until(() -> huge.requests() >= hugeReads + 2
                && endless.requests() >= endlessReads + 2);
        JsonPath status = status();
        assertThat(node(status, "secondary", endlessNode)).containsEntry("reachable", false)
                .containsEntry("unreachableReason", TOO_LARGE);
        assertThat(metric(series("memgrate_node_reachable", "secondary", hugeNode))).isZero();
        assertThat(node(status, "primary", old(0))).as("the other nodes are still read")
                .containsEntry("reachable", true);
    }

    @Test
    void aNodeThatKeepsFailingIsReadLessOftenAndSeenWhenItRecovers() {
        FakeStatsNode failing = fake("ERROR\r\n");
        Node node = list(clusters.secondary(), "new-9.test", failing.port());
        await("new-9 unreachable").atMost(WAIT).until(() -> Boolean.FALSE.equals(node(status(), "secondary", node).get("reachable")));
        int before = failing.requests();
        long started = System.nanoTime();
        await("new-9 unreachable all along").during(Duration.ofSeconds(6)).atMost(WAIT).until(() ->
                Boolean.FALSE.equals(node(status(), "secondary", node).get("reachable")));
        double rounds = (System.nanoTime() - started) / 1e6 / INTERVAL.toMillis();

        // after 1, 2, 4, then every 8 rounds of 300 ms (the cap), where every round would read it without the backoff
        assertThat(failing.requests() - before).as("reads in %.0f rounds", rounds).isPositive()
                .isLessThanOrEqualTo((int) (rounds / 4) + 2);
        failing.answer(FakeStatsNode.stats(100, 10, 5));
        await("new-9 read again once it answers").atMost(WAIT).until(() ->
                Boolean.TRUE.equals(node(status(), "secondary", node).get("reachable")));
    }

    @Test
    void aSilentNodeTimesOutAndItsRequestsDoNotPileUp() {
        FakeStatsNode silent = fake("");
        Node node = list(clusters.secondary(), "new-9.test", silent.port());
        await("new-9 timed out").atMost(WAIT).until(() -> "no complete reply within 500 ms".equals(
                node(status(), "secondary", node).get("unreachableReason")));
        int before = silent.requests();
        long started = System.nanoTime();
        await("new-9 unreachable all along").during(Duration.ofSeconds(3)).atMost(WAIT).until(() ->
                Boolean.FALSE.equals(node(status(), "secondary", node).get("reachable")));
        double seconds = (System.nanoTime() - started) / 1e9;

        // a request stays out until its 500 ms timeout, and the rounds every 300 ms skip the node meanwhile
        assertThat(silent.requests() - before).as("requests in %.1f s", seconds).isPositive()
                .isLessThanOrEqualTo((int) (seconds / 0.5) + 2);
        assertThat(node(status(), "secondary", node)).containsEntry("reachable", false);
        assertThat(metric(series("memgrate_node_reachable", "secondary", node))).isZero();
    }

    /** Writes a status and the node metrics to target/, for the README and the page's contract. */
    private static void keepForTheReport(String name, JsonPath status) throws IOException {
        Path dir = Path.of("target", "node-stats");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(name + "-status.json"), status.prettify());
        Files.writeString(dir.resolve(name + "-metrics.txt"), metricsText().lines()
                .filter(line -> line.startsWith("memgrate_node_") || line.startsWith("memgrate_served_hit_ratio")
                        || line.startsWith("memgrate_next_step_safe"))
                .collect(Collectors.joining("\n", "", "\n")));
    }

    /** Gets sent to memcached nodes every 5 ms, each a hit or a miss, until closed. */
    private static final class Traffic implements AutoCloseable {
        private final Map<MemcachedProcess, String> keys = new ConcurrentHashMap<>();
        private final Map<MemcachedProcess, Socket> sockets = new ConcurrentHashMap<>();
        private ScheduledExecutorService sender;

        /** Gets of a key the node holds from now on. */
        void hits(MemcachedProcess node) throws IOException {
            assertThat(node.command("set hot 0 0 1\r\nv\r\n")).isEqualTo("STORED\r\n");
            send(node, "hot");
        }

        /** Gets of a key the node does not hold from now on. */
        void misses(MemcachedProcess node) {
            send(node, "never-stored");
        }

        /** {@code count} hits at once, pipelined. */
        void burstOfHits(MemcachedProcess node, int count) throws IOException {
            assertThat(node.command("set hot 0 0 1\r\nv\r\n")).isEqualTo("STORED\r\n");
            try (Socket socket = connect(node)) {
                socket.getOutputStream().write("get hot\r\n".repeat(count).getBytes(StandardCharsets.US_ASCII));
                for (int i = 0; i < count; i++) {
                    readUntilEnd(socket.getInputStream());
                }
            }
        }

        private synchronized void send(MemcachedProcess node, String key) {
            keys.put(node, key);
            if (sender == null) {
                sender = Executors.newSingleThreadScheduledExecutor();
                sender.scheduleAtFixedRate(this::tick, 0, 5, TimeUnit.MILLISECONDS);
            }
        }

        private void tick() {
            keys.forEach((node, key) -> {
                try {
                    Socket socket = sockets.computeIfAbsent(node, Traffic::connect);
                    socket.getOutputStream().write(("get " + key + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    readUntilEnd(socket.getInputStream());
                } catch (IOException | UncheckedIOException e) {
                    // the node is restarting: connect again at the next tick
                    Socket broken = sockets.remove(node);
                    if (broken != null) {
                        closeQuietly(broken);
                    }
                }
            });
        }

        private static Socket connect(MemcachedProcess node) {
            try {
                Socket socket = new Socket();
                socket.connect(new InetSocketAddress("127.0.0.1", node.port()), 2000);
                socket.setSoTimeout(2000);
                return socket;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static void readUntilEnd(InputStream in) throws IOException {
            StringBuilder reply = new StringBuilder();
            while (reply.length() < 5 || !reply.substring(reply.length() - 5).equals("END\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("closed");
                }
                reply.append((char) b);
            }
        }

        private static void closeQuietly(Socket socket) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing a broken socket
            }
        }

        @Override
        public synchronized void close() {
            if (sender != null) {
                sender.shutdownNow();
                sender = null;
            }
            keys.clear();
            sockets.values().forEach(Traffic::closeQuietly);
            sockets.clear();
        }
    }

    /** A class's log lines, as {@code message}, while attached. */
    private static final class LogLines extends Handler implements AutoCloseable {
        private final Logger logger;
        private final List<String> lines = new CopyOnWriteArrayList<>();

        LogLines(Class<?> source) {
            logger = Logger.getLogger(source.getName());
            logger.addHandler(this);
        }

        List<String> lines() {
            return lines;
        }

        @Override
        public void publish(LogRecord record) {
            lines.add(((ExtLogRecord) record).getFormattedMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            logger.removeHandler(this);
        }
    }
}
