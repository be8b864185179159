package io.memgrate.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.memgrate.support.InjectTestClusters;
import io.memgrate.support.Prometheus;
import io.memgrate.support.TestClusters;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Every metric and label the Grafana dashboard and the PrometheusRule name ({@code deploy/components}) is one a running
 * Memgrate exports at {@code /q/metrics}, once it has met what they watch: a plan refused and an upstream failing.
 */
@QuarkusTest
@WithTestResource(value = TestClusters.class, scope = TestResourceScope.RESTRICTED_TO_CLASS, initArgs = {
        @ResourceArg(name = TestClusters.PLAN, value = "revision: 1\n"),
        // the node series appear at the first read of the nodes
        @ResourceArg(name = TestClusters.STATS_INTERVAL, value = "500ms") })
class MonitoringMetricsTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @InjectTestClusters
    TestClusters clusters;

    @AfterEach
    void restore() {
        clusters.restore();
    }

    @Test
    void everyMetricAndLabelTheDashboardAndTheAlertsNameIsExported() throws IOException {
        Map<String, String> queries = MonitoringQueries.all(repositoryRoot());
        await().atMost(WAIT).until(() -> exported().containsKey("memgrate_served_version"));
        // A revision that does not rise is refused, and counted; a stopped endpoint's polls fail, and are counted.
        Files.writeString(clusters.planFile(), "revision: 1\nadmit: [new-1.test]\n");
        clusters.secondary().stop();

        await("every metric the monitoring components name, in /q/metrics").atMost(WAIT).pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> {
                    Map<String, Set<String>> exported = exported();
                    Map<String, Set<String>> unknownMetrics = new TreeMap<>();
                    Map<String, Set<String>> unknownLabels = new TreeMap<>();
                    queries.forEach((where, query) -> {
                        Set<String> metrics = MonitoringQueries.metrics(query);
                        Set<String> missing = new TreeSet<>(metrics);
                        missing.removeAll(exported.keySet());
                        if (!missing.isEmpty()) {
                            unknownMetrics.put(where, missing);
                        }
                        Set<String> labels = new TreeSet<>(MonitoringQueries.labels(query));
                        metrics.forEach(metric -> labels.removeAll(exported.getOrDefault(metric, Set.of())));
                        if (!labels.isEmpty()) {
                            unknownLabels.put(where, labels);
                        }
                    });
                    assertThat(unknownMetrics).as("metrics not exported").isEmpty();
                    assertThat(unknownLabels).as("labels none of the query's metrics carries").isEmpty();
                });
        assertThat(queries).as("queries read").hasSizeGreaterThan(20);
    }

    /** The sample names in /q/metrics and the labels each carries. */
    private static Map<String, Set<String>> exported() {
        return Prometheus.labelsByName(Prometheus.scrape());
    }

    private static Path repositoryRoot() {
        Path root = Path.of("").toAbsolutePath();
        while (root != null && !Files.isDirectory(root.resolve("deploy"))) {
            root = root.getParent();
        }
        assertThat(root).as("repository root with deploy/").isNotNull();
        return root;
    }
}
