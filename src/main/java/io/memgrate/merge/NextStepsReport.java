package io.memgrate.merge;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import io.memgrate.movement.HashScheme;

/**
 * The next steps worked out last, and the state they were worked out for.
 *
 * @param steps         each single step possible from the served list then; empty before the first is worked out
 * @param servedVersion the served version they start from; null before the first is worked out
 * @param planRevision  the revision of the plan applied then; null for none (the union) or before the first
 * @param current       they are for what is served now, the plan and both upstreams' last good topologies; false
 *                      while they are worked out again after a change
 */
public record NextStepsReport(List<NextStep> steps, Long servedVersion, Long planRevision, boolean current) {

    /**
     * The step to take next in the migration order, for clients hashing with {@code scheme}: while a secondary host waits,
     * the admission that moves the fewest keys; then the withdrawal that moves the fewest. Of steps moving the same
     * share, the first listed. Empty when no step remains.
     */
    public Optional<NextStep> gentlest(HashScheme scheme) {
        Comparator<NextStep> fewestKeys = Comparator.comparingDouble(step -> step.keysMoved().fractions().get(scheme));
        Optional<NextStep> admit = steps.stream().filter(step -> step.action().equals("admit")).min(fewestKeys);
        return admit.isPresent() ? admit : steps.stream().filter(step -> step.action().equals("withdraw")).min(fewestKeys);
    }
}
