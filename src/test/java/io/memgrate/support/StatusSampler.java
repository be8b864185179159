package io.memgrate.support;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import io.restassured.path.json.JsonPath;

/**
 * Reads {@code /memgrate/status} every interval in the background and keeps what it read, so a test can tell afterwards
 * what the verdict said at each moment and which next steps were shown at each plan revision.
 */
public final class StatusSampler implements AutoCloseable {

    /**
     * @param at       when the request was sent
     * @param received when the reply had come: the status was taken between the two
     * @param steps    the next steps shown, when worked out for what was served; else null
     */
    public record Sample(Instant at, Instant received, boolean ready, Boolean safe, Long servedVersion, Long planRevision,
            List<Map<String, Object>> steps) {
    }

    private final List<Sample> samples = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor();

    public static JsonPath status() {
        return given().get("/memgrate/status").then().statusCode(200).extract().jsonPath();
    }

    /** Reads the status every 200 ms until {@code condition} holds for it, at most {@code atMost}; returns that status. */
    public static JsonPath awaitStatus(Duration atMost, Predicate<JsonPath> condition) {
        return await().atMost(atMost).pollInterval(Duration.ofMillis(200)).until(StatusSampler::status, condition);
    }

    /** Reads the status every 200 ms for {@code duration}: {@code condition} must hold for every read. */
    public static void holdsFor(Duration duration, Predicate<JsonPath> condition) {
        await().during(duration).atMost(duration.plusSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(StatusSampler::status, condition);
    }

    public static StatusSampler start(Duration every) {
        StatusSampler sampler = new StatusSampler();
        sampler.thread.scheduleWithFixedDelay(sampler::sample, 0, every.toMillis(), TimeUnit.MILLISECONDS);
        return sampler;
    }

    private void sample() {
        Instant at = Instant.now();
        try {
            JsonPath status = status();
            boolean ready = status.getBoolean("ready");
            samples.add(new Sample(at, Instant.now(), ready, ready ? status.getBoolean("nextStepVerdict.safe") : null,
                    ready ? status.getLong("served.version") : null,
                    status.get("plan.revision") == null ? null : status.getLong("plan.revision"),
                    status.getBoolean("keyMovement.nextStepsCurrent") ? status.getList("keyMovement.nextSteps") : null));
        } catch (RuntimeException | AssertionError e) {
            // the application stopping under the sampler: what was read stays
        }
    }

    /** How many samples were read. */
    public int count() {
        return samples.size();
    }

    /** The next steps last shown for what was served under plan revision {@code revision}. */
    public List<Map<String, Object>> stepsAt(long revision) {
        return samples.stream().filter(s -> s.planRevision() != null && s.planRevision() == revision && s.steps() != null)
                .reduce((first, second) -> second).map(Sample::steps)
                .orElseThrow(() -> new AssertionError("no sample shows the next steps at plan revision " + revision));
    }

    /** What the verdict said in each sample taken from {@code from} to {@code to}: sent after the one, answered before the other. */
    public List<Boolean> verdictsBetween(Instant from, Instant to) {
        return samples.stream().filter(s -> s.ready() && !s.at().isBefore(from) && !s.received().isAfter(to))
                .map(Sample::safe).toList();
    }

    /** The served versions, in the order sampled. */
    public List<Long> servedVersions() {
        return samples.stream().filter(Sample::ready).map(Sample::servedVersion).toList();
    }

    /** The first instant a sample showed plan revision {@code revision}; null if none did. */
    public Instant firstAt(long revision) {
        return samples.stream().filter(s -> s.planRevision() != null && s.planRevision() == revision).findFirst()
                .map(Sample::at).orElse(null);
    }

    @Override
    public void close() throws InterruptedException {
        thread.shutdownNow();
        thread.awaitTermination(10, TimeUnit.SECONDS);
    }
}
