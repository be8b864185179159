package io.memgrate.merge;

import java.util.List;

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
}
