package io.memgrate.merge;

import java.time.Instant;

import io.memgrate.cluster.Side;
import io.memgrate.cluster.Topology;

/**
 * What Memgrate knows of one upstream: its last known good configuration and how the last exchanges went.
 *
 * @param endpoint     where it is polled, as configured or resolved
 * @param lastGood     the last valid configuration, null until it first answered
 * @param lastSuccess  when it last answered validly, null until then
 * @param lastError    the last failure, null if none since the last success
 * @param versionDecreases how many times its configuration version went down
 */
public record UpstreamState(Side side, String endpoint, Topology lastGood, String engineVersion,
        Instant lastSuccess, String lastError, Instant lastErrorAt, long versionDecreases) {

    static UpstreamState waiting(Side side, String endpoint) {
        return new UpstreamState(side, endpoint, null, null, null, null, null, 0);
    }

    public boolean hasAnswered() {
        return lastGood != null;
    }

    UpstreamState answered(Topology config, String engine, Instant at) {
        long decreases = hasAnswered() && config.version() < lastGood.version() ? versionDecreases + 1 : versionDecreases;
        return new UpstreamState(side, endpoint, config, engine, at, null, null, decreases);
    }

    UpstreamState failed(String error, Instant at) {
        return new UpstreamState(side, endpoint, lastGood, engineVersion, lastSuccess, error, at, versionDecreases);
    }

    UpstreamState at(String newEndpoint) {
        return new UpstreamState(side, newEndpoint, lastGood, engineVersion, lastSuccess, lastError, lastErrorAt,
                versionDecreases);
    }
}
