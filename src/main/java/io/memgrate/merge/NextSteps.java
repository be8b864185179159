package io.memgrate.merge;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.memgrate.cluster.Node;
import io.memgrate.cluster.Topology;
import io.memgrate.plan.MigrationPlan;

/**
 * Each single step possible from the served list: admitting one more secondary host, or withdrawing one more primary
 * host, and the keys it would move. Pure, and costly enough (a hash ring per scheme and candidate) to be computed
 * away from the merged view's lock and the event loop, and only for those who show it.
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
        List<NextStep> steps = new ArrayList<>();
        if (secondary != null && !base.admitAll()) {
            hosts(secondary).stream().filter(host -> !base.admit().contains(host)).forEach(host -> step("admit", host,
                    base.admitting(host), served, primary, secondary, versionOffset).ifPresent(steps::add));
        }
        hosts(primary).stream().filter(host -> !base.withdraw().contains(host)).forEach(host -> step("withdraw", host,
                base.withdrawing(host), served, primary, secondary, versionOffset).ifPresent(steps::add));
        return List.copyOf(steps);
    }

    private static Optional<NextStep> step(String action, String host, MigrationPlan candidate, Topology served,
            Topology primary, Topology secondary, long versionOffset) {
        try {
            Topology after = TopologyMerger.merge(primary, secondary, candidate, versionOffset);
            return Optional.of(new NextStep(action, host, KeysMoved.between(served.nodes(), after.nodes())));
        } catch (TopologyMerger.NothingToServeException | TopologyMerger.VersionOverflowException e) {
            return Optional.empty();
        }
    }

    private static List<String> hosts(Topology topology) {
        return topology.nodes().stream().map(Node::host).distinct().toList();
    }
}
