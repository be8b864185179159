package io.memgrate.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

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
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;

/** A poller never stops: whatever one attempt does (fails at once, throws, hangs), the next one follows. */
class UpstreamPollerTest {

    private static final Topology CONFIG = new Topology(4, List.of(new Node("a.test", "127.0.0.1", 11211)));
    private static final Duration INTERVAL = Duration.ofMillis(20);

    private Vertx vertx;
    private FaultyConfigEndpoint endpoint;
    private MergeEngine view;
    private SimpleMeterRegistry registry;
    private UpstreamPoller poller;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        endpoint = new FaultyConfigEndpoint(vertx, "1.6.22", CONFIG);
        endpoint.start("127.0.0.1", 0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        view = new MergeEngine(TestSettings.read());
        view.expect(Side.PRIMARY, "test");
        registry = new SimpleMeterRegistry();
    }

    @AfterEach
    void stop() throws Exception {
        if (poller != null) {
            poller.stop();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void anEndpointLookupThatFailsAtOnceIsRetriedUntilItSucceeds() {
        // as ClusterIdEndpointSource answers during its backoff: cluster not found, still creating, API unreachable
        AtomicInteger calls = startPolling(call -> call <= 3
                ? Future.failedFuture(new IllegalStateException("cluster orders-new not found"))
                : Future.succeededFuture(endpointAddress()));

        awaitServed();
        assertThat(calls.get()).isGreaterThan(3);
        assertThat(failures("resolve")).as("failed polls, counted").isPositive();
    }

    @Test
    void anExceptionThrownInAnAttemptIsCountedAndPollingGoesOn() {
        AtomicInteger calls = startPolling(call -> {
            if (call == 1) {
                throw new IllegalStateException("a defect in an endpoint source");
            }
            return Future.succeededFuture(endpointAddress());
        });

        awaitServed();
        assertThat(calls.get()).isGreaterThan(1);
        assertThat(failures("unexpected")).isEqualTo(1);
    }

    @Test
    void anAttemptThatNeverEndsIsEndedByItsDeadlineAndThePollerKeepsGoing() {
        Promise<HostAndPort> never = Promise.promise();
        startPolling(call -> call == 1 ? never.future() : Future.succeededFuture(endpointAddress()));

        awaitServed();
        assertThat(failures("timeout")).isEqualTo(1);
        assertThat(poller.sinceLastAttempt()).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aWholeConfigurationReplyWithABadNodeIsCountedAsMalformedAndTheConnectionIsKept() {
        endpoint.answerConfigWith("CONFIG cluster 0 12\r\n4\nx.test|1|\n\r\nEND\r\n".getBytes(StandardCharsets.US_ASCII));
        startPolling(call -> Future.succeededFuture(endpointAddress()));

        await().atMost(Duration.ofSeconds(10)).until(() -> failures("malformed-node") >= 3);
        assertThat(view.snapshot().upstreams().get(0).lastError())
                .isEqualTo("malformed reply: node entry 'x.test|1|' has no numeric port");
        endpoint.answerConfigWith(null);
        awaitServed();
        assertThat(endpoint.connections()).as("a reply that frames is no reason to reconnect").isEqualTo(1);
    }

    @Test
    void anEngineThatAnswersErrorToConfigGetIsPolledWithTheLegacyGet() {
        endpoint.setLegacyEngine(true);
        startPolling(call -> Future.succeededFuture(endpointAddress()));

        awaitServed();
        assertThat(registry.find("memgrate.upstream.fetch.failures").counters()).as("no failed poll").isEmpty();
    }

    private AtomicInteger startPolling(IntFunction<Future<HostAndPort>> answers) {
        AtomicInteger calls = new AtomicInteger();
        EndpointSource source = () -> answers.apply(calls.incrementAndGet());
        var context = vertx.getOrCreateContext();
        UpstreamConnection connection = new UpstreamConnection(context, vertx.createNetClient(new NetClientOptions()),
                source, Duration.ofMillis(200), 1 << 20);
        poller = new UpstreamPoller(Side.PRIMARY, context, source, connection, view, new MemgrateMetrics(registry),
                INTERVAL, Duration.ofMillis(300));
        poller.start();
        return calls;
    }

    private HostAndPort endpointAddress() {
        return new HostAndPort("127.0.0.1", endpoint.port());
    }

    private void awaitServed() {
        await().atMost(Duration.ofSeconds(10)).until(() -> view.served().isPresent());
        assertThat(view.served().orElseThrow().topology()).isEqualTo(CONFIG);
    }

    private double failures(String reason) {
        var counter = registry.find("memgrate.upstream.fetch.failures").tag("reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }
}
