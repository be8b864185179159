package io.memgrate.merge;

import java.time.Instant;

import io.memgrate.cluster.Side;
import io.memgrate.cluster.Topology;

/**
 * What Memgrate knows of one upstream: its last known good topology and how the last exchanges went.
 *
 * @param endpoint     where it is polled, as configured or resolved
 * @param lastGood     the last valid topology, null until it first answered
 * @param lastSuccess  when it last answered validly, null until then
 * @param lastError    the last failure, null if none since the last success
 * @param versionDecreases how many times its topology version went down
 */
public record UpstreamState(Side side, String endpoint, Topology lastGood, String engineVersion,
        Instant lastSuccess, String lastError, Instant lastErrorAt, long versionDecreases) {

    static UpstreamState waiting(Side side, String endpoint) {
        return new UpstreamState(side, endpoint, null, null, null, null, null, 0);
    }

    public boolean hasAnswered() {
        return lastGood != null;
    }

    UpstreamState answered(Topology topology, String engine, Instant at) {
        long decreases = hasAnswered() && topology.version() < lastGood.version() ? versionDecreases + 1 : versionDecreases;
        return new UpstreamState(side, endpoint, topology, engine, at, null, null, decreases);
    }

    UpstreamState failed(String error, Instant at) {
        return new UpstreamState(side, endpoint, lastGood, engineVersion, lastSuccess, error, at, versionDecreases);
    }

    UpstreamState at(String newEndpoint) {
        return new UpstreamState(side, newEndpoint, lastGood, engineVersion, lastSuccess, lastError, lastErrorAt,
                versionDecreases);
    }
}
