package io.memgrate.autopilot;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/**
 * Where the autopilot writes its plans: the plan file itself ({@link PlanFileWriter}), or on Kubernetes the plan's
 * ConfigMap, which the kubelet brings to every replica's plan file ({@link ConfigMapPlanWriter}). Either way Memgrate
 * applies a plan only from the plan file, and the autopilot decides alike.
 */
interface PlanWriter {

    /**
     * Writes {@code content} as the next plan when the plan there is still revision {@code inForce}, the one the decision
     * was made on. False when it is not (a person's edit not applied yet: it wins, and the autopilot decides again once it
     * is applied), or when the write may succeed at a later try.
     *
     * @throws IOException when the plan cannot be written without a person's help: the autopilot pauses with it
     */
    boolean write(long inForce, String content) throws IOException;

    /** Why another replica decides now; empty when this one does. */
    default Optional<String> decidedElsewhere() {
        return Optional.empty();
    }

    /** Tells the replica that decides which plan revision this one serves. */
    default void serving(long revision) {
    }

    /** Why a step on {@code revision} is not taken yet by every ready replica; empty when it is (or this is the only one). */
    default Optional<String> replicasBehind(long revision) {
        return Optional.empty();
    }

    /** The ready replicas and the plan revision each serves (null: none yet), as last seen; empty outside Kubernetes. */
    default Map<String, Long> replicas() {
        return Map.of();
    }

    /** Tells those who watch the plan about a step or a pause, beyond the log line. */
    default void announce(AutopilotDecision.Notice notice) {
    }

    /** Where plans go, for log lines. */
    String where();
}
