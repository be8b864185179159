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
     * exact duplicates (same host and port), at the {@link ServedVersion}.
     *
     * @param secondary null when no secondary is configured
     * @throws ServedVersion.OverflowException when the version does not fit the range clients accept
     * @throws NothingToServeException when the plan leaves no node
     */
    public static Topology merge(Topology primary, Topology secondary, MigrationPlan plan, long versionOffset) {
        long version = ServedVersion.of(primary, secondary, plan.revision(), versionOffset);
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

    /** The plan withdraws every primary node the upstream lists and admits no secondary node it lists. */
    public static final class NothingToServeException extends RuntimeException {
        public NothingToServeException(long revision) {
            super("plan revision " + revision + " leaves no node to serve: admit a node of the secondary or withdraw"
                    + " fewer of the primary");
        }
    }
}
