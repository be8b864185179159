package io.memgrate.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.memgrate.metrics.Metric;

/**
 * The metrics table of docs/operations.md, the Grafana dashboard and the alerts checked against the one catalogue of metrics
 * ({@link Metric}): the same names and labels everywhere, every dashboard query and the docs' gating queries scoped to
 * one Memgrate (namespace and job), and every alert's {@code runbook_url} pointing at its section in docs/operations.md.
 */
class MonitoringCatalogueTest {

    private static final Path ROOT = Path.of("").toAbsolutePath();
    /** Where the metrics table, the gating queries and the alerts' "what to do" sections are. */
    private static final Path README = Path.of("docs/operations.md");
    private static final Map<String, Metric> CATALOGUE = Arrays.stream(Metric.values())
            .collect(Collectors.toMap(Metric::prometheusName, Function.identity()));
    /** A timer's series beside its name: a summary's count and sum, and Micrometer's max. */
    private static final Pattern TIMER_SERIES = Pattern.compile("_seconds_(count|sum|max|bucket)$");
    private static final Pattern BACKTICKED = Pattern.compile("`([^`]+)`");
    private static final Pattern TEMPLATED_LABEL = Pattern.compile("\\{\\{\\s*\\$?(?:labels\\.)?([a-zA-Z_][a-zA-Z0-9_]*)\\s*}}");
    private static final Pattern SELECTOR = Pattern.compile("\\b(memgrate_[a-z0-9_]+)(\\{[^}]*})?");

    @Test
    void readmeMetricsTableListsEveryMetricOfTheCatalogueWithItsLabels() throws IOException {
        Map<String, Set<String>> table = readmeMetricsTable();
        Map<String, Set<String>> catalogue = new TreeMap<>();
        CATALOGUE.forEach((name, metric) -> catalogue.put(name, new TreeSet<>(metric.labels())));
        assertThat(table).as("README's metrics table (metric: labels) against io.memgrate.metrics.Metric")
                .containsExactlyInAnyOrderEntriesOf(catalogue);
    }

    @Test
    void everyMetricAndLabelTheDashboardAndTheAlertsNameIsInTheCatalogue() {
        Map<String, String> wrong = new TreeMap<>();
        MonitoringQueries.all(ROOT).forEach((where, query) -> {
            Set<String> carried = new TreeSet<>(MonitoringQueries.TARGET_LABELS);
            for (String name : MonitoringQueries.metrics(query)) {
                Metric metric = catalogue(name);
                if (metric == null) {
                    wrong.put(where, name + " is not in io.memgrate.metrics.Metric");
                    return;
                }
                carried.addAll(metric.labels());
            }
            Set<String> unknown = new TreeSet<>(MonitoringQueries.labels(query));
            unknown.removeAll(carried);
            if (!unknown.isEmpty()) {
                wrong.put(where, "labels " + unknown + " that none of its metrics carries");
            }
        });
        assertThat(wrong).isEmpty();
        assertThat(Arrays.stream(Metric.values()).flatMap(metric -> metric.labels().stream()))
                .as("the side is labelled upstream, never cluster").doesNotContain("cluster");
    }

