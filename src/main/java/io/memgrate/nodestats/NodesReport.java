package io.memgrate.nodestats;

import java.time.Duration;
import java.util.List;

import io.memgrate.cluster.HostAndPort;
import io.memgrate.cluster.Side;

/**
 * Every node of both clusters with what Memgrate read from it, whether each admitted node is warm, and whether the
 * next migration step looks safe. Only the autopilot, when enabled, takes a step on it.
 *
 * @param statsInterval how often nodes are read; zero when node statistics are off
 * @param primary       the primary's nodes, in its order
 * @param secondary     the secondary's nodes, in its order
 */
public record NodesReport(Duration statsInterval, List<NodeReport> primary, List<NodeReport> secondary,
        StepVerdict nextStep) {

    /** How the served list treats a node. */
    public enum Admission {
        /** Clients are served it. */
        SERVED,
        /** A primary node the plan withdraws. */
        WITHDRAWN,
        /** A secondary node the plan does not admit (yet). */
        WAITING
    }

    /**
     * @param warm            for a node the plan admitted (a served secondary node): whether it is warm; null for others
     * @param notWarmBecause  why it is not warm, null when it is or when {@code warm} is null
     */
    public record NodeReport(Side side, HostAndPort node, Admission admission, NodeReading reading, Boolean warm,
            String notWarmBecause) {
    }

    /**
     * @param reasons                      what blocks the next step; empty when it looks safe
     * @param servedHitRatio               the served nodes' hit ratio over the last interval, weighted by their gets;
     *                                     null when they had none
     * @param servedHitRatioBeforeLastStep the same at the end of the last interval before the last change of the served
     *                                     list; null before the first change or when unknown
     * @param lastAdmitted                 the secondary node admitted last, null when none is served
     */
    public record StepVerdict(boolean safe, List<String> reasons, Double servedHitRatio, Double servedHitRatioBeforeLastStep,
            HostAndPort lastAdmitted) {
    }

    /** The report of the node at {@code node} in {@code side}'s cluster, if it lists it. */
    public NodeReport node(Side side, HostAndPort node) {
        for (NodeReport report : side == Side.PRIMARY ? primary : secondary) {
            if (report.node().equals(node)) {
                return report;
            }
        }
        return null;
    }
}
