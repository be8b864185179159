package io.memgrate.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import io.memgrate.cluster.Node;
import io.memgrate.cluster.Side;
import io.memgrate.cluster.Topology;

/**
 * Which nodes of each cluster are served: the secondary's nodes that are admitted, the primary's that are withdrawn
 * (left running in their cluster, with their data, but not served). Nodes are named by host, as
 * {@code config get cluster} lists them.
 *
 * @param revision  raised by every change of the plan; part of the served version, so every step, forward or back,
 *                  raises it
 * @param admitAll  every secondary node is served, present and future
 * @param admit     the secondary's hosts served (when not {@code admitAll})
 * @param withdraw  the primary's hosts not served
 */
public record MigrationPlan(long revision, boolean admitAll, Set<String> admit, Set<String> withdraw) {

    /** Without a plan file: the union of both clusters, as Memgrate serves without migration control. */
    public static final MigrationPlan UNION = new MigrationPlan(0, true, Set.of(), Set.of());

    public MigrationPlan {
        if (revision < 0 || revision > Topology.MAX_VERSION) {
            throw new IllegalArgumentException("revision " + revision + " is outside 0.." + Topology.MAX_VERSION);
        }
        admit = Set.copyOf(new TreeSet<>(admit));
        withdraw = Set.copyOf(new TreeSet<>(withdraw));
    }

    /** Whether a node the {@code side} cluster lists is served under this plan. */
    public boolean serves(Side side, Node node) {
        return side == Side.PRIMARY ? !withdraw.contains(node.host()) : admitAll || admit.contains(node.host());
    }

    /** This plan with {@code host} admitted too, at the same revision (the operator raises it when writing the step). */
    public MigrationPlan admitting(String host) {
        Set<String> hosts = new TreeSet<>(admit);
        hosts.add(host);
        return new MigrationPlan(revision, admitAll, hosts, withdraw);
    }

    /** This plan with {@code host} withdrawn too, at the same revision. */
    public MigrationPlan withdrawing(String host) {
        Set<String> hosts = new TreeSet<>(withdraw);
        hosts.add(host);
        return new MigrationPlan(revision, admitAll, admit, hosts);
    }

    /** The hosts this plan names that neither cluster lists, sorted; a plan naming one is a typo or stale. */
    public List<String> unknownHosts(Topology primary, Topology secondary) {
        Set<String> listed = new TreeSet<>();
        primary.nodes().forEach(node -> listed.add(node.host()));
        if (secondary != null) {
            secondary.nodes().forEach(node -> listed.add(node.host()));
        }
        Set<String> named = new TreeSet<>(admit);
        named.addAll(withdraw);
        named.removeAll(listed);
        return new ArrayList<>(named);
    }
}
