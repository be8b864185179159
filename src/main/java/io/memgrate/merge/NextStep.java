package io.memgrate.merge;

/**
 * A single step an operator can take next from the served list: admit one more node of the secondary, or withdraw one
 * more of the primary, and the keys it would move.
 *
 * @param action {@code admit} or {@code withdraw}
 * @param host   the node's host, as the plan names it
 */
public record NextStep(String action, String host, KeysMoved keysMoved) {
}
