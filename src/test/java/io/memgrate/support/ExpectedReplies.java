package io.memgrate.support;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import io.memgrate.cluster.Node;
import io.memgrate.cluster.Topology;
import io.memgrate.merge.ServedVersion;
import io.memgrate.plan.MigrationPlan;

/** The replies the tests expect, spelled out by hand from the wire format rather than by Memgrate's own formatter. */
public final class ExpectedReplies {

    private ExpectedReplies() {
    }

    /** {@code <version>\n<host|ip|port> ...\n}. */
    public static String payload(long version, List<Node> nodes) {
        return version + "\n" + nodes.stream().map(n -> n.host() + "|" + n.ip() + "|" + n.port())
                .collect(Collectors.joining(" ")) + "\n";
    }

    public static String configReply(String payload) {
        return "CONFIG cluster 0 " + payload.length() + "\r\n" + payload + "\r\nEND\r\n";
    }

    public static String legacyReply(String payload) {
        return "VALUE AmazonElastiCache:cluster 0 " + payload.length() + "\r\n" + payload + "\r\nEND\r\n";
    }

    /** The merged payload of the test clusters as they are now, with no plan and no offset: primary nodes first. */
    public static String mergedPayload(TestClusters clusters) {
        Topology primary = clusters.primary().endpoint().config();
        Topology secondary = clusters.secondary().endpoint().config();
        List<Node> nodes = new ArrayList<>(primary.nodes());
        nodes.addAll(secondary.nodes());
        return payload(ServedVersion.of(primary, secondary, MigrationPlan.UNION.revision(), 0), nodes);
    }
}
