package io.memgrate.status;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.memgrate.cluster.Node;
import io.memgrate.cluster.Side;
import io.memgrate.cluster.Topology;
import io.memgrate.control.PlanWatcher;
import io.memgrate.merge.HeldMerge;
import io.memgrate.merge.NextStep;
import io.memgrate.merge.NextStepsReport;
import io.memgrate.merge.ServedChange;
import io.memgrate.movement.HashScheme;
import io.memgrate.nodestats.NodesReport;
import io.memgrate.plan.MigrationPlan;

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
 * @param plan               the migration plan applied, null while none was given (the union is served)
 * @param planFile           the plan file, null when none is configured
 * @param planRefusal        the last plan refused, null when the file's current content is applied
 * @param planReadHangingSince since when a read of the plan file has not returned, null unless one hangs
 * @param lastChange         the keys the last change of the served list moved, null before the first change
 * @param nextSteps          the next steps worked out last, and what for
 * @param servedListChangedAt when the served node list last changed, null before it ever did
 * @param clientHashing      the hashing scheme the clients are declared to use, null when none is
 * @param autopilot          what the autopilot decided last
 */
public record StatusSnapshot(Instant at, Topology served, HeldMerge held, String engineVersion, Integer listeningPort,
        int openConnections, boolean shuttingDown, boolean pollersStarted, Duration pollerStalledAfter,
        List<UpstreamStatus> upstreams, MigrationPlan plan, Path planFile, PlanWatcher.Refusal planRefusal,
        Instant planReadHangingSince, ServedChange lastChange, NextStepsReport nextSteps, NodesReport nodes,
        Instant servedListChangedAt, HashScheme clientHashing, AutopilotReport autopilot) {

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

    /** The next step to take for the declared client hashing, in the migration order; empty without one declared. */
    public Optional<NextStep> gentlestNextStep() {
        return clientHashing == null ? Optional.empty() : nextSteps.gentlest(clientHashing);
    }

    /** Upstreams that have not answered yet, by label. */
    public List<String> waitingFor() {
        return upstreams.stream().filter(upstream -> upstream.lastGood() == null).map(upstream -> upstream.side().label())
                .toList();
    }

    /** The served nodes that {@code side}'s cluster lists, in served order; empty before anything is served. */
    public List<Node> served(Side side) {
        if (served == null) {
            return List.of();
        }
        List<Node> primary = lastGood(Side.PRIMARY).nodes();
        return served.nodes().stream()
                .filter(node -> primary.stream().anyMatch(node::sameNodeAs) == (side == Side.PRIMARY)).toList();
    }

    /** The last good topology of {@code side}'s upstream; null until it answered or when it is not configured. */
    public Topology lastGood(Side side) {
        return upstreams.stream().filter(upstream -> upstream.side() == side).findFirst()
                .map(UpstreamStatus::lastGood).orElse(null);
    }

    /** The secondary's nodes not served because the plan does not admit them. */
    public List<Node> pending() {
        return upstreams.stream().filter(upstream -> upstream.side() == Side.SECONDARY && upstream.lastGood() != null)
                .flatMap(upstream -> upstream.lastGood().nodes().stream())
                .filter(node -> served == null || served.nodes().stream().noneMatch(node::sameNodeAs)).toList();
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
