package io.memgrate.metrics;

import static io.memgrate.support.Prometheus.counter;
import static io.memgrate.support.Prometheus.metric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.memgrate.cluster.Topology;
import io.memgrate.server.ConfigEndpointServer;
import io.memgrate.support.InjectTestClusters;
import io.memgrate.support.TestClusters;
import io.memgrate.support.TextClient;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The Prometheus metrics after a scripted sequence of client requests and upstream failures, from a fresh start. */
@QuarkusTest
@WithTestResource(value = TestClusters.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class MetricsTest {

    @Inject
    ConfigEndpointServer server;

    @InjectTestClusters
    TestClusters clusters;

    @Test
    void metricsFollowRequestsAndUpstreamFailures() {
        String config = clusters.mergedReply();
        await().atMost(Duration.ofSeconds(10)).until(() -> metric("memgrate_served_version") == 10.0);
        double configOk = counter("memgrate_client_requests_total{command=\"config_get_cluster\",outcome=\"ok\"}");
        double versionOk = counter("memgrate_client_requests_total{command=\"version\",outcome=\"ok\"}");
        double unsupported = counter("memgrate_client_requests_total{command=\"unsupported\",outcome=\"failed\"}");
        double connectFailures = counter("memgrate_upstream_fetch_failures_total{reason=\"connect\",upstream=\"secondary\"}");

        List<TextClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                TextClient client = new TextClient(server.port());
                open.add(client);
                client.exchange("config get cluster\r\n", config);
                client.exchange("version\r\n", "VERSION 1.6.22\r\n");
            }
            open.get(0).exchange("config get cluster\r\n", config);
            assertThat(metric("memgrate_client_connections")).isEqualTo(3.0);
            try (TextClient rude = new TextClient(server.port())) {
                rude.send("flush_all\r\n");
                assertThat(rude.readLine()).startsWith("SERVER_ERROR unsupported command");
                assertThat(rude.closedByServer()).isTrue();
            }
            assertThat(metric("memgrate_client_requests_total{command=\"config_get_cluster\",outcome=\"ok\"}")).isEqualTo(configOk + 4);
            assertThat(metric("memgrate_client_requests_total{command=\"version\",outcome=\"ok\"}")).isEqualTo(versionOk + 3);
            assertThat(metric("memgrate_client_requests_total{command=\"unsupported\",outcome=\"failed\"}")).isEqualTo(unsupported + 1);
        } finally {
            open.forEach(TextClient::close);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> metric("memgrate_client_connections") == 0.0);

        assertThat(metric("memgrate_served_nodes")).isEqualTo(4.0);
        assertThat(metric("memgrate_upstream_config_version{upstream=\"primary\"}")).isEqualTo(7.0);
        assertThat(metric("memgrate_upstream_config_version{upstream=\"secondary\"}")).isEqualTo(3.0);
        assertThat(metric("memgrate_upstream_nodes{upstream=\"primary\"}")).isEqualTo(2.0);
        assertThat(metric("memgrate_upstream_fetch_seconds_count{upstream=\"primary\"}")).isPositive();

        clusters.secondary().stop();
        await().atMost(Duration.ofSeconds(10)).until(() ->
                metric("memgrate_upstream_fetch_failures_total{reason=\"connect\",upstream=\"secondary\"}") >= connectFailures + 3);
        await().atMost(Duration.ofSeconds(10)).until(() ->
                metric("memgrate_upstream_seconds_since_success{upstream=\"secondary\"}") >= 1.0);
        assertThat(metric("memgrate_upstream_seconds_since_success{upstream=\"primary\"}")).isLessThan(1.0);
        assertThat(metric("memgrate_upstream_nodes{upstream=\"secondary\"}")).as("last known good kept").isEqualTo(2.0);

        var secondary = clusters.secondary().endpoint().config();
        clusters.secondary().start();
        clusters.secondary().endpoint().setConfig(new Topology(secondary.version() - 1, secondary.nodes()));
        await().atMost(Duration.ofSeconds(10)).until(() -> metric("memgrate_upstream_version_decreases_total{upstream=\"secondary\"}") == 1.0);
        assertThat(metric("memgrate_served_version")).as("same nodes at a lower version: the served bytes stay").isEqualTo(10.0);
        assertThat(metric("memgrate_served_held")).as("nothing held back from clients").isEqualTo(0.0);

        clusters.secondary().endpoint().setConfig(new Topology(secondary.version() - 1, secondary.nodes().subList(0, 1)));
        await().atMost(Duration.ofSeconds(10)).until(() -> metric("memgrate_served_held") == 1.0);
        assertThat(metric("memgrate_served_version")).isEqualTo(10.0);

        clusters.secondary().endpoint().setConfig(new Topology(secondary.version() + 1, secondary.nodes()));
        await().atMost(Duration.ofSeconds(10)).until(() -> metric("memgrate_served_held") == 0.0);
        assertThat(metric("memgrate_served_version")).isEqualTo(11.0);
    }

    /** A counter's value; 0 before its first increment registered it. */
}
