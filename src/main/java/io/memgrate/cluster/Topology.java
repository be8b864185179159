package io.memgrate.cluster;

import java.util.List;

/**
 * A cluster's topology as a configuration endpoint describes it: a version, which rises with every change, and the
 * cache nodes. Clients hash keys over the nodes in this order.
 */
public record Topology(long version, List<Node> nodes) {

    /** Several clients parse the version as a signed 32-bit integer, so nothing above this is accepted or served. */
    public static final long MAX_VERSION = Integer.MAX_VALUE;

    public Topology {
        if (version < 0 || version > MAX_VERSION) {
            throw new IllegalArgumentException("version " + version + " is outside 0.." + MAX_VERSION);
        }
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("a cluster topology needs at least one node");
        }
        nodes = List.copyOf(nodes);
    }
}
