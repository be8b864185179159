package io.memgrate.merge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.memgrate.cluster.Node;
import io.memgrate.cluster.Topology;
import io.memgrate.plan.MigrationPlan;

class TopologyMergerTest {

    private static final Node P1 = new Node("p1.example", "10.0.0.1", 11211);
    private static final Node P2 = new Node("p2.example", "10.0.0.2", 11211);
    private static final Node S1 = new Node("s1.example", "10.1.0.1", 11211);
    private static final Node S2 = new Node("s2.example", "", 11211);

    private static Topology config(long version, Node... nodes) {
        return new Topology(version, List.of(nodes));
    }

    @Test
    void primaryNodesComeFirstInUpstreamOrderThenSecondaryNodes() {
        Topology merged = TopologyMerger.merge(config(3, P2, P1), config(5, S2, S1), MigrationPlan.UNION, 0);

        assertThat(merged.nodes()).containsExactly(P2, P1, S2, S1);
    }

    @Test
    void exactDuplicateIsDroppedEvenWithADifferentIp() {
        Node sameAsP1OtherIp = new Node("p1.example", "10.9.9.9", 11211);

        Topology merged = TopologyMerger.merge(config(1, P1, P2), config(1, sameAsP1OtherIp, S1), MigrationPlan.UNION, 0);

        assertThat(merged.nodes()).containsExactly(P1, P2, S1);
    }

    @Test
    void sameHostWithADifferentPortIsKept() {
        Node p1OtherPort = new Node("p1.example", "10.0.0.1", 11212);

        Topology merged = TopologyMerger.merge(config(1, P1), config(1, p1OtherPort), MigrationPlan.UNION, 0);

        assertThat(merged.nodes()).containsExactly(P1, p1OtherPort);
    }

    @Test
    void versionIsTheSumOfBothPlusTheOffset() {
        assertThat(TopologyMerger.merge(config(7, P1), config(11, S1), MigrationPlan.UNION, 100).version()).isEqualTo(118);
        assertThat(TopologyMerger.merge(config(7, P1), config(11, S1), MigrationPlan.UNION, 0).version()).isEqualTo(18);
    }

    @Test
    void withoutSecondaryThePrimaryPassesThroughPlusTheOffset() {
        Topology merged = TopologyMerger.merge(config(7, P1, P2), null, MigrationPlan.UNION, 1000);

        assertThat(merged).isEqualTo(config(1007, P1, P2));
    }

    @Test
    void versionOfExactlyMaxIsAccepted() {
        Topology merged = TopologyMerger.merge(config(Integer.MAX_VALUE - 10, P1), config(4, S1), MigrationPlan.UNION, 6);

        assertThat(merged.version()).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void versionBeyondSigned32BitOverflows() {
        assertThatThrownBy(() -> TopologyMerger.merge(config(Integer.MAX_VALUE, P1), config(1, S1), MigrationPlan.UNION, 0))
                .isInstanceOf(ServedVersion.OverflowException.class)
                .hasMessageContaining("2147483648");
    }

    @Test
    void offsetPushingAPassThroughVersionBeyondSigned32BitOverflows() {
        assertThatThrownBy(() -> TopologyMerger.merge(config(Integer.MAX_VALUE - 1, P1), null, MigrationPlan.UNION, 2))
                .isInstanceOf(ServedVersion.OverflowException.class)
                .hasMessageContaining("version-offset");
    }
}
