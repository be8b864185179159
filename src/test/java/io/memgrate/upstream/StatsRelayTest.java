package io.memgrate.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.memgrate.cluster.HostAndPort;
import io.memgrate.cluster.Node;
import io.memgrate.cluster.Side;
import io.memgrate.cluster.Topology;
import io.memgrate.merge.MergeEngine;
import io.memgrate.metrics.MemgrateMetrics;
import io.memgrate.support.FaultyConfigEndpoint;
import io.memgrate.support.TestSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;

/** Upstream stats load does not grow with clients: replies are shared while young, and concurrent requests share one. */
class StatsRelayTest {

    private static final Topology CONFIG = new Topology(4, List.of(new Node("a.test", "127.0.0.1", 11211)));

    private Vertx vertx;
    private NetClient client;
    private FaultyConfigEndpoint primary;
    private FaultyConfigEndpoint secondary;
    private SimpleMeterRegistry registry;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        client = vertx.createNetClient(new NetClientOptions());
        primary = endpoint("1.6.22");
        secondary = endpoint("1.6.17");
        registry = new SimpleMeterRegistry();
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void twoHundredConcurrentRequestsShareOneUpstreamRequest() {
        primary.setStatsDelay(Duration.ofMillis(200));
        StatsRelay relay = relay(Duration.ofSeconds(1));
        List<Future<Buffer>> replies = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            replies.add(relay.stats());
        }
        settle(Future.all(replies));

        String expected = replies.get(0).result().toString();
        assertThat(expected).startsWith("STAT pid ").contains("STAT version 1.6.22\r\n").endsWith("END\r\n");
        assertThat(replies).allSatisfy(reply -> assertThat(reply.result().toString()).isEqualTo(expected));
        assertThat(primary.statsRequests()).isEqualTo(1);
        assertThat(secondary.statsRequests()).isZero();
        assertThat(requests(Side.PRIMARY)).isEqualTo(1);
    }

    @Test
    void aReplyIsReusedUntilItIsOlderThanTheMaximumAge() {
        StatsRelay relay = relay(Duration.ofMillis(300));
        long started = System.nanoTime();
        settle(relay.stats());
        settle(relay.stats());
        if (System.nanoTime() - started < Duration.ofMillis(300).toNanos()) {
            assertThat(primary.statsRequests()).as("asked again within the maximum age").isEqualTo(1);
        }
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).until(() -> {
            relay.stats().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            return primary.statsRequests() == 2;
        });
    }

    @Test
    void aMaximumAgeOfZeroAsksEveryTimeOneRequestIsNotInFlight() {
        StatsRelay relay = relay(Duration.ZERO);
        settle(relay.stats());
        settle(relay.stats());
        assertThat(primary.statsRequests()).isEqualTo(2);
    }

    @Test
    void theSecondaryAnswersWhenThePrimaryCannotAndFailuresAreNotReused() {
        StatsRelay relay = relay(Duration.ofSeconds(10));
        StatsRelay failing = relay(Duration.ofSeconds(10));
        settle(primary.stop());

        String reply = settle(relay.stats()).result().toString();
        assertThat(reply).contains("STAT version 1.6.17\r\n");

        settle(secondary.stop());
        Future<Buffer> none = settle(failing.stats());
        assertThat(none.cause()).hasMessageStartingWith("no upstream answered stats (primary: cannot connect to 127.0.0.1:")
                .hasMessageContaining("; secondary: cannot connect to 127.0.0.1:");
        assertThat(settle(failing.stats()).failed()).as("a failure is not served from the cache").isTrue();
        assertThat(requests(Side.SECONDARY)).isEqualTo(3);
    }

    private StatsRelay relay(Duration maxAge) {
        Map<Side, UpstreamConnection> connections = new EnumMap<>(Side.class);
        connections.put(Side.PRIMARY, connection(primary));
        connections.put(Side.SECONDARY, connection(secondary));
        MergeEngine view = new MergeEngine(TestSettings.read());
        return new StatsRelay(connections, new MemgrateMetrics(registry), maxAge.toNanos());
    }

    private UpstreamConnection connection(FaultyConfigEndpoint endpoint) {
        HostAndPort address = new HostAndPort("127.0.0.1", endpoint.port());
        return new UpstreamConnection(vertx.getOrCreateContext(), client, () -> Future.succeededFuture(address),
                Duration.ofSeconds(2), 1 << 20);
    }

    private FaultyConfigEndpoint endpoint(String engine) {
        FaultyConfigEndpoint endpoint = new FaultyConfigEndpoint(vertx, engine, CONFIG);
        settle(endpoint.start("127.0.0.1", 0));
        return endpoint;
    }

    private double requests(Side side) {
        return registry.counter("memgrate.upstream.stats.requests", "upstream", side.label()).count();
    }

    private static <T> Future<T> settle(Future<T> future) {
        await().atMost(Duration.ofSeconds(10)).until(future::isComplete);
        return future;
    }
}
