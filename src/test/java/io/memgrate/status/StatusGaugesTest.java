package io.memgrate.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.memgrate.metrics.Metric;
import io.memgrate.support.Prometheus;
import io.memgrate.support.TestClusters;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The state metrics with 4 + 4 real memcached nodes read every 500 ms: one scrape takes one status snapshot, so its
 * values agree with each other; and every series {@code /q/metrics} exports is in the catalogue with its labels.
 */
@QuarkusTest
@WithTestResource(value = TestClusters.class, scope = TestResourceScope.RESTRICTED_TO_CLASS, initArgs = {
        @ResourceArg(name = TestClusters.NODES_PER_CLUSTER, value = "4"),
        @ResourceArg(name = TestClusters.STATS_INTERVAL, value = "500ms"),
        @ResourceArg(name = TestClusters.PLAN, value = "revision: 1\nadmit: [new-1.test]\n") })
class StatusGaugesTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Pattern NODE_SERVED = Pattern.compile(
            "^memgrate_node_served\\{node=\"([^\"]+)\",upstream=\"(primary|secondary)\"} (\\S+)$", Pattern.MULTILINE);

    @Inject
    MemgrateStatus status;

    @Test
    void oneScrapeTakesOneSnapshotAndItsValuesAgree() throws IOException {
        await("every node read once").atMost(WAIT)
                .until(() -> Prometheus.scrape().lines().filter(line -> line.startsWith("memgrate_node_reachable{")
                        && line.endsWith(" 1.0")).count() == 8);
        AtomicInteger taken = new AtomicInteger();
        CollectorRegistry registry = new CollectorRegistry();
        new StatusGauges.SnapshotCollector(() -> {
            taken.incrementAndGet();
            return status.snapshot();
        }).register(registry);

        for (int scrape = 0; scrape < 3; scrape++) {
            taken.set(0);
            StringWriter written = new StringWriter();
            TextFormat.write004(written, registry.metricFamilySamples());
            // some versions of the format end a label set with a comma
            String text = written.toString().replace(",}", "}");
            assertThat(taken).as("snapshots taken by one scrape").hasValue(1);

            Map<String, Double> served = new TreeMap<>();
            Matcher node = NODE_SERVED.matcher(text);
            while (node.find()) {
                served.merge(node.group(2), Double.parseDouble(node.group(3)), Double::sum);
            }
            assertThat(node.reset().results().count()).as("node series, tagged upstream and node").isEqualTo(8);
            assertThat(served).as("served nodes per side").containsExactlyEntriesOf(new TreeMap<>(
                    Map.of("primary", 4.0, "secondary", 1.0)));
            assertThat(value(text, "memgrate_served_cluster_nodes{upstream=\"primary\"}")).isEqualTo(4.0);
            assertThat(value(text, "memgrate_served_cluster_nodes{upstream=\"secondary\"}")).isEqualTo(1.0);
            assertThat(value(text, "memgrate_served_nodes")).isEqualTo(5.0);
            assertThat(value(text, "memgrate_plan_revision")).isEqualTo(1.0);
        }
    }

    @Test
    void everySeriesExportedIsInTheCatalogueWithItsLabels() {
        Map<String, Metric> catalogue = Arrays.stream(Metric.values())
                .collect(Collectors.toMap(Metric::prometheusName, metric -> metric));
        await("the node series").atMost(WAIT).until(() -> Prometheus.scrape().contains("memgrate_node_items{"));
        Map<String, Set<String>> exported = Prometheus.labelsByName(Prometheus.scrape());
        Map<String, String> wrong = new TreeMap<>();
        Set<Metric> seen = new TreeSet<>();
        exported.forEach((name, labels) -> {
            if (!name.startsWith("memgrate_")) {
                return;
            }
            // a timer is a summary: _count, _sum and _max beside its name
            Metric metric = catalogue.get(name.replaceFirst("_seconds_(count|sum|max)$", "_seconds"));
            if (metric == null) {
                wrong.put(name, "not in the catalogue (io.memgrate.metrics.Metric)");
            } else if (!labels.equals(new TreeSet<>(metric.labels()))) {
                wrong.put(name, "labels " + labels + ", the catalogue says " + metric.labels());
            } else {
                seen.add(metric);
            }
        });
        assertThat(wrong).isEmpty();
        assertThat(seen).as("every state metric exported").containsAll(StatusGauges.STATE);
    }

    private static double value(String text, String series) {
        Matcher matcher = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(text);
        assertThat(matcher.find()).as(series).isTrue();
        return Double.parseDouble(matcher.group(1));
    }
}
