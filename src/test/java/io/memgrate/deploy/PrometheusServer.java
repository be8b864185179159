package io.memgrate.deploy;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.memgrate.support.FreePorts;

/**
 * A real Prometheus server (Debian's {@code prometheus} package) scraping one target every second, with the target
 * labels the test gives it (as Kubernetes service discovery would: namespace, job, pod, ...), its configuration and
 * TSDB in a folder of the test's, on a free loopback port. Queried through its HTTP API; {@link #close()} kills it.
 */
final class PrometheusServer implements AutoCloseable {

    private static final Duration START = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path log;
    private final URI api;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private PrometheusServer(Process process, Path log, URI api) {
        this.process = process;
        this.log = log;
        this.api = api;
    }

    /** One series of a query's result: its labels and value (a sample's value as Prometheus prints it). */
    record Series(Map<String, String> labels, String value) {
    }

    /**
     * Starts Prometheus scraping {@code target} ({@code host:port}) at {@code metricsPath} every second, with
     * {@code targetLabels} on every series (their {@code job} names the scrape job), and waits until it is ready.
     */
    static PrometheusServer start(Path directory, String target, String metricsPath, Map<String, String> targetLabels)
            throws IOException {
        if (!DeployManifestsTest.onPath("prometheus")) {
            throw new IllegalStateException("prometheus is not installed: apt-get install -y prometheus");
        }
        StringBuilder labels = new StringBuilder();
        targetLabels.forEach((name, value) -> labels.append("          ").append(name).append(": \"").append(value).append("\"\n"));
        Path config = Files.writeString(directory.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                  evaluation_interval: 1s
                scrape_configs:
                  - job_name: "%s"
                    metrics_path: "%s"
                    static_configs:
                      - targets: ["%s"]
                        labels:
                %s""".formatted(targetLabels.getOrDefault("job", "memgrate"), metricsPath, target, labels));
        String listen = "127.0.0.1:" + FreePorts.next();
        Path log = directory.resolve("prometheus.log");
        Process process = new ProcessBuilder("prometheus", "--config.file=" + config,
                "--storage.tsdb.path=" + directory.resolve("tsdb"), "--web.listen-address=" + listen)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        PrometheusServer server = new PrometheusServer(process, log, URI.create("http://" + listen));
        try {
            await("Prometheus ready on " + listen).atMost(START).pollInterval(Duration.ofMillis(200))
                    .until(server::ready);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    private boolean ready() {
        if (!process.isAlive()) {
            throw new IllegalStateException("prometheus exited with " + process.exitValue() + ":\n" + log());
        }
        try {
            return get("/-/ready").statusCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    /** The series an instant query returns now; fails with Prometheus' error when the query is refused. */
    List<Series> query(String promql) {
        return query(promql, null);
    }

    /** The series an instant query returns at {@code time} (Unix seconds), or now when null. */
    List<Series> query(String promql, Long time) {
        JsonNode data = api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)
                + (time == null ? "" : "&time=" + time), promql);
        List<Series> series = new ArrayList<>();
        if ("scalar".equals(data.path("resultType").asText())) {
            series.add(new Series(Map.of(), data.path("result").path(1).asText()));
        }
        for (JsonNode one : data.path("result")) {
            if (one.isObject()) {
                series.add(new Series(labels(one.path("metric")), one.path("value").path(1).asText()));
            }
        }
        return series;
    }

    /** The label sets of every series of {@code metric} Prometheus holds. */
    List<Map<String, String>> series(String metric) {
        List<Map<String, String>> series = new ArrayList<>();
        api("/api/v1/series?match[]=" + URLEncoder.encode(metric, StandardCharsets.UTF_8), metric)
                .forEach(labels -> series.add(labels(labels)));
        return series;
    }

    private JsonNode api(String pathAndQuery, String what) {
        try {
            HttpResponse<String> response = get(pathAndQuery);
            JsonNode body = JSON.readTree(response.body());
            if (!"success".equals(body.path("status").asText())) {
                throw new AssertionError("Prometheus refused " + what + ": " + body.path("errorType").asText() + ": "
                        + body.path("error").asText());
            }
            return body.path("data");
        } catch (IOException e) {
            throw new UncheckedIOException("Prometheus at " + api + " did not answer " + pathAndQuery, e);
        }
    }

    private HttpResponse<String> get(String pathAndQuery) throws IOException {
        try {
            return http.send(HttpRequest.newBuilder(api.resolve(pathAndQuery)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static Map<String, String> labels(JsonNode metric) {
        Map<String, String> labels = new LinkedHashMap<>();
        metric.fields().forEachRemaining(label -> labels.put(label.getKey(), label.getValue().asText()));
        return labels;
    }

    /** What Prometheus logged, for failure messages. */
    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
