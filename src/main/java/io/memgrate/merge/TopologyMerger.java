package io.memgrate.merge;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.memgrate.cluster.HostAndPort;
import io.memgrate.cluster.Node;
import io.memgrate.cluster.Side;
import io.memgrate.cluster.Topology;
import io.memgrate.plan.MigrationPlan;

/**
 * Merges the primary's and the secondary's topology into the one Memgrate serves, under the migration plan.
 * Pure and deterministic, so every replica serves the same answer for the same upstream state and plan.
 */
public final class TopologyMerger {

    private TopologyMerger() {
    }

    /**
     * The primary's nodes the plan does not withdraw, in upstream order, then the secondary's nodes it admits, without
     * exact duplicates (same host and port). The version is the sum of both versions, {@code versionOffset} and the
     * plan's revision: it rises whenever either side's version or the plan's revision rises.
     *
     * @param secondary null when no secondary is configured
     * @throws VersionOverflowException when the sum does not fit a signed 32-bit integer
     * @throws NothingToServeException when the plan leaves no node
     */
    public static Topology merge(Topology primary, Topology secondary, MigrationPlan plan, long versionOffset) {
        long version = primary.version() + versionOffset + plan.revision() + (secondary == null ? 0 : secondary.version());
        if (version < 0 || version > Topology.MAX_VERSION) {
            throw new VersionOverflowException(version);
        }
        List<Node> nodes = new ArrayList<>();
        Set<HostAndPort> added = new HashSet<>();
        add(nodes, added, Side.PRIMARY, primary, plan);
        if (secondary != null) {
            add(nodes, added, Side.SECONDARY, secondary, plan);
        }
        if (nodes.isEmpty()) {
            throw new NothingToServeException(plan.revision());
        }
        return new Topology(version, nodes);
    }

    /** @param added the host and port of each node in {@code nodes}, which names it ({@link Node#sameNodeAs}) */
    private static void add(List<Node> nodes, Set<HostAndPort> added, Side side, Topology topology, MigrationPlan plan) {
        for (Node candidate : topology.nodes()) {
            if (plan.serves(side, candidate) && added.add(candidate.hostAndPort())) {
                nodes.add(candidate);
            }
        }
    }

    /** The merged version left the range clients accept. */
    public static final class VersionOverflowException extends RuntimeException {
        public VersionOverflowException(long version) {
            super("merged version " + version + " is outside 0.." + Topology.MAX_VERSION
                    + "; lower memgrate.version-offset");
        }
    }

    /** The plan withdraws every primary node the upstream lists and admits no secondary node it lists. */
    public static final class NothingToServeException extends RuntimeException {
        public NothingToServeException(long revision) {
            super("plan revision " + revision + " leaves no node to serve: admit a node of the secondary or withdraw"
                    + " fewer of the primary");
        }
    }
}
