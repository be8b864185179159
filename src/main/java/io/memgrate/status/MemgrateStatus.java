package io.memgrate.status;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.memgrate.cluster.HostAndPort;
import io.memgrate.cluster.Node;
import io.memgrate.cluster.Side;
import io.memgrate.control.PlanWatcher;
import io.memgrate.merge.MergeEngine;
import io.memgrate.merge.NextStepsReport;
import io.memgrate.merge.UpstreamState;
import io.memgrate.movement.HashScheme;
import io.memgrate.nodestats.NodeStatsBook;
import io.memgrate.nodestats.NodesReport;
import io.memgrate.nodestats.WarmUp;
import io.memgrate.server.ConfigEndpointServer;
import io.memgrate.settings.MemgrateSettings;
import io.memgrate.upstream.Upstreams;

/** Builds the {@link StatusSnapshot}: the one place that decides what "ready", "started" and each age mean. */
@ApplicationScoped
public class MemgrateStatus {

    private final MergeEngine view;
    private final ConfigEndpointServer server;
    private final Upstreams upstreams;
    private final Lifecycle lifecycle;
    private final PlanWatcher planWatcher;
    private final NodeStatsBook nodeStats;
    private final Duration statsInterval;
    private final double warmMargin;
    private final Clock clock;
    private final HashScheme clientHashing;
    private final AutopilotBoard autopilot;

    @Inject
    public MemgrateStatus(MergeEngine view, ConfigEndpointServer server, Upstreams upstreams, Lifecycle lifecycle,
            PlanWatcher planWatcher, NodeStatsBook nodeStats, MemgrateSettings settings, AutopilotBoard autopilot) {
        this.view = view;
        this.nodeStats = nodeStats;
        this.statsInterval = settings.nodes().statsInterval();
        this.warmMargin = settings.migration().warmMargin();
        this.planWatcher = planWatcher;
        this.server = server;
        this.upstreams = upstreams;
        this.lifecycle = lifecycle;
        this.clock = Clock.systemUTC();
        this.clientHashing = settings.migration().clientHashing().flatMap(HashScheme::byLabel).orElse(null);
        this.autopilot = autopilot;
    }

    public StatusSnapshot snapshot() {
        Instant now = clock.instant();
        MergeEngine.Snapshot merged = view.snapshot();
        Map<Side, Duration> sincePollAttempt = upstreams.sinceLastPollAttempt();
        boolean listening = server.listening();
        return new StatusSnapshot(now, merged.served(), merged.held(), merged.engineVersion(),
                listening ? server.port() : null, server.openConnections(), lifecycle.shuttingDown(), upstreams.started(),
                upstreams.pollerStalledAfter(),
                merged.upstreams().stream().map(state -> upstream(state, sincePollAttempt.get(state.side()), now)).toList(),
                merged.plan(), planWatcher.file().orElse(null), planWatcher.lastRefusal().orElse(null),
                planWatcher.readHangingSince().orElse(null),
                merged.lastChange(), merged.nextSteps(), nodes(merged, now), merged.lastStep(), clientHashing,
                autopilot.report());
    }

    /** Every node of both clusters, the warm-up verdict and whether the next step looks safe. */
    private NodesReport nodes(MergeEngine.Snapshot merged, Instant now) {
        Map<Side, List<HostAndPort>> listed = new EnumMap<>(Side.class);
        merged.upstreams().stream().filter(UpstreamState::hasAnswered).forEach(upstream -> listed.put(upstream.side(),
                upstream.lastGood().nodes().stream().map(Node::hostAndPort).toList()));
        Set<HostAndPort> served = merged.served() == null ? Set.of()
                : merged.served().nodes().stream().map(Node::hostAndPort).collect(Collectors.toSet());
        Double before = merged.lastStep() == null ? null : nodeStats.servedHitRatioBefore(merged.lastStep());
        return WarmUp.report(now, statsInterval, warmMargin,
                new WarmUp.ServedNodes(listed, served, merged.servedSince(), merged.lastStep(), before), nodeStats.readings());
    }

    /** The next steps worked out last: the merge engine works them out after each change, never for a reader. */
    public NextStepsReport nextSteps() {
        return view.nextSteps();
    }

    private static StatusSnapshot.UpstreamStatus upstream(UpstreamState state, Duration sincePollAttempt, Instant now) {
        return new StatusSnapshot.UpstreamStatus(state.side(), state.endpoint(), state.lastGood(), state.engineVersion(),
                state.lastSuccess(), state.lastSuccess() == null ? null : Duration.between(state.lastSuccess(), now),
                state.lastError(), state.lastErrorAt(), state.versionDecreases(), sincePollAttempt);
    }
}
