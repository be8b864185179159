package io.memgrate.server;

import static io.memgrate.support.ExpectedReplies.configReply;
import static io.memgrate.support.ExpectedReplies.legacyReply;
import static io.memgrate.support.ExpectedReplies.mergedPayload;
import static io.memgrate.support.ExpectedReplies.payload;
import static io.memgrate.support.Serving.awaitServed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.memgrate.cluster.Node;
import io.memgrate.cluster.Side;
import io.memgrate.cluster.Topology;
import io.memgrate.merge.HeldMerge;
import io.memgrate.merge.MergeEngine;
import io.memgrate.merge.ServedVersion;
import io.memgrate.merge.UpstreamState;
import io.memgrate.plan.MigrationPlan;
import io.memgrate.support.ClustersAsCreatedTest;
import io.memgrate.support.FaultyConfigEndpoint;
import io.memgrate.support.LogLines;
import io.memgrate.support.TestClusters;
import io.memgrate.support.TextClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Memgrate in front of two emulated configuration endpoints that list real memcached nodes. */
@QuarkusTest
@WithTestResource(TestClusters.class)
class ConfigEndpointServerTest extends ClustersAsCreatedTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String UPSTREAM_POLLER = "io.memgrate.upstream.UpstreamPoller";

    @Inject
    MergeEngine view;

    @Inject
    MeterRegistry registry;

    @Test
    void configGetClusterAnswersTheMergedNodesByteForByte() {
        List<Node> oldNodes = clusters.primary().endpoint().config().nodes();
        List<Node> newNodes = clusters.secondary().endpoint().config().nodes();
        long version = ServedVersion.of(clusters.primary().endpoint().config(), clusters.secondary().endpoint().config(),
                MigrationPlan.UNION.revision(), 0);
        String payload = version + "\n"
                + "old-1.test|127.0.0.1|" + oldNodes.get(0).port() + " old-2.test|127.0.0.1|" + oldNodes.get(1).port()
                + " new-1.test|127.0.0.1|" + newNodes.get(0).port() + " new-2.test|127.0.0.1|" + newNodes.get(1).port() + "\n";
        String expected = "CONFIG cluster 0 " + payload.getBytes(StandardCharsets.US_ASCII).length + "\r\n" + payload + "\r\nEND\r\n";
        try (TextClient client = new TextClient(server.port())) {
            assertThat(client.exchange("config get cluster\r\n", expected)).isEqualTo(expected);
            // the connection stays open for the next request
            assertThat(client.exchange("config get cluster\r\n", expected)).isEqualTo(expected);
        }
    }

    @Test
    void legacyGetAnswersTheSamePayloadAsAValue() {
        String expected = legacyReply(mergedPayload(clusters));
        try (TextClient client = new TextClient(server.port())) {
            assertThat(client.exchange("get AmazonElastiCache:cluster\r\n", expected)).isEqualTo(expected);
        }
    }

    @Test
    void bareNewlineEndsALineToo() {
        String expected = configReply(mergedPayload(clusters)) + "VERSION " + TestClusters.PRIMARY_ENGINE + "\r\n";
        try (TextClient client = new TextClient(server.port())) {
            assertThat(client.exchange("config get cluster\nversion\n", expected)).isEqualTo(expected);
        }
    }

    @Test
    void versionIsThePrimarysEngineVersion() {
        try (TextClient client = new TextClient(server.port())) {
            assertThat(client.exchange("version\r\n", "VERSION 1.6.22\r\n")).isEqualTo("VERSION 1.6.22\r\n");
        }
    }

    @Test
    void statsIsRelayedFromThePrimaryUnchanged() {
        String direct = directStats(clusters.primary().port());
        try (TextClient client = new TextClient(server.port())) {
            assertThat(client.exchange("stats\r\n", direct)).isEqualTo(direct);
            assertThat(client.exchange("version\r\n", "VERSION 1.6.22\r\n")).isEqualTo("VERSION 1.6.22\r\n");
        }
    }

    @Test
    void statsWithArgumentsIsRefusedAndNeverReachesACacheNode() {
        String refused = "CLIENT_ERROR stats arguments are not relayed: Memgrate relays only plain stats, read-only;"
                + " ask a cache node directly\r\n";
        long statsBefore = clusters.primary().endpoint().statsRequests() + clusters.secondary().endpoint().statsRequests();
        try (TextClient client = new TextClient(server.port())) {
            for (String command : List.of("stats reset\r\n", "stats detail on\r\n", "stats cachedump 1 10\r\n", "stats slabs\r\n")) {
                assertThat(client.exchange(command, refused)).as(command).isEqualTo(refused);
            }
            assertThat(client.exchange("version\r\n", "VERSION 1.6.22\r\n")).as("the connection stays usable")
                    .isEqualTo("VERSION 1.6.22\r\n");
        }
        assertThat(clusters.primary().endpoint().statsRequests() + clusters.secondary().endpoint().statsRequests())
                .isEqualTo(statsBefore);
    }

    @Test
    void configPollsDoNotWaitBehindAClientsStats() {
        // the primary takes 2 s to answer stats and, like memcached, answers nothing else on that connection meanwhile
        FaultyConfigEndpoint primary = clusters.primary().endpoint();
        primary.setStatsDelay(Duration.ofSeconds(2));
        long statsBefore = primary.statsRequests();
        try (TextClient client = new TextClient(server.port())) {
            client.send("stats\r\n");
            await().atMost(WAIT).until(() -> primary.statsRequests() > statsBefore);
            long polls = primary.configRequests();
            // polls go every 100 ms; the stats exchange gives up only after the 500 ms upstream timeout
            await().atMost(Duration.ofMillis(450)).until(() -> primary.configRequests() > polls);
            assertThat(client.readUntilEnd()).as("the secondary's, after the primary's stats timed out")
                    .isEqualTo(directStats(clusters.secondary().port()));
        }
    }

    @Test
    void pipelinedCommandsAreAnsweredInOrder() {
        String config = configReply(mergedPayload(clusters));
        String legacy = legacyReply(mergedPayload(clusters));
        String stats = directStats(clusters.primary().port());
        String version = "VERSION 1.6.22\r\n";
        String expected = config + version + legacy + stats + version + config;
        try (TextClient client = new TextClient(server.port())) {
            String reply = client.exchange("config get cluster\r\nversion\r\nget AmazonElastiCache:cluster\r\nstats\r\n"
                    + "version\r\nconfig get cluster\r\n", expected);
            assertThat(reply).isEqualTo(expected);
        }
    }

    @Test
    void clientThatEndsItsSideRightAfterItsCommandsStillGetsEveryAnswer() {
        String stats = directStats(clusters.primary().port());
        String expected = "VERSION 1.6.22\r\n" + stats + "VERSION 1.6.22\r\n";
        try (TextClient client = new TextClient(server.port())) {
            client.send("version\r\nstats\r\nversion\r\n");
            client.shutdownOutput();
            assertThat(client.read(expected.length())).isEqualTo(expected);
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void linesSentWhileStatsIsRelayedAreAnsweredBeforeAHalfCloseEndsTheConnection() {
        String stats = directStats(clusters.primary().port());
        String expected = stats + "VERSION 1.6.22\r\n";
        // the primary answers stats 250 ms late (the upstream timeout here is 500 ms), so the second line and the
        // half-close arrive while the relay is pending and Memgrate has paused reading
        FaultyConfigEndpoint primary = clusters.primary().endpoint();
        primary.setStatsDelay(Duration.ofMillis(250));
        long statsBefore = primary.statsRequests();
        try (TextClient client = new TextClient(server.port())) {
            client.send("stats\r\n");
            await().atMost(Duration.ofSeconds(2)).until(() -> primary.statsRequests() > statsBefore);
            client.send("version\r\n");
            client.shutdownOutput();
            assertThat(client.read(expected.length())).isEqualTo(expected);
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void commandSplitOverManyWritesIsAnswered() {
        String expected = configReply(mergedPayload(clusters));
        try (TextClient client = new TextClient(server.port())) {
            for (String part : List.of("con", "fig ge", "t clu", "ster\r", "\n")) {
                client.send(part);
            }
            assertThat(client.read(expected.length())).isEqualTo(expected);
        }
    }

    @Test
    void unsupportedCommandGetsServerErrorAndTheConnectionIsClosed() {
        String expected = "SERVER_ERROR unsupported command; Memgrate answers only: config get cluster, "
                + "get AmazonElastiCache:cluster, version, stats, quit\r\n";
        for (String command : List.of("set k 0 0 1\r\nx\r\n", "config set cluster 0 0 1\r\n", "get somekey\r\n", "flush_all\r\n")) {
            try (TextClient client = new TextClient(server.port())) {
                assertThat(client.exchange(command, expected)).isEqualTo(expected);
                assertThat(client.closedByServer()).as("closed after %s", command).isTrue();
            }
        }
    }

    @Test
    void quitClosesTheConnection() {
        try (TextClient client = new TextClient(server.port())) {
            client.send("quit\r\n");
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void primaryDownKeepsItsLastKnownGoodNodesAndStatsFallsBackToTheSecondary() {
        String served = configReply(mergedPayload(clusters));
        clusters.primary().stop();
        awaitError(Side.PRIMARY);
        String secondaryStats = directStats(clusters.secondary().port());
        try (TextClient client = new TextClient(server.port())) {
            assertThat(client.exchange("config get cluster\r\n", served)).isEqualTo(served);
            assertThat(client.exchange("stats\r\n", secondaryStats)).isEqualTo(secondaryStats);
            assertThat(client.exchange("version\r\n", "VERSION 1.6.22\r\n")).isEqualTo("VERSION 1.6.22\r\n");
        }
        clusters.primary().start();
        await().atMost(WAIT).until(() -> upstream(Side.PRIMARY).lastError() == null);
    }

    @Test
    void bothDownStillServesTheMergeButStatsFailsAndCloses() {
        String served = configReply(mergedPayload(clusters));
        clusters.primary().stop();
        clusters.secondary().stop();
        awaitError(Side.PRIMARY);
        awaitError(Side.SECONDARY);
        try (TextClient client = new TextClient(server.port())) {
            assertThat(client.exchange("config get cluster\r\n", served)).isEqualTo(served);
            client.send("stats\r\n");
            String line = client.readLine();
            assertThat(line).startsWith("SERVER_ERROR no upstream answered stats (primary: ").endsWith(")\r\n");
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void malformedUpstreamRepliesAreNeverServedAndKeepTheLastKnownGood() {
        String served = configReply(mergedPayload(clusters));
        assertRejected("CONFIG cluster 0 5\r\n4\nx.test||1\n\r\nEND\r\n", "malformed reply: the 5 counted bytes are not followed by");
        assertRejected("CONFIG cluster 0 12\r\n4\nx.test|1|\n\r\nEND\r\n", "malformed reply: node entry 'x.test|1|' has no numeric port");
        assertRejected("CONFIG cluster 0 13\r\n-4\nx.test||1\n\r\nEND\r\n", "malformed reply: version '-4' is not a non-negative integer");
        // missing END: the pipelined version reply follows the counted bytes instead
        assertRejected("CONFIG cluster 0 12\r\n4\nx.test||1\n\r\n", "malformed reply: the 12 counted bytes are not followed by");
        // a byte count larger than what follows looks like a slow reply until the timeout
        assertRejected("CONFIG cluster 0 90\r\n4\nx.test||1\n\r\nEND\r\n", "no complete reply within 500 ms");
        try (TextClient client = new TextClient(server.port())) {
            assertThat(client.exchange("config get cluster\r\n", served)).isEqualTo(served);
        }
    }

    @Test
    void hostsThatAreNotDnsNamesAndIpsThatAreNotAddressesAreRefusedEscapedAndTheLastGoodStays() {
        String label63 = "a".repeat(63);
        try (LogLines log = LogLines.of(UPSTREAM_POLLER)) {
            assertRefusedEntry("host", "n\u00f6d\u00e9.example|10.0.0.1|1".getBytes(StandardCharsets.UTF_8),
                    "node entry 'n\\xc3\\xb6d\\xc3\\xa9.example|10.0.0.1|1' has a host that is not a DNS name: character '\\xc3' at 1");
            assertRefusedEntry("host", new byte[] {'a', '\t', 'b', '|', '|', '1'}, "node entry 'a\\x09b||1' has a host");
            assertRefusedEntry("host", "\u001b[31mRED\u001b[0m.example||1".getBytes(StandardCharsets.US_ASCII),
                    "node entry '\\x1b[31mRED\\x1b[0m.example||1' has a host");
            assertRefusedEntry("host", new byte[] {'a', 0, 'b', '|', '|', '1'}, "node entry 'a\\x00b||1' has a host");
            assertRefusedEntry("host", new byte[] {'a', 0x7f, 'b', '|', '|', '1'}, "node entry 'a\\x7fb||1' has a host");
            assertRefusedEntry("host", (String.join(".", label63, label63, label63, "a".repeat(62)) + "||1")
                    .getBytes(StandardCharsets.US_ASCII), "node entry 'aaa");
            assertRefusedEntry("host", ("a".repeat(64) + ".example||1").getBytes(StandardCharsets.US_ASCII),
                    "node entry '" + "a".repeat(64) + ".example||1' has a host that is not a DNS name: label");
            for (String ip : List.of("999.1.1.1", "1.2.3", "::g", "x.example")) {
                assertRefusedEntry("ip", ("x.example|" + ip + "|1").getBytes(StandardCharsets.US_ASCII),
                        "node entry 'x.example|" + ip + "|1' has '" + ip + "' as its IP");
            }
            assertThat(log.lines()).as("every refusal logged, no control or non-ASCII byte raw")
                    .hasSizeGreaterThanOrEqualTo(22)
                    .allSatisfy(line -> assertThat(line).matches("[\\x20-\\x7e]*"))
                    .anySatisfy(line -> assertThat(line).contains("'\\x1b[31mRED\\x1b[0m.example||1'"));
        }
    }

    @Test
    void validHostsAndIpv6AddressesAreServed() {
        List<Node> nodes = new ArrayList<>(clusters.secondary().endpoint().config().nodes());
        Node first = nodes.get(0);
        nodes.set(0, new Node("name.xxxxxx.0001.use1.cache.amazonaws.com", "2600:1f18:4a3:6900::2a", first.port()));
        clusters.secondary().endpoint().setNodes(nodes);
        assertThat(clusters.awaitMergeServed(server.port()))
                .contains(" name.xxxxxx.0001.use1.cache.amazonaws.com|2600:1f18:4a3:6900::2a|" + first.port() + " ");
    }

    /** The secondary lists {@code entry} (bytes as given) until it is refused, counted and the served bytes stay. */
    private void assertRefusedEntry(String reason, byte[] entry, String error) {
        byte[] payload = new byte[entry.length + 3];
        payload[0] = '4';
        payload[1] = '\n';
        System.arraycopy(entry, 0, payload, 2, entry.length);
        payload[payload.length - 1] = '\n';
        byte[] header = ("CONFIG cluster 0 " + payload.length + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] trailer = "\r\nEND\r\n".getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream reply = new ByteArrayOutputStream();
        reply.writeBytes(header);
        reply.writeBytes(payload);
        reply.writeBytes(trailer);
        double refusedBefore = malformed(reason);
        assertRejected(reply.toByteArray(), "malformed reply: " + error);
        assertThat(malformed(reason)).as("counted as malformed-%s", reason).isGreaterThan(refusedBefore);
    }

    private double malformed(String reason) {
        var counter = registry.find("memgrate.upstream.fetch.failures").tag("upstream", "secondary")
                .tag("reason", "malformed-" + reason).counter();
        return counter == null ? 0 : counter.count();
    }

    private void assertRejected(String reply, String error) {
        assertRejected(reply.getBytes(StandardCharsets.US_ASCII), error);
    }

    private void assertRejected(byte[] reply, String error) {
        String served = configReply(mergedPayload(clusters));
        clusters.secondary().endpoint().answerConfigWith(reply);
        await().atMost(WAIT).until(() -> {
            String lastError = upstream(Side.SECONDARY).lastError();
            return lastError != null && lastError.startsWith(error);
        });
        try (TextClient client = new TextClient(server.port())) {
            assertThat(client.exchange("config get cluster\r\n", served)).as("served while the upstream answers %s", reply)
                    .isEqualTo(served);
        }
        clusters.secondary().endpoint().answerConfigWith(null);
        await().atMost(WAIT).until(() -> upstream(Side.SECONDARY).lastError() == null);
    }

    @Test
    void nodeChangeUpstreamRaisesTheServedVersionByTheChange() {
        long before = view.served().orElseThrow().topology().version();
        List<Node> oldNodes = clusters.primary().endpoint().config().nodes();
        clusters.primary().endpoint().setNodes(List.of(oldNodes.get(1)));
        String expected = configReply(mergedPayload(clusters));
        assertThat(expected).doesNotContain(oldNodes.get(0).host()).startsWith("CONFIG cluster 0 ");
        awaitServed(server.port(), expected);
        assertThat(view.served().orElseThrow().topology().version()).isEqualTo(before + 1);
    }

    @Test
    void aVersionThatGoesDownIsCounted() {
        long decreases = versionDecreases();
        var config = clusters.secondary().endpoint().config();
        clusters.secondary().endpoint().setConfig(new Topology(config.version() - 1, config.nodes()));
        await().atMost(WAIT).until(() -> versionDecreases() == decreases + 1);
        clusters.secondary().endpoint().setConfig(new Topology(config.version() + 1, config.nodes()));
    }

    @Test
    void aReplacedClusterAtALowerVersionIsHeldUntilTheMergedVersionRisesAboveTheServedOne() {
        String servedBefore = configReply(mergedPayload(clusters));
        long servedVersion = view.served().orElseThrow().topology().version();
        Topology primary = clusters.primary().endpoint().config();
        List<Node> replacement = List.of(primary.nodes().get(1));
        clusters.primary().endpoint().setConfig(new Topology(primary.version() - 2, replacement));
        await().atMost(WAIT).until(() -> held().isPresent());

        try (TextClient client = new TextClient(server.port())) {
            assertThat(client.configGet()).as("the served bytes stay while held").isEqualTo(servedBefore);
        }

        clusters.primary().endpoint().setConfig(new Topology(primary.version() + 1, replacement));
        List<Node> nodes = new ArrayList<>(replacement);
        nodes.addAll(clusters.secondary().endpoint().config().nodes());
        awaitServed(server.port(), configReply(payload(servedVersion + 1, nodes)));
        assertThat(held()).isEmpty();
    }

    @Test
    void olderEnginesAreReadWithTheLegacyGet() {
        clusters.primary().endpoint().setLegacyEngine(true);
        List<Node> oldNodes = clusters.primary().endpoint().config().nodes();
        clusters.primary().endpoint().setNodes(List.of(oldNodes.get(0)));
        clusters.awaitMergeServed(server.port());
    }

    private UpstreamState upstream(Side side) {
        return view.snapshot().upstreams().stream().filter(state -> state.side() == side).findFirst().orElseThrow();
    }

    private void awaitError(Side side) {
        await().atMost(WAIT).until(() -> upstream(side).lastError() != null);
    }

    private static String directStats(int port) {
        return TextClient.stats(port, null);
    }

    private Optional<HeldMerge> held() {
        return Optional.ofNullable(view.snapshot().held());
    }

    private long versionDecreases() {
        return view.snapshot().upstreams().stream().mapToLong(UpstreamState::versionDecreases).sum();
    }
}
