package io.memgrate.merge;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jboss.logging.Logger.Level;

import io.memgrate.cluster.HostAndPort;
import io.memgrate.cluster.Node;
import io.memgrate.cluster.Side;
import io.memgrate.cluster.Topology;
import io.memgrate.plan.MigrationPlan;

/**
 * What to serve and what to hold, decided from a {@link MergeState} and one event (an upstream answered or failed, a
 * plan applied): the next state and what {@link MergeEngine} must do about it. Pure: no I/O, no clock (the time is
 * passed in), no state of its own, so one event in the same state always gets the same decision.
 * <p>
 * Nothing is served until every configured upstream has answered once (a partial merge would move keys for every
 * client); after that an upstream that fails keeps its last known good nodes in the merge. The served version never
 * goes down and is never reused for another node list: clients ignore a version they already hold.
 */
final class MergePolicy {

    private final long versionOffset;

    MergePolicy(long versionOffset) {
        this.versionOffset = versionOffset;
    }

    /** A line to log, its text complete. */
    record LogLine(Level level, String text) {
    }

    /** A plan not applied: {@code reason} is the short tag for metrics, {@code message} what to fix. */
    record Refusal(String reason, String message) {
    }

    /**
     * @param state       the state from now on
     * @param serve       the topology to serve from now on; null when the served one stays
     * @param changedFrom the topology {@code serve} replaces, whose change is to be announced; null when none
     * @param logs        the lines to log, in order
     * @param nextSteps   what the next steps are to be worked out from; null when they are not to be offered
     * @param refusal     why a plan is refused (the state is then the one before); null otherwise
     */
    record Decision(MergeState state, Topology serve, Topology changedFrom, List<LogLine> logs,
            NextStepsWorker.Inputs nextSteps, Refusal refusal) {
    }

    /** Records a valid answer from an upstream and re-merges. */
    Decision answered(MergeState state, Side side, Topology topology, String engine, Instant now) {
        UpstreamState previous = state.upstream(side);
        if (previous == null) {
            throw new IllegalStateException(side.label() + " upstream is not configured");
        }
        return remerge(state.withUpstream(side, previous.answered(topology, engine, now)), now, new ArrayList<>());
    }

    /** Records a failed poll; the upstream's last known good configuration stays in the merge. */
    Decision failed(MergeState state, Side side, String error, Instant now) {
        UpstreamState previous = state.upstream(side);
        MergeState next = previous == null ? state : state.withUpstream(side, previous.failed(error, now));
        return new Decision(next, null, null, List.of(), null, null);
    }

    /**
     * Serves under {@code next} from now on, or refuses it as a whole, keeping the plan applied before: a revision
     * that does not rise, or, once every upstream has answered, a host no upstream lists, no node left to serve, or a
     * version out of range.
     */
    Decision applyPlan(MergeState state, MigrationPlan next, Instant now) {
        if (next.equals(state.plan())) {
            return new Decision(state, null, null, List.of(), null, null);
        }
        Refusal refusal = refusal(state, next);
        if (refusal != null) {
            return new Decision(state, null, null, List.of(), null, refusal);
        }
        List<LogLine> logs = new ArrayList<>();
        logs.add(new LogLine(Level.INFO, String.format("Applying migration plan revision %d: admit %s, withdraw %s",
                next.revision(), next.admitAll() ? "all" : next.admit(), next.withdraw())));
        return remerge(state.withPlan(next), now, logs);
    }

    private Refusal refusal(MergeState state, MigrationPlan next) {
        MigrationPlan plan = state.plan();
        if (plan != null && next.revision() <= plan.revision()) {
            return new Refusal("revision", "revision " + next.revision() + " does not rise above " + plan.revision()
                    + ", the revision applied now: raise it with every change of the plan");
        }
        if (!state.allAnswered()) {
            return null;
        }
        List<String> unknown = next.unknownHosts(state.primaryLastGood(), state.secondaryLastGood());
        if (!unknown.isEmpty()) {
            return new Refusal("unknown-host", "no upstream lists " + String.join(", ", unknown)
                    + ": name hosts as config get cluster lists them");
        }
        try {
            merge(state, next);
            return null;
        } catch (TopologyMerger.NothingToServeException e) {
            return new Refusal("nothing-served", e.getMessage());
        } catch (ServedVersion.OverflowException e) {
            return new Refusal("version", e.getMessage());
        }
    }

