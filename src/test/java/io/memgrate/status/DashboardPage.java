package io.memgrate.status;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.StreamSupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.memgrate.support.HeadlessChromium;

/** The dashboard page at {@code /memgrate/} as a person reads it in a browser, and the status it was drawn from. */
final class DashboardPage {

    static final Duration WAIT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** What a person reads on the page, gathered from its DOM: "node state hit-ratio sparkline-points" per row. */
    static final String READ = """
            JSON.stringify({
              refreshes: Number(document.body.dataset.refreshes),
              version: document.getElementById('served-version').textContent,
              revision: document.getElementById('plan-revision').textContent,
              verdict: document.getElementById('verdict').dataset.verdict,
              reasons: [...document.querySelectorAll('#verdict li')].map(li => li.textContent),
              nodes: Object.fromEntries(['primary', 'secondary'].map(side => [side,
                [...document.querySelectorAll(`section.cluster[data-side="${side}"] tr.node`)]
                  .map(row => row.dataset.node + ' ' + row.dataset.state)])),
              names: [...document.querySelectorAll('tr.node td.name .host')].map(cell => cell.textContent),
              ports: [...document.querySelectorAll('tr.node td.name .port')].map(cell => cell.textContent),
              hitRatios: [...document.querySelectorAll('tr.node td.hit-ratio')].map(cell => cell.textContent),
              sparkPoints: [...document.querySelectorAll('tr.node')].map(row => row.querySelector('svg.spark')
                ? Number(row.querySelector('svg.spark').getAttribute('data-points')) : 0),
              steps: [...document.querySelectorAll('#next-steps tr.step')].map(row => row.dataset.step),
              gentlest: [...document.querySelectorAll('#next-steps tr.gentlest')].map(row => row.dataset.step),
              text: document.body.innerText,
              overflow: Math.max(document.documentElement.scrollWidth - window.innerWidth,
                ...[...document.querySelectorAll('.table-scroll')].map(table => table.scrollWidth - table.clientWidth)),
              resources: performance.getEntriesByType('resource').map(entry => entry.name)
            })""";

    private DashboardPage() {
    }

    /** Reads the page until {@code condition} holds for what it shows; fails after {@link #WAIT}. */
    static JsonNode awaitShowing(HeadlessChromium chromium, Predicate<JsonNode> condition) {
        return await("the page in Chromium").atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .until(() -> JSON.readTree(chromium.evaluate(READ).asText()), condition);
    }

    /** {@code /memgrate/status} now. */
    static JsonNode status() throws IOException {
        return JSON.readTree(given().get("/memgrate/status").then().statusCode(200).extract().asString());
    }

    /** Waits until Memgrate serves a complete configuration. */
    static void awaitReady() {
        await("Memgrate ready").atMost(WAIT).ignoreExceptions().until(() -> status().path("ready").asBoolean());
    }

    static List<String> texts(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }
}
