package io.memgrate.autopilot;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.memgrate.cluster.HostAndPort;
import io.memgrate.plan.MigrationPlan;
import io.memgrate.status.AutopilotReport;

/**
 * What the autopilot remembers between two decisions. Across restarts only {@code written} and {@code pausedBecause}
 * survive, as notes in the plan it wrote ({@link PlanNotes}); the rest is observed again.
 *
 * @param written          the last plan it wrote, null when none (or the plan in force is a person's)
 * @param pausedBecause    why it paused, null unless paused
 * @param pausedAt         the plan revision in force or written when it paused: a person's higher one resumes it
 * @param revisionSeen     the plan revision in force at the last decision, -1 before the first
 * @param revisionSeenAt   when that revision was first seen in force: a plan refused after it blocks every step
 * @param safeSince        since when the next-step verdict has said safe without a break, null while it does not
 * @param lastStepAt       when it last wrote a step, null before the first
 * @param watch            the step watched until it is accepted or undone, null when none
 * @param unreachableSince since when each served node unreachable now has been seen so
 * @param history          the steps it took, oldest first
 */
record AutopilotMemory(MigrationPlan written, String pausedBecause, long pausedAt, long revisionSeen,
        Instant revisionSeenAt, Instant safeSince, Instant lastStepAt, Watch watch,
        Map<HostAndPort, Instant> unreachableSince, List<AutopilotReport.Step> history) {

    AutopilotMemory {
        unreachableSince = Map.copyOf(unreachableSince);
        history = List.copyOf(history);
    }

    /** At start: what the plan in force says the autopilot wrote, if it wrote it. */
    static AutopilotMemory recovered(MigrationPlan written, String pausedBecause) {
        return new AutopilotMemory(written, pausedBecause, written == null ? -1 : written.revision(), -1, null, null, null,
                null, Map.of(), List.of());
    }

    /**
     * A step taken and not yet accepted.
     *
     * @param before         the plan in force before it, written back (at a higher revision) to undo it
     * @param after          the plan it wrote
     * @param predictedShare the share of keys it moves for the declared scheme
     * @param hitRatioBefore the served hit ratio when it was written; null when the served nodes had no gets
     * @param appliedAt      when Memgrate was first seen serving it, null until then
     * @param historyIndex   its entry in the history
     */
    record Watch(String action, String host, MigrationPlan before, MigrationPlan after, double predictedShare,
            Double hitRatioBefore, Instant appliedAt, int historyIndex) {
    }

    boolean paused() {
        return pausedBecause != null;
    }

    AutopilotMemory withPause(String reason, long revision) {
        return new AutopilotMemory(written, reason, revision, revisionSeen, revisionSeenAt, null, lastStepAt, null,
                unreachableSince, history);
    }

    /** The history with entry {@code index} replaced by {@code step}. */
    List<AutopilotReport.Step> historyWith(int index, AutopilotReport.Step step) {
        List<AutopilotReport.Step> steps = new ArrayList<>(history);
        steps.set(index, step);
        return steps;
    }
}
