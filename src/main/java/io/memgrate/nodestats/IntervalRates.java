package io.memgrate.nodestats;

import java.time.Instant;
import java.util.Optional;

/**
 * What a node did between two samples: the gets and hits counted, and rates per second.
 *
 * @param from the sample the interval starts at
 * @param to   the sample it ends at
 */
public record IntervalRates(Instant from, Instant to, long gets, long hits, double getsPerSecond, double setsPerSecond,
        double evictionsPerSecond) {

    /**
     * How far the node's uptime may lag the time measured here between two samples and still be the same process:
     * memcached counts uptime in whole seconds, and the two clocks tick apart.
     */
    static final long UPTIME_TOLERANCE_SECONDS = 2;

    /** Hits over gets in the interval, 0 to 1; NaN when the node had no gets. */
    public double hitRatio() {
        return gets == 0 ? Double.NaN : (double) hits / gets;
    }

    /**
     * The rates between {@code before} and {@code after}, empty when the node restarted or its counters were reset in
     * between (its counters no longer count from the same start, so no rate over the interval can be told) or when no
     * time passed.
     */
    public static Optional<IntervalRates> between(StatsSample before, StatsSample after) {
        long nanos = after.nanos() - before.nanos();
        if (nanos <= 0 || restarted(before, after)) {
            return Optional.empty();
        }
        double seconds = nanos / 1e9;
        return Optional.of(new IntervalRates(before.at(), after.at(), after.gets() - before.gets(),
                after.hits() - before.hits(), (after.gets() - before.gets()) / seconds,
                (after.sets() - before.sets()) / seconds, (after.evictions() - before.evictions()) / seconds));
    }

    /**
     * The node's counters started again between the samples: its process restarted (its uptime grew by less than the
     * time that passed) or {@code stats reset} zeroed them (a counter went down).
     */
    public static boolean restarted(StatsSample before, StatsSample after) {
        long elapsedSeconds = (after.nanos() - before.nanos()) / 1_000_000_000L;
        return after.uptimeSeconds() + UPTIME_TOLERANCE_SECONDS < before.uptimeSeconds() + elapsedSeconds
                || after.gets() < before.gets() || after.hits() < before.hits() || after.sets() < before.sets()
                || after.evictions() < before.evictions();
    }
}
