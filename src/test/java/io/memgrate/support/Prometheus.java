package io.memgrate.support;

import static io.restassured.RestAssured.given;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the running application's {@code /q/metrics}. */
public final class Prometheus {

    /** A sample line: name, optional labels, value. */
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{([^}]*)\\})? \\S+", Pattern.MULTILINE);
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"");

    private Prometheus() {
    }

    /** The value of {@code series} (name and labels, as Prometheus prints them), NaN when absent. */
    public static double metric(String series) {
        Matcher matcher = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(scrape());
        return matcher.find() ? Double.parseDouble(matcher.group(1)) : Double.NaN;
    }

    /** A counter's value, 0 before it first counted (it is absent until then). */
    public static double counter(String series) {
        double value = metric(series);
        return Double.isNaN(value) ? 0 : value;
    }

    public static String scrape() {
        return given().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    /** The sample names in {@code text} (the exposition format) and the label names each carries. */
    public static Map<String, Set<String>> labelsByName(String text) {
        Map<String, Set<String>> metrics = new TreeMap<>();
        Matcher sample = SAMPLE.matcher(text);
        while (sample.find()) {
            Set<String> labels = metrics.computeIfAbsent(sample.group(1), name -> new TreeSet<>());
            if (sample.group(2) != null) {
                Matcher label = LABEL.matcher(sample.group(2));
                while (label.find()) {
                    labels.add(label.group(1));
                }
            }
        }
        return metrics;
    }
}