    /** @param logs the lines logged so far for this event; the merge's own are added */
    private Decision remerge(MergeState state, Instant now, List<LogLine> logs) {
        MergeState next = withEngineVersion(state);
        if (!next.allAnswered()) {
            return decided(next, null, null, logs);
        }
        Topology merged;
        try {
            merged = merge(next, next.plan());
        } catch (ServedVersion.OverflowException | TopologyMerger.NothingToServeException e) {
            if (!e.getMessage().equals(next.lastMergeFailure())) {
                logs.add(new LogLine(Level.ERROR, "Keeping the served configuration: " + e.getMessage()));
            }
            return decided(next.withMergeFailure(e.getMessage()), null, null, logs);
        }
        next = next.withMergeFailure(null);
        Topology current = next.served();
        if (current == null || merged.version() > current.version()) {
            return serve(next, merged, now, logs);
        }
        return decided(keepServing(next, merged, logs), null, null, logs);
    }

    /** The primary's engine version, or the secondary's while the primary's is unknown; kept when neither is known. */
    private static MergeState withEngineVersion(MergeState state) {
        UpstreamState primary = state.upstream(Side.PRIMARY);
        UpstreamState secondary = state.upstream(Side.SECONDARY);
        String engine = primary != null && primary.engineVersion() != null ? primary.engineVersion()
                : secondary != null ? secondary.engineVersion() : null;
        return engine == null ? state : state.withEngineVersion(engine);
    }

    private Topology merge(MergeState state, MigrationPlan under) {
        return TopologyMerger.merge(state.primaryLastGood(), state.secondaryLastGood(),
                under == null ? MigrationPlan.UNION : under, versionOffset);
    }

    /** The next steps are offered after every answer and plan, once something is served: the worker skips repeats. */
    private static Decision decided(MergeState state, Topology serve, Topology changedFrom, List<LogLine> logs) {
        NextStepsWorker.Inputs nextSteps = state.served() == null ? null : new NextStepsWorker.Inputs(state.served(),
                state.plan(), state.primaryLastGood(), state.secondaryLastGood());
        return new Decision(state, serve, changedFrom, List.copyOf(logs), nextSteps, null);
    }

    private static Decision serve(MergeState state, Topology merged, Instant now, List<LogLine> logs) {
        Topology current = state.served();
        if (state.held() != null) {
            logs.add(new LogLine(Level.INFO, String.format("Hold ended: the merged version %d is higher than version %d "
                    + "served so far, so clients take it", merged.version(), current.version())));
        }
        if (current == null) {
            logs.add(new LogLine(Level.INFO, String.format("Serving configuration version %d with %d nodes: %s",
                    merged.version(), merged.nodes().size(), merged.nodes())));
            warnOfUnknownHosts(state, logs);
        }
        Map<HostAndPort, Instant> since = new HashMap<>();
        merged.nodes().forEach(node -> since.put(node.hostAndPort(),
                state.servedSince().getOrDefault(node.hostAndPort(), now)));
        boolean nodesChanged = !state.servedSince().isEmpty() && !since.keySet().equals(state.servedSince().keySet());
        return decided(state.serving(merged, since, nodesChanged ? now : state.lastStep()), merged, current, logs);
    }

    /**
     * A plan applied before the upstreams first answered could not be checked against them: say once which of its
     * hosts they do not list (a typo there would admit or withdraw nothing).
     */
    private static void warnOfUnknownHosts(MergeState state, List<LogLine> logs) {
        MigrationPlan plan = state.plan();
        if (plan == null) {
            return;
        }
        List<String> unknown = plan.unknownHosts(state.primaryLastGood(), state.secondaryLastGood());
        if (!unknown.isEmpty()) {
            logs.add(new LogLine(Level.WARN, String.format("Migration plan revision %d names %s, which no upstream lists:"
                    + " they admit or withdraw nothing. Name hosts as config get cluster lists them, in a plan with a"
                    + " higher revision.", plan.revision(), String.join(", ", unknown))));
        }
    }

