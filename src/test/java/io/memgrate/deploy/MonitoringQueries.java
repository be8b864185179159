package io.memgrate.deploy;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
    /** Labels Prometheus adds to every scraped series (target labels), absent from {@code /q/metrics}. */
    static final Set<String> TARGET_LABELS = Set.of("namespace", "pod", "instance", "job", "service", "container", "endpoint");

    private static final Pattern METRIC = Pattern.compile("\\bmemgrate_[a-z0-9_]+\\b");
    private static final Pattern GROUPING = Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\(([^)]*)\\)");
    private static final Pattern SELECTOR = Pattern.compile("\\{([^}]*)\\}");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(?:=~|!~|!=|=)");

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
                queries.put("dashboard panel '" + panel.path("title").asText() + "' " + target.path("refId").asText(),
                        target.path("expr").asText());
            }
        }
        for (JsonNode annotation : dashboard.path("annotations").path("list")) {
            queries.put("dashboard annotation '" + annotation.path("name").asText() + "'", annotation.path("expr").asText());
        }
        return queries;
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

    /** Labels a query groups or matches by, or selects on; Prometheus' target labels left out. */
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
        labels.removeAll(TARGET_LABELS);
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
