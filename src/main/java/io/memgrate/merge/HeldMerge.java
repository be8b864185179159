package io.memgrate.merge;

import io.memgrate.cluster.Topology;

/**
 * A merge with a new node list that Memgrate does not serve: its version is not higher than one already served, so
 * clients holding that version would ignore it, and serving it would reuse a version for a different node list.
 *
 * @param merged the merge held back
 * @param reason which upstream's version went down, the versions, and the fix
 */
public record HeldMerge(Topology merged, String reason) {
}