    @Test
    void legendsAndAlertTextsNameOnlyLabelsTheirQueryKeeps() {
        Map<String, String> wrong = new TreeMap<>();
        for (JsonNode panel : MonitoringQueries.dashboardJson(ROOT).path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                check(wrong, "dashboard panel '" + panel.path("title").asText() + "' " + target.path("refId").asText(),
                        target.path("expr").asText(), target.path("legendFormat").asText());
            }
        }
        MonitoringQueries.alertRules(ROOT).forEach(rule -> check(wrong, "alert " + rule.get("alert"), String.valueOf(rule.get("expr")),
                String.valueOf(((Map<?, ?>) rule.get("annotations")).get("summary")) + " "
                        + ((Map<?, ?>) rule.get("annotations")).get("description")));
        assertThat(wrong).isEmpty();
    }

    @Test
    void everyDashboardQueryIsScopedByTheNamespaceAndJobVariables() {
        JsonNode dashboard = MonitoringQueries.dashboardJson(ROOT);
        List<String> variables = new ArrayList<>();
        dashboard.path("templating").path("list").forEach(variable -> variables.add(variable.path("name").asText()));
        assertThat(variables).containsExactly("datasource", "namespace", "job");
        Map<String, String> unscoped = new TreeMap<>();
        MonitoringQueries.dashboard(ROOT).forEach((where, query) -> unscopedSelectors(query, "=~\"$namespace\"",
                "=~\"$job\"").forEach(selector -> unscoped.put(where, selector)));
        for (JsonNode panel : dashboard.path("panels")) {
            if (!panel.path("targets").isEmpty()) {
                assertThat(panel.path("datasource").path("uid").asText()).as(panel.path("title").asText())
                        .isEqualTo("${datasource}");
            }
        }
        assertThat(unscoped).as("selectors without namespace=~\"$namespace\" and job=~\"$job\"").isEmpty();
    }

    @Test
    void readmeGatingQueriesAreScopedToOneMemgrate() throws IOException {
        String readme = Files.readString(ROOT.resolve(README)) + Files.readString(ROOT.resolve("docs/migration.md"))
                + Files.readString(ROOT.resolve("deploy/README.md"));
        Matcher gating = Pattern.compile("min\\(memgrate_[a-z_]+[^)]*\\)").matcher(readme);
        int found = 0;
        while (gating.find()) {
            found++;
            assertThat(unscopedSelectors(gating.group(), "=\"", "=\"")).as(gating.group()).isEmpty();
        }
        assertThat(found).as("gating queries in README and deploy/README").isGreaterThanOrEqualTo(3);
    }

    @Test
    void everyAlertLinksToItsSectionOfTheReadme() throws IOException {
        Set<String> anchors = Files.readAllLines(ROOT.resolve(README)).stream().filter(line -> line.startsWith("#"))
                .map(MonitoringCatalogueTest::githubAnchor).collect(Collectors.toSet());
        Map<String, String> wrong = new TreeMap<>();
        for (Map<String, Object> rule : MonitoringQueries.alertRules(ROOT)) {
            String alert = String.valueOf(rule.get("alert"));
            String url = String.valueOf(((Map<?, ?>) rule.get("annotations")).get("runbook_url"));
            String expected = "https://github.com/CHANGE-ME/memgrate/blob/main/" + README + "#" + alert.toLowerCase(Locale.ROOT);
            if (!url.equals(expected)) {
                wrong.put(alert, "runbook_url " + url + ", expected " + expected);
            } else if (!anchors.contains(alert.toLowerCase(Locale.ROOT))) {
                wrong.put(alert, "README has no heading '#### " + alert + "'");
            }
        }
        assertThat(wrong).isEmpty();
    }

    /** The metric of a series name: its own, or the timer it belongs to. */
    private static Metric catalogue(String series) {
        Metric metric = CATALOGUE.get(series);
        if (metric == null) {
            metric = CATALOGUE.get(TIMER_SERIES.matcher(series).replaceFirst("_seconds"));
        }
        return metric;
    }

    /** Labels a legend or an alert's text names ({{label}}, {{ $labels.label }}) must be kept by its query. */
    private static void check(Map<String, String> wrong, String where, String query, String text) {
        Set<String> kept = new TreeSet<>(MonitoringQueries.TARGET_LABELS);
        Matcher by = Pattern.compile("\\bby\\s*\\(([^)]*)\\)").matcher(query);
        boolean aggregated = false;
        while (by.find()) {
            aggregated = true;
            Arrays.stream(by.group(1).split(",")).map(String::trim).forEach(kept::add);
        }
        if (!aggregated) {
            MonitoringQueries.metrics(query).forEach(name -> kept.addAll(catalogue(name) == null ? List.of()
                    : catalogue(name).labels()));
        }
        Matcher named = TEMPLATED_LABEL.matcher(text);
        while (named.find()) {
            if (!named.group(1).equals("value") && !kept.contains(named.group(1))) {
                wrong.put(where, "names label " + named.group(1) + ", which its query does not keep");
            }
        }
    }

    /** The selectors of Memgrate's metrics in {@code query} without a namespace and a job matcher of that form. */
    private static List<String> unscopedSelectors(String query, String namespaceMatch, String jobMatch) {
        List<String> unscoped = new ArrayList<>();
        Matcher selector = SELECTOR.matcher(query);
        while (selector.find()) {
            String labels = selector.group(2) == null ? "" : selector.group(2);
            if (!labels.contains("namespace" + namespaceMatch) || !labels.contains("job" + jobMatch)) {
                unscoped.add(selector.group());
            }
        }
        return unscoped;
    }

    /** Metric: labels, from the rows of README's metrics table (values in parentheses left out). */
    private static Map<String, Set<String>> readmeMetricsTable() throws IOException {
        List<String> lines = Files.readAllLines(ROOT.resolve(README));
        int start = lines.indexOf("| metric | tags | meaning |");
        assertThat(start).as("README's metrics table header").isNotNegative();
        Map<String, Set<String>> table = new TreeMap<>();
        for (String line : lines.subList(start + 2, lines.size())) {
            if (!line.startsWith("|")) {
                break;
            }
            String[] cells = line.split("(?<!\\\\)\\|");
            Set<String> labels = new TreeSet<>();
            Matcher label = BACKTICKED.matcher(cells[2].replaceAll("\\([^)]*\\)", ""));
            while (label.find()) {
                labels.add(label.group(1));
            }
            Matcher name = BACKTICKED.matcher(cells[1]);
            while (name.find()) {
                assertThat(table.put(name.group(1), labels)).as("%s in one row", name.group(1)).isNull();
            }
        }
        return table;
    }

    /** The anchor GitHub gives a Markdown heading: lower case, punctuation dropped, spaces as hyphens. */
    private static String githubAnchor(String heading) {
        return heading.replaceFirst("^#+\\s*", "").trim().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "")
                .replace(' ', '-');
    }
}
