package io.memgrate.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** How MonitoringOnPrometheusTest reads a query: Grafana's interpolation and the labels a panel shows. */
class MonitoringQueriesTest {

    private static final Map<String, String> VALUES = Map.of("namespace", "memgrate", "job", "memgrate-svc");

    @Test
    void variablesInEveryGrafanaSyntaxAndTheIntervalsAreFilledIn() {
        assertThat(MonitoringQueries.interpolated("sum by (reason) (increase(x{namespace=\"$namespace\", job=~\"${job:regex}\"}"
                + "[$__rate_interval])) / ignoring() y{namespace=\"[[namespace]]\"}[${__range}]", VALUES, Duration.ofMinutes(1)))
                .isEqualTo("sum by (reason) (increase(x{namespace=\"memgrate\", job=~\"memgrate-svc\"}[60s])) / ignoring()"
                        + " y{namespace=\"memgrate\"}[60s]");
    }

    @Test
    void whatIsNotAVariableOfTheDashboardIsLeftAsGrafanaLeavesIt() {
        String query = "label_replace(x{pod=\"$pod\"}, \"side\", \"$1\", \"upstream\", \"(.*)\")";
        assertThat(MonitoringQueries.interpolated(query, VALUES, Duration.ofMinutes(1))).isEqualTo(query);
    }

    @Test
    void theLabelsKeptAreTheOutermostAggregationsWrittenBeforeOrAfterIt() {
        assertThat(MonitoringQueries.aggregatedBy("sum by (cluster) (max by (cluster, node) (a == bool 1))")).isEqualTo(Set.of("cluster"));
        assertThat(MonitoringQueries.aggregatedBy("sum(rate(a[1m])) by (upstream, reason)")).isEqualTo(Set.of("upstream", "reason"));
        assertThat(MonitoringQueries.aggregatedBy("avg by (namespace) (a) < avg by (namespace) (a offset 15m) - 0.10"
                + " and on (namespace) max by (namespace, pod) (changes(b[15m])) > 0")).isEqualTo(Set.of("namespace"));
        assertThat(MonitoringQueries.aggregatedBy("min(max by (node) (a))")).isEmpty();
        assertThat(MonitoringQueries.aggregatedBy("changes(max(a)[2m:30s]) > 0")).isEmpty();
    }

    @Test
    void aLegendShowsItsDoubleBracedLabels() {
        assertThat(MonitoringQueries.legendLabels("version went down: {{upstream}} {{ node }}")).isEqualTo(Set.of("upstream", "node"));
        assertThat(MonitoringQueries.legendLabels("served aggregate")).isEmpty();
    }
}
