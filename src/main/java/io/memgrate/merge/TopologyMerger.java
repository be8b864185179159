package io.memgrate.merge;

import java.util.ArrayList;
import java.util.List;

import io.memgrate.cluster.Node;
import io.memgrate.cluster.Topology;

/**
 * Merges the primary's and the secondary's topology into the one Memgrate serves.
 * Pure and deterministic, so every replica serves the same answer for the same upstream state.
 */
public final class TopologyMerger {

    private TopologyMerger() {
    }

    /**
     * The primary's nodes in upstream order, then the secondary's, without exact duplicates (same host and port).
     * The version is the sum of both versions plus {@code versionOffset}: it rises whenever either side's rises.
     *
     * @param secondary null when no secondary is configured
     * @throws VersionOverflowException when the sum does not fit a signed 32-bit integer
     */
    public static Topology merge(Topology primary, Topology secondary, long versionOffset) {
        long version = primary.version() + versionOffset + (secondary == null ? 0 : secondary.version());
        if (version < 0 || version > Topology.MAX_VERSION) {
            throw new VersionOverflowException(version);
        }
        List<Node> nodes = new ArrayList<>(primary.nodes());
        if (secondary != null) {
            for (Node candidate : secondary.nodes()) {
                if (nodes.stream().noneMatch(candidate::sameNodeAs)) {
                    nodes.add(candidate);
                }
            }
        }
        return new Topology(version, nodes);
    }

    /** The merged version left the range clients accept. */
    public static final class VersionOverflowException extends RuntimeException {
        public VersionOverflowException(long version) {
            super("merged version " + version + " is outside 0.." + Topology.MAX_VERSION
                    + "; lower memgrate.version-offset");
        }
    }
}
