package io.memgrate.status;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the autopilot is doing, as it last decided; {@link #OFF} while it is disabled.
 *
 * @param waitingFor    what keeps it from the next step now; empty unless waiting
 * @param pausedBecause why it paused, null unless paused: it goes on only after a person writes a higher revision
 * @param nextStep      the step it takes next, null when none remains or it is off
 * @param whatNext      what a person does next (complete: point clients at the new cluster; paused: how to resume)
 * @param history       the steps it took since Memgrate started, oldest first
 * @param replicas      on Kubernetes: each of Memgrate's pods and the plan revision it serves (null: none yet), as the
 *                      replica deciding last saw them; empty elsewhere
 */
public record AutopilotReport(State state, List<String> waitingFor, String pausedBecause, PlannedStep nextStep,
        String whatNext, List<Step> history, Map<String, Long> replicas) {

    public static final AutopilotReport OFF = new AutopilotReport(State.OFF, List.of(), null, null, null, List.of(),
            Map.of());

    /** The same report, with the replicas' revisions. */
    public AutopilotReport withReplicas(Map<String, Long> revisions) {
        return new AutopilotReport(state, waitingFor, pausedBecause, nextStep, whatNext, history, revisions);
    }

    public enum State {
        OFF, WAITING, PAUSED, COMPLETE;

        /** Lower case, for JSON and metrics. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** @param predictedShare the share of keys it moves for the declared client hashing, 0 to 1 */
    public record PlannedStep(String action, String host, double predictedShare) {
    }

    /**
     * One step taken.
     *
     * @param revision            the plan revision it wrote
     * @param hitRatioBefore      the served hit ratio when it wrote the step; null when the served nodes had no gets
     * @param lowestHitRatioAfter the lowest served hit ratio seen since, while the step was watched; null before one
     * @param rolledBackBecause   why it wrote the plan before the step back, null when it did not
     */
    public record Step(Instant at, String action, String host, long revision, double predictedShare, Double hitRatioBefore,
            Double lowestHitRatioAfter, String rolledBackBecause) {

        public boolean rolledBack() {
            return rolledBackBecause != null;
        }
    }
}
