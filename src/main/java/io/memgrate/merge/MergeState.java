package io.memgrate.merge;

import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

import io.memgrate.cluster.HostAndPort;
import io.memgrate.cluster.Side;
import io.memgrate.cluster.Topology;
import io.memgrate.plan.MigrationPlan;

/**
 * Everything {@link MergePolicy} decides from, as one immutable value: {@link MergeEngine} holds the latest and
 * replaces it whole, so a reader of it never sees half a decision.
 *
 * @param upstreams        each configured upstream, primary first
 * @param engineVersion    the primary's engine version, or the secondary's; null until one answered
 * @param plan             the migration plan applied; null while none was given, which serves the union of both clusters
 * @param served           the highest version served and the node list served at it; null until the first merge
 * @param servedFrom       each upstream's topology merged into the served one, to name the one that went down since
 * @param held             a merge with a new node list held back because its version does not rise, or null
 * @param lastMergeFailure why the last merge failed, so each such state is logged once; null after a merge
 * @param lastNotServed    the last merge not served because its version does not rise, so each is logged once
 * @param servedSince      when each served node was first served, in the run of serving it now
 * @param lastStep         when the served node list last changed; null before it ever did
 */
record MergeState(Map<Side, UpstreamState> upstreams, String engineVersion, MigrationPlan plan, Topology served,
        Map<Side, Topology> servedFrom, HeldMerge held, String lastMergeFailure, Topology lastNotServed,
        Map<HostAndPort, Instant> servedSince, Instant lastStep) {

    /** No upstream configured, nothing served. */
    static final MergeState EMPTY = new MergeState(Map.of(), null, null, null, Map.of(), null, null, null, Map.of(), null);

    MergeState {
        upstreams = upstreams.isEmpty() ? Map.of() : Collections.unmodifiableMap(new EnumMap<>(upstreams));
    }

    UpstreamState upstream(Side side) {
        return upstreams.get(side);
    }

    /** The primary's last good topology; null while it has not answered. */
    Topology primaryLastGood() {
        return upstreams.get(Side.PRIMARY).lastGood();
    }

    /** The secondary's last good topology; null while it has not answered or none is configured. */
    Topology secondaryLastGood() {
        UpstreamState secondary = upstreams.get(Side.SECONDARY);
        return secondary == null ? null : secondary.lastGood();
    }

    boolean allAnswered() {
        return upstreams.values().stream().allMatch(UpstreamState::hasAnswered);
    }

    MergeState withUpstream(Side side, UpstreamState upstream) {
        Map<Side, UpstreamState> next = new EnumMap<>(Side.class);
        next.putAll(upstreams);
        next.put(side, upstream);
        return new MergeState(next, engineVersion, plan, served, servedFrom, held, lastMergeFailure, lastNotServed,
                servedSince, lastStep);
    }

    MergeState withPlan(MigrationPlan applied) {
        return new MergeState(upstreams, engineVersion, applied, served, servedFrom, held, lastMergeFailure, lastNotServed,
                servedSince, lastStep);
    }

    MergeState withEngineVersion(String engine) {
        return new MergeState(upstreams, engine, plan, served, servedFrom, held, lastMergeFailure, lastNotServed,
                servedSince, lastStep);
    }

    /** @param failure why the merge failed, null after one that did not */
    MergeState withMergeFailure(String failure) {
        return new MergeState(upstreams, engineVersion, plan, served, servedFrom, held, failure, lastNotServed,
                servedSince, lastStep);
    }

    /** The served topology stays: {@code merge} was not served, and {@code hold} is what is held now, or null. */
    MergeState notServing(Topology merge, HeldMerge hold) {
        return new MergeState(upstreams, engineVersion, plan, served, servedFrom, hold, lastMergeFailure, merge,
                servedSince, lastStep);
    }

    /** {@code merged} is served from now on, merged from each upstream's last good topology; nothing is held. */
    MergeState serving(Topology merged, Map<HostAndPort, Instant> since, Instant step) {
        Map<Side, Topology> from = new EnumMap<>(Side.class);
        upstreams.forEach((side, upstream) -> from.put(side, upstream.lastGood()));
        return new MergeState(upstreams, engineVersion, plan, merged, from, null, lastMergeFailure, null,
                Map.copyOf(since), step);
    }
}
