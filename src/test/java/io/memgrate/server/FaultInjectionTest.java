package io.memgrate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.memgrate.cluster.Node;
import io.memgrate.cluster.Side;
import io.memgrate.cluster.Topology;
import io.memgrate.health.EventLoopLivenessCheck;
import io.memgrate.merge.MergeEngine;
import io.memgrate.merge.UpstreamState;
import io.memgrate.protocol.TopologyPayload;
import io.memgrate.support.InjectTestClusters;
import io.memgrate.support.MemcachedProcess;
import io.memgrate.support.TestClusters;
import io.memgrate.support.TextClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Upstreams are stopped, stalled, cut mid-reply, restarted and flapped, a memcached node dies, and thousands of
 * client connections come and go, while clients keep polling: every answer is a whole merge, versions never go
 * back, and the event loops never stall.
 */
@QuarkusTest
@WithTestResource(TestClusters.class)
class FaultInjectionTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Inject
    ConfigEndpointServer server;

    @Inject
    MergeEngine view;

    @Inject
    @Liveness
    EventLoopLivenessCheck liveness;

    @InjectTestClusters
    TestClusters clusters;

    @BeforeEach
    void servingBothClustersWithoutErrors() {
        clusters.restore();
        clusters.awaitMergeServed(server.port());
        awaitHealthy(Side.PRIMARY);
        awaitHealthy(Side.SECONDARY);
    }

    @Test
    void faultsNeverMakeTheServedConfigurationGoBackwardsOrPartial() throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<Integer>> pollers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            pollers.add(pool.submit(() -> poll(running, problems)));
        }
        try {
            MemcachedProcess lost = clusters.newNodes().get(1);
            lost.close(); // a cache node dies: not Memgrate's business, nothing changes

            clusters.primary().stop();
            awaitFailing(Side.PRIMARY);
            clusters.primary().start();
            awaitHealthy(Side.PRIMARY);

            clusters.secondary().endpoint().setSilent(true);
            awaitFailing(Side.SECONDARY);
            clusters.secondary().endpoint().setSilent(false);
            awaitHealthy(Side.SECONDARY);

            clusters.primary().endpoint().setCloseMidReply(true);
            awaitFailing(Side.PRIMARY);
            clusters.primary().endpoint().setCloseMidReply(false);
            awaitHealthy(Side.PRIMARY);

            for (int flap = 0; flap < 5; flap++) {
                clusters.secondary().stop();
                awaitFailing(Side.SECONDARY);
                clusters.secondary().start();
                awaitHealthy(Side.SECONDARY);
            }

            List<Node> nodes = clusters.primary().endpoint().config().nodes();
            clusters.primary().endpoint().setNodes(List.of(nodes.get(1)));
            await().atMost(WAIT).until(() -> view.served().orElseThrow().topology().nodes().size() == 3);

            List<Future<?>> churn = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                churn.add(pool.submit(() -> {
                    for (int i = 0; i < 1000; i++) {
                        new TextClient(server.port()).close();
                    }
                }));
            }
            for (Future<?> done : churn) {
                done.get(60, TimeUnit.SECONDS);
            }
            assertThat(liveness.call().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        } finally {
            running.set(false);
        }
        int answers = 0;
        for (Future<Integer> poller : pollers) {
            answers += poller.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(problems).isEmpty();
        assertThat(answers).isGreaterThan(100);
        await().atMost(WAIT).until(() -> server.openConnections() == 0);
    }

    /** Polls until told to stop (at most 2 minutes); records any answer that is not a whole, non-decreasing merge. */
    private int poll(AtomicBoolean running, ConcurrentLinkedQueue<String> problems) {
        long lastVersion = -1;
        int answers = 0;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        try (TextClient client = new TextClient(server.port())) {
            while (running.get() && System.nanoTime() < deadline) {
                long started = System.nanoTime();
                String reply = client.configGet();
                if (!reply.startsWith("CONFIG cluster 0 ")) {
                    problems.add("unexpected answer " + reply);
                    break;
                }
                Topology config = TopologyPayload.parse(reply.substring(reply.indexOf("\r\n") + 2,
                        reply.length() - "\r\nEND\r\n".length()).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                if (config.version() < lastVersion) {
                    problems.add("version went back from " + lastVersion + " to " + config.version());
                }
                if (config.nodes().size() < 3) {
                    problems.add("partial merge: " + config.nodes());
                }
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                if (millis > 1000) {
                    problems.add("an answer took " + millis + " ms");
                }
                lastVersion = config.version();
                answers++;
            }
        }
        return answers;
    }

    private UpstreamState upstream(Side side) {
        return view.snapshot().upstreams().stream().filter(state -> state.side() == side).findFirst().orElseThrow();
    }

    private void awaitFailing(Side side) {
        await().atMost(WAIT).until(() -> upstream(side).lastError() != null);
    }

    private void awaitHealthy(Side side) {
        await().atMost(WAIT).until(() -> upstream(side).lastError() == null);
    }
}
