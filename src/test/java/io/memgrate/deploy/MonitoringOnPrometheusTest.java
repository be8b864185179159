package io.memgrate.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.memgrate.cluster.Topology;
import io.memgrate.support.InjectTestClusters;
import io.memgrate.support.MemcachedProcess;
import io.memgrate.support.TestClusters;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Every Grafana dashboard query and every alert expression of {@code deploy/components}, run on a real Prometheus that
 * scrapes a real Memgrate (real memcached nodes behind ElastiCache-like fronts, read by clients) once it has met
 * what they watch: a migration step, a plan refused, an upstream failing, an upstream's version going down and a served
 * node lost. Each returns series carrying the labels its panel shows (its legend's and its outermost aggregation's),
 * or, for the alerts named in {@link #QUIET}, no series, for the reason given there. Prints one line per query.
 */
@QuarkusTest
@WithTestResource(value = TestClusters.class, scope = TestResourceScope.RESTRICTED_TO_CLASS, initArgs = {
        @ResourceArg(name = TestClusters.PLAN, value = "revision: 1\n"),
        @ResourceArg(name = TestClusters.STATS_INTERVAL, value = "500ms") })
class MonitoringOnPrometheusTest {

    /** The target labels a Prometheus Operator ServiceMonitor gives the series of a Memgrate pod. */
    private static final Map<String, String> TARGET_LABELS = Map.of("namespace", "memgrate", "job", "memgrate",
            "service", "memgrate", "pod", "memgrate-6f7c9d8b5-x2k4q", "container", "memgrate", "endpoint", "http");
    /** What {@code $__rate_interval}, {@code $__interval} and {@code $__range} stand for. */
    private static final Duration WINDOW = Duration.ofMinutes(1);
    /** The dashboard annotation's subquery step: the version must change between two of its points. */
    private static final long ANNOTATION_STEP_SECONDS = 30;
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Alerts that must stay quiet here, and why. Every other query must return series. */
    private static final Map<String, String> QUIET = Map.of(
            "alert MemgrateNodeListHeld", "the primary's lower version came with the same nodes, which are served on, not held",
            "alert MemgrateServedVersionWentDown", "one process's served version only rises (and Prometheus holds no 5 minutes)",
            "alert MemgrateReplicasServeDifferentVersions", "there is one replica",
            "alert MemgratePlanReadHanging", "every read of the plan file returns",
            "alert MemgrateHitRatioDroppedAfterStep", "Prometheus holds no hit ratio from 15 minutes before the step",
            "alert MemgrateAutopilotPaused", "the autopilot is off here (its own tests pause it)",
            "alert MemgrateAutopilotRolledBack", "the autopilot is off here, so no step is rolled back");

    @TestHTTPResource("/q/metrics")
    URL metrics;

    @InjectTestClusters
    TestClusters clusters;

    @TempDir
    Path directory;

    @Test
    void everyPanelAndAlertQueryAnswersOnARealPrometheus() throws Exception {
        Path root = repositoryRoot();
        Map<String, String> queries = MonitoringQueries.all(root);
        Map<String, String> legends = MonitoringQueries.legends(root);
        Map<String, String> variables = MonitoringQueries.variableValues(root, TARGET_LABELS);
        assertThat(queries).as("the dashboard's and the rules' queries").hasSizeGreaterThan(20).containsKeys(
                QUIET.keySet().toArray(String[]::new));

        ScheduledExecutorService reads = Executors.newSingleThreadScheduledExecutor();
        try (PrometheusServer prometheus = PrometheusServer.start(directory, metrics.getHost() + ":" + metrics.getPort(),
                metrics.getPath(), TARGET_LABELS)) {
            readEveryNode(reads);
            await("Prometheus scraping Memgrate").atMost(WAIT).until(() -> !prometheus.query("up{job=\"memgrate\"} == 1").isEmpty());

            // An upstream failing: its polls fail and the age of its last answer grows past the alert's 30 s.
            clusters.secondary().stop();
            // A revision that does not rise is refused, and counted.
            Files.writeString(clusters.planFile(), "revision: 1\nadmit: [new-1.test]\n");
            await("the refusal scraped").atMost(WAIT).until(() -> !prometheus.query("memgrate_plan_refusals_total").isEmpty());
            // A served node lost.
            clusters.oldNodes().get(1).close();
            // A migration step, once Prometheus holds a sample at one of the annotation's points, so that the served
            // version changes between two of them.
            await("a sample at a " + ANNOTATION_STEP_SECONDS + " s point").atMost(Duration.ofSeconds(2 * ANNOTATION_STEP_SECONDS + 30))
                    .pollInterval(Duration.ofSeconds(1)).until(() -> !prometheus.query("memgrate_served_version",
                            Instant.now().getEpochSecond() / ANNOTATION_STEP_SECONDS * ANNOTATION_STEP_SECONDS).isEmpty());
            Files.writeString(clusters.planFile(), "revision: 2\nadmit: [new-1.test]\n");
            long steppedAt = Instant.now().getEpochSecond();
            await("revision 2 applied").atMost(WAIT).until(() -> !prometheus.query("memgrate_plan_revision == 2").isEmpty());
            // The primary's version goes down, its nodes the same (a cluster replaced under its endpoint): counted.
            Topology primary = clusters.primary().endpoint().config();
            clusters.primary().endpoint().setConfig(new Topology(primary.version() - 1, primary.nodes()));

            AtomicReference<List<String>> lines = new AtomicReference<>();
            await("every query answering as its panel or alert needs").atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
                        SoftAssertions softly = new SoftAssertions();
                        List<String> printed = new ArrayList<>();
                        queries.forEach((where, query) -> printed.add(check(softly, prometheus, where,
                                MonitoringQueries.interpolated(query, variables, WINDOW), legends.get(where),
                                evaluatedAt(where, steppedAt))));
                        softly.assertAll();
                        lines.set(printed);
                    });
            lines.get().forEach(System.out::println);
            // a counter's series appears with its first refusal, at 1: the stat must count it, not show the rise after
            String refusals = MonitoringQueries.interpolated(queries.get("dashboard panel 'Plans refused (1 h)' A"), variables,
                    WINDOW);
            assertThat(prometheus.query(refusals)).as("the refusal, counted by: %s", refusals).singleElement()
                    .extracting(series -> Double.parseDouble(series.value())).isEqualTo(1.0);
        } finally {
            reads.shutdownNow();
            assertThat(reads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    /** Clients' reads on every node, a hit and a miss each time, so every node has a hit ratio; a lost node is skipped. */
    private void readEveryNode(ScheduledExecutorService reads) throws IOException {
        List<MemcachedProcess> nodes = new ArrayList<>(clusters.oldNodes());
        nodes.addAll(clusters.newNodes());
        for (MemcachedProcess node : nodes) {
            node.command("set present 0 0 1\r\nv\r\n");
        }
        reads.scheduleWithFixedDelay(() -> nodes.forEach(node -> {
            try {
                node.command("get present absent\r\n");
            } catch (IOException e) {
                // the node the test lost: clients miss it too
            }
        }), 0, 20, TimeUnit.MILLISECONDS);
    }

    /**
     * When a query is evaluated: now, but the annotation, which marks a change only for its look-back after it, at
     * most two of its points after the step, so that a slow machine does not outwait it.
     */
    private static Long evaluatedAt(String where, long steppedAt) {
        return where.startsWith("dashboard annotation")
                ? Math.min(Instant.now().getEpochSecond(), steppedAt + 2 * ANNOTATION_STEP_SECONDS) : null;
    }

    /** Checks one query on Prometheus at {@code time} (now when null), returns the line that shows its result. */
    private static String check(SoftAssertions softly, PrometheusServer prometheus, String where, String promql, String legend,
            Long time) {
        List<PrometheusServer.Series> result = prometheus.query(promql, time);
        namesWhatPrometheusHolds(softly, prometheus, where, promql);
        if (QUIET.containsKey(where)) {
            softly.assertThat(result).as("%s returns no series (%s): %s", where, QUIET.get(where), promql).isEmpty();
            return where + ": no series, as " + QUIET.get(where);
        }
        Set<String> shown = new TreeSet<>(MonitoringQueries.aggregatedBy(promql));
        if (legend != null) {
            shown.addAll(MonitoringQueries.legendLabels(legend));
        }
        softly.assertThat(result).as("%s returns series: %s", where, promql).isNotEmpty();
        result.forEach(series -> softly.assertThat(series.labels()).as("%s: the labels it shows (%s) on every series: %s",
                where, shown, promql).containsKeys(shown.toArray(String[]::new)).doesNotContainValue(""));
        PrometheusServer.Series sample = result.stream().filter(series -> !series.value().equals("NaN")).findFirst().orElse(null);
        softly.assertThat(sample).as("%s returns a number (not only NaN): %s -> %s", where, promql, result).isNotNull();
        return where + ": " + result.size() + " series, e.g. " + (sample == null ? "NaN" : sample.value() + " " + sample.labels()
                .entrySet().stream().map(label -> label.getKey() + "=\"" + label.getValue() + "\"")
                .collect(Collectors.joining(", ", "{", "}")));
    }

    /**
     * Every metric a query names has series in Prometheus, and every label it groups, matches or selects by is on a
     * series of one of them: what a quiet query cannot show by its result.
     */
    private static void namesWhatPrometheusHolds(SoftAssertions softly, PrometheusServer prometheus, String where, String promql) {
        Set<String> labels = new TreeSet<>();
        for (String metric : MonitoringQueries.metrics(promql)) {
            List<Map<String, String>> series = prometheus.series(metric);
            softly.assertThat(series).as("%s: series of %s in Prometheus", where, metric).isNotEmpty();
            series.forEach(one -> labels.addAll(one.keySet()));
        }
        softly.assertThat(labels).as("%s: labels on its metrics' series, for %s", where, promql)
                .containsAll(MonitoringQueries.labels(promql));
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
