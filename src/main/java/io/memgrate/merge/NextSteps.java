package io.memgrate.merge;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.memgrate.cluster.Node;
import io.memgrate.cluster.Topology;
import io.memgrate.movement.KeyMovement;
import io.memgrate.plan.MigrationPlan;

/**
 * Each single step possible from the served list: admitting one more secondary host, or withdrawing one more primary
 * host, and the keys it would move. Pure; each node's points are digested once and each candidate is one walk over
 * them, but with hundreds of nodes that is still too much for a request or the merge engine's lock, so the view works
 * them out on a thread of their own ({@link NextStepsWorker}).
 */
public final class NextSteps {

    private NextSteps() {
    }

    /**
     * @param served    the served topology
     * @param secondary null when no secondary is configured
     * @param plan      the plan applied, null for none (the union)
     */
    public static List<NextStep> from(Topology served, Topology primary, Topology secondary, MigrationPlan plan,
            long versionOffset) {
        MigrationPlan base = plan == null ? MigrationPlan.UNION : plan;
        List<Node> listed = new ArrayList<>(primary.nodes());
        if (secondary != null) {
            listed.addAll(secondary.nodes());
        }
        KeyMovement movement = KeyMovement.from(served.nodes(), listed);
        List<NextStep> steps = new ArrayList<>();
        if (secondary != null && !base.admitAll()) {
            hosts(secondary).stream().filter(host -> !base.admit().contains(host)).forEach(host -> step("admit", host,
                    base.admitting(host), movement, primary, secondary, versionOffset).ifPresent(steps::add));
        }
        hosts(primary).stream().filter(host -> !base.withdraw().contains(host)).forEach(host -> step("withdraw", host,
                base.withdrawing(host), movement, primary, secondary, versionOffset).ifPresent(steps::add));
        return List.copyOf(steps);
    }

    private static Optional<NextStep> step(String action, String host, MigrationPlan candidate, KeyMovement fromServed,
            Topology primary, Topology secondary, long versionOffset) {
        try {
            Topology after = TopologyMerger.merge(primary, secondary, candidate, versionOffset);
            return Optional.of(new NextStep(action, host, KeysMoved.to(fromServed, after.nodes())));
        } catch (TopologyMerger.NothingToServeException | ServedVersion.OverflowException e) {
            return Optional.empty();
        }
    }

    private static List<String> hosts(Topology topology) {
        return topology.nodes().stream().map(Node::host).distinct().toList();
    }
}
