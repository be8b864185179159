package io.memgrate.status;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.memgrate.cluster.Side;
import io.memgrate.cluster.Topology;
import io.memgrate.merge.HeldMerge;

/**
 * What Memgrate is doing, taken at one instant: the one source of readiness, {@code /memgrate/status} and the state
 * metrics, so they cannot disagree.
 *
 * @param served             the served topology, null until every configured upstream has answered once
 * @param held               a merge held back because its version does not rise, or null
 * @param engineVersion      the engine version answered to {@code version}, null until an upstream answered
 * @param listeningPort      the bound port, null while the listener is not taking connections
 * @param pollersStarted     every configured upstream has a poller
 * @param pollerStalledAfter how long a poller may go without ending an attempt before liveness fails
 */
public record StatusSnapshot(Instant at, Topology served, HeldMerge held, String engineVersion, Integer listeningPort,
        int openConnections, boolean shuttingDown, boolean pollersStarted, Duration pollerStalledAfter,
        List<UpstreamStatus> upstreams) {

    /** Clients get a complete merge from this replica: it has one, listens, and is not shutting down. */
    public boolean ready() {
        return served != null && listening() && !shuttingDown;
    }

    /** The listener is bound and the pollers run; a slow first answer shows in readiness, not here. */
    public boolean started() {
        return listening() && pollersStarted;
    }

    public boolean listening() {
        return listeningPort != null;
    }

    /** Upstreams that have not answered yet, by label. */
    public List<String> waitingFor() {
        return upstreams.stream().filter(upstream -> upstream.lastGood() == null).map(upstream -> upstream.side().label())
                .toList();
    }

    /**
     * One configured upstream.
     *
     * @param endpoint          where it is polled, as configured or resolved
     * @param lastGood          its last valid topology, null until it first answered
     * @param sinceSuccess      how long ago it last answered validly, null until then
     * @param lastError         the last failure, null if none since the last success
     * @param sincePollAttempt  how long ago its poller last ended an attempt, successful or not
     */
    public record UpstreamStatus(Side side, String endpoint, Topology lastGood, String engineVersion, Instant lastSuccess,
            Duration sinceSuccess, String lastError, Instant lastErrorAt, long versionDecreases, Duration sincePollAttempt) {
    }
}
