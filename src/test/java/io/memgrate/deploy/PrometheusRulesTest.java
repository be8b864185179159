package io.memgrate.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * The PrometheusRule's alerts as Prometheus checks and tests them: {@code promtool check rules} on the rules as shipped,
 * and {@code promtool test rules} on {@code src/test/resources/prometheus/memgrate-alerts-test.yaml}, where every alert
 * fires on the edge it is about and stays quiet where it must.
 */
class PrometheusRulesTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Path UNIT_TESTS = Path.of("src/test/resources/prometheus/memgrate-alerts-test.yaml");

    @TempDir
    Path directory;

    @Test
    void everyAlertFiresOnItsEdgeAndStaysQuietOtherwise() throws Exception {
        JsonNode groups = YAML.readTree(MonitoringQueries.RULES.toFile()).path("spec").path("groups");
        Path shipped = directory.resolve("shipped-rules.yaml");
        YAML.writeValue(shipped.toFile(), YAML.createObjectNode().set("groups", groups.deepCopy()));
        assertThat(promtool("check", "rules", shipped.toString())).contains("SUCCESS: " + alerts(groups).size() + " rules found");

        // descriptions are prose, reviewed; runbook URLs are checked against README's headings (MonitoringCatalogueTest);
        // the summaries carry the values and are compared exactly
        JsonNode compared = groups.deepCopy();
        compared.forEach(group -> group.path("rules").forEach(rule -> ((ObjectNode) rule.path("annotations"))
                .remove(List.of("description", "runbook_url"))));
        YAML.writeValue(directory.resolve("memgrate-rules.yaml").toFile(), YAML.createObjectNode().set("groups", compared));
        Path tests = Files.copy(UNIT_TESTS, directory.resolve("memgrate-alerts-test.yaml"));
        assertThat(promtool("test", "rules", tests.toString())).contains("SUCCESS");

        JsonNode cases = YAML.readTree(UNIT_TESTS.toFile()).path("tests");
        assertThat(alertsTested(cases, true)).as("alerts with a case where they fire").isEqualTo(alerts(groups));
        assertThat(alertsTested(cases, false)).as("alerts with a case where they stay quiet").isEqualTo(alerts(groups));
    }

    private static Set<String> alerts(JsonNode groups) {
        Set<String> names = new TreeSet<>();
        groups.forEach(group -> group.path("rules").forEach(rule -> names.add(rule.path("alert").asText())));
        return names;
    }

    private static Set<String> alertsTested(JsonNode cases, boolean firing) {
        Set<String> names = new TreeSet<>();
        cases.forEach(test -> test.path("alert_rule_test").forEach(check -> {
            if (check.path("exp_alerts").isEmpty() != firing) {
                names.add(check.path("alertname").asText());
            }
        }));
        return names;
    }

    /** Runs promtool and returns what it printed; fails with that output when it does not exit 0. */
    private static String promtool(String... arguments) throws IOException, InterruptedException {
        assertThat(DeployManifestsTest.onPath("promtool")).as("promtool is not installed: apt-get install -y prometheus")
                .isTrue();
        List<String> command = new ArrayList<>(List.of("promtool"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("promtool ended within 60 s").isTrue();
        assertThat(process.exitValue()).as("promtool %s said:%n%s", String.join(" ", arguments), output).isZero();
        return output;
    }
}
