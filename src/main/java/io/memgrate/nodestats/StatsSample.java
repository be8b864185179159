package io.memgrate.nodestats;

import java.time.Instant;

import io.memgrate.protocol.StatValues;

/**
 * One reading of a cache node's own {@code stats}: its cumulative counters and its gauges, and when the reply came.
 *
 * @param at            when the reply came, for people
 * @param nanos         when the reply came, on the monotonic clock rates are measured with
 * @param uptimeSeconds {@code uptime}: seconds since the node's process started
 * @param gets          {@code cmd_get}: keys asked for, since the node started or its counters were reset
 * @param hits          {@code get_hits}: of those, keys found
 * @param sets          {@code cmd_set}
 * @param evictions     {@code evictions}
 * @param items         {@code curr_items}
 * @param bytesUsed     {@code bytes}
 * @param limitMaxBytes {@code limit_maxbytes}: the node's cache memory
 * @param connections   {@code curr_connections}
 */
public record StatsSample(Instant at, long nanos, long uptimeSeconds, long gets, long hits, long sets, long evictions,
        long items, long bytesUsed, long limitMaxBytes, long connections) {

    /**
     * The sample a node's {@code stats} reply holds.
     *
     * @throws io.memgrate.protocol.MalformedReplyException when a value is missing or not a number
     */
    public static StatsSample of(StatValues values, Instant at, long nanos) {
        return new StatsSample(at, nanos, values.number("uptime"), values.number("cmd_get"), values.number("get_hits"),
                values.number("cmd_set"), values.number("evictions"), values.number("curr_items"), values.number("bytes"),
                values.number("limit_maxbytes"), values.number("curr_connections"));
    }

    /** Bytes used of the cache memory, 0 to 1; NaN when the node reports no memory. */
    public double bytesUsedRatio() {
        return limitMaxBytes == 0 ? Double.NaN : (double) bytesUsed / limitMaxBytes;
    }
}
