package io.memgrate.nodestats;

import java.time.Instant;
import java.util.List;

/**
 * What Memgrate last read from one node.
 *
 * @param reachable         null before the first answer or failure
 * @param unreachableReason why the last read failed, null when it did not
 * @param sample            the last sample, null while the node does not answer
 * @param rates             over the last interval, null while the node does not answer, before its second sample, and
 *                          for the interval in which it restarted
 * @param hitRatioHistory   the hit ratio of each interval of the last hour, oldest first, at most
 *                          {@link NodeStatsBook#HISTORY_POINTS} points
 */
public record NodeReading(Boolean reachable, String unreachableReason, StatsSample sample, IntervalRates rates,
        List<HitRatioPoint> hitRatioHistory) {

    static final NodeReading UNREAD = new NodeReading(null, null, null, null, List.of());

    /** The hit ratio over the interval ending {@code at}; NaN when the node had no gets in it. */
    public record HitRatioPoint(Instant at, double hitRatio) {
    }
}
