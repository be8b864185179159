package io.memgrate.deploy;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The PromQL of the monitoring components (the Grafana dashboard and the PrometheusRule), read from {@code deploy/},
 * and what each query names: Memgrate's metrics and the labels it groups, matches or selects by.
 */
final class MonitoringQueries {

    static final Path DASHBOARD = Path.of("deploy/components/grafana-dashboard/memgrate-dashboard.json");
    static final Path RULES = Path.of("deploy/components/prometheusrule/prometheusrule.yaml");

    /** Labels Prometheus' Kubernetes scrape (a ServiceMonitor) adds to every series, whatever Memgrate exports. */
    static final Set<String> TARGET_LABELS = Set.of("namespace", "pod", "instance", "job", "service", "container", "endpoint");

    private static final Pattern METRIC = Pattern.compile("\\bmemgrate_[a-z0-9_]+\\b");
    private static final Pattern GROUPING = Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\(([^)]*)\\)");
    private static final Pattern SELECTOR = Pattern.compile("\\{([^}]*)\\}");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(?:=~|!~|!=|=)");
    /** A Grafana variable in a query: {@code ${name}}, {@code ${name:format}}, {@code [[name]]} or {@code $name}. */
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)(?::[^}]*)?}|\\[\\[(\\w+)(?::[^\\]]*)?]]|\\$(\\w+)");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((?:.*,)?\\s*(\\w+)\\s*\\)");
    private static final Pattern LEGEND_LABEL = Pattern.compile("\\{\\{\\s*(\\w+)\\s*}}");
    private static final Pattern LEADING_AGGREGATION = Pattern.compile(
            "^\\s*(?:sum|min|max|avg|group|count|stddev|stdvar|topk|bottomk|quantile|count_values)\\s*"
                    + "(?:by\\s*\\(([^)]*)\\)\\s*)?\\(");
    private static final Pattern TRAILING_BY = Pattern.compile("^\\s*by\\s*\\(([^)]*)\\)");

    private MonitoringQueries() {
    }

    /** Every query of the dashboard and the rules, by where it is ("dashboard panel 'Title' A", "alert X"). */
    static Map<String, String> all(Path root) {
        Map<String, String> queries = new LinkedHashMap<>(dashboard(root));
        queries.putAll(rules(root));
        return queries;
    }

    static JsonNode dashboardJson(Path root) {
        try {
            return new ObjectMapper().readTree(root.resolve(DASHBOARD).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(DASHBOARD + " is not JSON", e);
        }
    }

    static Map<String, String> dashboard(Path root) {
        Map<String, String> queries = new LinkedHashMap<>();
        JsonNode dashboard = dashboardJson(root);
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                queries.put(panelQuery(panel, target), target.path("expr").asText());
            }
        }
        for (JsonNode annotation : dashboard.path("annotations").path("list")) {
            queries.put("dashboard annotation '" + annotation.path("name").asText() + "'", annotation.path("expr").asText());
        }
        return queries;
    }

    private static String panelQuery(JsonNode panel, JsonNode target) {
        return "dashboard panel '" + panel.path("title").asText() + "' " + target.path("refId").asText();
    }

    /** The legend format of each dashboard panel query that has one, by where it is (as {@link #dashboard}). */
    static Map<String, String> legends(Path root) {
        Map<String, String> legends = new LinkedHashMap<>();
        for (JsonNode panel : dashboardJson(root).path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                if (!target.path("legendFormat").asText().isBlank()) {
                    legends.put(panelQuery(panel, target), target.path("legendFormat").asText());
                }
            }
        }
        return legends;
    }

    /** The labels a legend format shows: its {@code {{label}}}s. */
    static Set<String> legendLabels(String legendFormat) {
        Set<String> labels = new TreeSet<>();
        Matcher label = LEGEND_LABEL.matcher(legendFormat);
        while (label.find()) {
            labels.add(label.group(1));
        }
        return labels;
    }

    /**
     * The value of each of the dashboard's variables ({@code templating.list}) for series that carry
     * {@code targetLabels}: a {@code label_values(..., label)} query's label, else the target label of the variable's
     * name, else the variable's current value. Data source variables are left out (queries do not name them).
     */
    static Map<String, String> variableValues(Path root, Map<String, String> targetLabels) {
        Map<String, String> values = new LinkedHashMap<>();
        for (JsonNode variable : dashboardJson(root).path("templating").path("list")) {
            String name = variable.path("name").asText();
            if ("datasource".equals(variable.path("type").asText())) {
                continue;
            }
            JsonNode query = variable.path("query");
            Matcher labelValues = LABEL_VALUES.matcher(query.isObject() ? query.path("query").asText() : query.asText());
            String value = labelValues.find() ? targetLabels.get(labelValues.group(1))
                    : targetLabels.containsKey(name) ? targetLabels.get(name)
                    : variable.path("current").path("value").isTextual() ? variable.path("current").path("value").asText()
                    : null;
            if (value == null) {
                throw new IllegalStateException("dashboard variable " + name + " (" + variable + ") has no value for series"
                        + " labelled " + targetLabels + ": give it a label_values(..., label) query or a current value");
            }
            values.put(name, value);
        }
        return values;
    }

    /**
     * The query as Grafana sends it: {@code $__rate_interval}, {@code $__interval} and {@code $__range} replaced by
     * {@code window}, each variable in {@code values} by its value; anything else that looks like a variable is left as
     * it is, as Grafana leaves it.
     */
    static String interpolated(String query, Map<String, String> values, Duration window) {
        Matcher variable = VARIABLE.matcher(query);
        StringBuilder result = new StringBuilder();
        while (variable.find()) {
            String name = variable.group(1) != null ? variable.group(1) : variable.group(2) != null ? variable.group(2)
                    : variable.group(3);
            String value = switch (name) {
                case "__rate_interval", "__interval", "__range" -> window.toSeconds() + "s";
                case "__interval_ms", "__range_ms" -> String.valueOf(window.toMillis());
                case "__range_s" -> String.valueOf(window.toSeconds());
                default -> values.getOrDefault(name, variable.group());
            };
            variable.appendReplacement(result, Matcher.quoteReplacement(value));
        }
        variable.appendTail(result);
        return result.toString();
    }

    /**
     * The labels a query's outermost aggregation keeps, written {@code agg by (labels) (...)} or
     * {@code agg(...) by (labels)} at its start (in a binary expression, its left side's); empty when it keeps none
     * or the query does not start with an aggregation.
     */
    static Set<String> aggregatedBy(String query) {
        Matcher aggregation = LEADING_AGGREGATION.matcher(query);
        if (!aggregation.find()) {
            return Set.of();
        }
        String by = aggregation.group(1);
        if (by == null) {
            int close = closing(query, aggregation.end() - 1);
            Matcher trailing = TRAILING_BY.matcher(query.substring(close + 1));
            by = close > 0 && trailing.find() ? trailing.group(1) : "";
        }
        Set<String> labels = new TreeSet<>();
        for (String label : by.split(",")) {
            if (!label.isBlank()) {
                labels.add(label.trim());
            }
        }
        return labels;
    }

    /** The index of the parenthesis that closes the one at {@code open}, -1 when none does. */
    private static int closing(String query, int open) {
        int depth = 0;
        for (int i = open; i < query.length(); i++) {
            char c = query.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return i;
            }
        }
        return -1;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> rulesYaml(Path root) {
        try (Reader reader = Files.newBufferedReader(root.resolve(RULES))) {
            return (Map<String, Object>) new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, String> rules(Path root) {
        Map<String, String> queries = new LinkedHashMap<>();
        alertRules(root).forEach(rule -> queries.put("alert " + rule.get("alert"), String.valueOf(rule.get("expr"))));
        return queries;
    }

    /** Every alert rule of the PrometheusRule, in order, as YAML has it (alert, expr, labels, annotations, ...). */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> alertRules(Path root) {
        List<Map<String, Object>> rules = new ArrayList<>();
        Map<String, Object> spec = (Map<String, Object>) rulesYaml(root).get("spec");
        for (Object group : (Iterable<Object>) spec.get("groups")) {
            for (Object rule : (Iterable<Object>) ((Map<String, Object>) group).get("rules")) {
                rules.add((Map<String, Object>) rule);
            }
        }
        return rules;
    }

    /** Memgrate's metrics a query names. */
    static Set<String> metrics(String query) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(query);
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }

    /** Labels a query groups or matches by, or selects on. */
    static Set<String> labels(String query) {
        Set<String> labels = new TreeSet<>();
        Matcher grouping = GROUPING.matcher(query);
        while (grouping.find()) {
            for (String label : grouping.group(1).split(",")) {
                if (!label.isBlank()) {
                    labels.add(label.trim());
                }
            }
        }
        Matcher selector = SELECTOR.matcher(query);
        while (selector.find()) {
            Matcher matcher = MATCHER.matcher(selector.group(1));
            while (matcher.find()) {
                labels.add(matcher.group(1));
            }
        }
        return labels;
    }

    /** Null when every (, [ and { is closed in order, else what is wrong. */
    static String unbalanced(String query) {
        Deque<Character> open = new ArrayDeque<>();
        boolean quoted = false;
        for (char c : query.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            } else if (quoted) {
                continue;
            } else if (c == '(' || c == '[' || c == '{') {
                open.push(c);
            } else if (c == ')' || c == ']' || c == '}') {
                char expected = c == ')' ? '(' : c == ']' ? '[' : '{';
                if (open.isEmpty() || open.pop() != expected) {
                    return "unexpected " + c;
                }
            }
        }
        return quoted ? "unclosed quote" : open.isEmpty() ? null : "unclosed " + open.peek();
    }
}