    /**
     * A merge whose version does not rise above the served one is never served: clients holding the served version
     * would ignore it, and a client holding none would get that version with another node list.
     */
    private MergeState keepServing(MergeState state, Topology merged, List<LogLine> logs) {
        if (merged.equals(state.lastNotServed())) {
            return state;
        }
        Topology served = state.served();
        boolean sameNodes = merged.nodes().equals(served.nodes());
        HeldMerge held = state.held();
        if (sameNodes && held != null) {
            logs.add(new LogLine(Level.INFO, String.format("Hold ended: the upstreams list the served nodes again; still "
                    + "serving version %d", served.version())));
            held = null;
        }
        if (merged.equals(served)) {
            return state.notServing(null, held);
        }
        String cause = upstreamChangesWithoutRise(state);
        String fix = fix(merged, served.version());
        if (sameNodes) {
            logs.add(new LogLine(Level.WARN, String.format("Still serving version %d unchanged: %s, so the merged version "
                    + "fell to %d. The node list is the same, so clients miss nothing now, but a node list change will be "
                    + "held back until the merged version exceeds %d. %s", served.version(), cause, merged.version(),
                    served.version(), fix)));
            return state.notServing(merged, held);
        }
        String reason = String.format("%s, so the merged version %d is not higher than version %d already served, "
                + "which clients holding it would ignore. %s", cause, merged.version(), served.version(), fix);
        logs.add(new LogLine(Level.ERROR, String.format("Holding back a new node list (nodes added %s, removed %s); still "
                + "serving version %d unchanged: %s", difference(merged.nodes(), served.nodes()),
                difference(served.nodes(), merged.nodes()), served.version(), reason)));
        return state.notServing(merged, new HeldMerge(merged, reason));
    }

    /**
     * Names each upstream whose version went down, or whose nodes changed without its version rising, since the served
     * configuration was merged. A merge that is not served has at least one (its version is not higher).
     */
    private static String upstreamChangesWithoutRise(MergeState state) {
        List<String> changes = new ArrayList<>();
        state.upstreams().forEach((side, upstream) -> {
            Topology then = state.servedFrom().get(side);
            Topology now = upstream.lastGood();
            if (now.version() < then.version()) {
                changes.add(String.format("%s upstream %s went down from version %d to %d", side.label(),
                        upstream.endpoint(), then.version(), now.version()));
            } else if (now.version() == then.version() && !now.nodes().equals(then.nodes())) {
                changes.add(String.format("%s upstream %s lists other nodes at the same version %d", side.label(),
                        upstream.endpoint(), now.version()));
            }
        });
        return String.join(" and ", changes) + " (was the cluster replaced?)";
    }

    /** The operator's fix: the offset that makes this merge's version exceed the served one, on every replica. */
    private String fix(Topology merged, long servedVersion) {
        long versionClientsTake = servedVersion + 1;
        if (versionClientsTake > Topology.MAX_VERSION) {
            return "No memgrate.version-offset can fix this, as clients accept no version above " + Topology.MAX_VERSION
                    + ". Fix: lower memgrate.version-offset on every Memgrate replica, restart them, then restart every "
                    + "client so it forgets the version it holds.";
        }
        return "Fix: raise memgrate.version-offset to at least "
                + ServedVersion.offsetReaching(versionClientsTake, merged.version(), versionOffset)
                + " on every Memgrate replica, then restart them one by one.";
    }

    /** The line that announces a change of the served list, once the keys it moved are worked out. */
    static String changeLine(Topology before, Topology after, KeysMoved moved) {
        return String.format("Served configuration changed: version %d -> %d, nodes added %s, removed %s; keys moved: %s",
                before.version(), after.version(), difference(after.nodes(), before.nodes()),
                difference(before.nodes(), after.nodes()), moved.summary());
    }

    /** The nodes of {@code nodes} that are not in {@code without}. */
    private static List<Node> difference(List<Node> nodes, List<Node> without) {
        List<Node> remaining = new ArrayList<>(nodes);
        remaining.removeAll(without);
        return remaining;
    }
}
