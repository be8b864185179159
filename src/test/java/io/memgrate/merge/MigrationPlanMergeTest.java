package io.memgrate.merge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.memgrate.cluster.Node;
import io.memgrate.cluster.Side;
import io.memgrate.cluster.Topology;
import io.memgrate.movement.HashScheme;
import io.memgrate.plan.MigrationPlan;
import io.memgrate.plan.PlanRefusedException;
import io.memgrate.support.LogLines;

/** The merged view under a migration plan: which nodes are served, refusals, and versions that always rise. */
class MigrationPlanMergeTest {

    private static final Node OLD1 = new Node("old-1.example", "10.0.0.1", 11211);
    private static final Node OLD2 = new Node("old-2.example", "10.0.0.2", 11211);
    private static final Node NEW1 = new Node("new-1.example", "10.1.0.1", 11211);
    private static final Node NEW2 = new Node("new-2.example", "10.1.0.2", 11211);
    private static final Node NEW3 = new Node("new-3.example", "10.1.0.3", 11211);

    private MergeEngine view;

    @BeforeEach
    void bothClustersAnswered() {
        view = new MergeEngine(0, Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC), Runnable::run, Runnable::run);
        view.expect(Side.PRIMARY, "old.cfg:11211");
        view.expect(Side.SECONDARY, "new.cfg:11211");
    }

    private static Topology topology(long version, Node... nodes) {
        return new Topology(version, List.of(nodes));
    }

    private static MigrationPlan plan(long revision, Set<String> admit, Set<String> withdraw) {
        return new MigrationPlan(revision, false, admit, withdraw);
    }

    private List<NextStep> nextSteps() {
        MergeEngine.Snapshot now = view.snapshot();
        return NextSteps.from(now.served(), now.upstreams().get(0).lastGood(), now.upstreams().get(1).lastGood(), now.plan(),
                view.versionOffset());
    }

    private Topology served() {
        return view.served().orElseThrow().topology();
    }

    private void answer(long oldVersion, long newVersion) {
        view.answered(Side.PRIMARY, topology(oldVersion, OLD1, OLD2), "1.6.22");
        view.answered(Side.SECONDARY, topology(newVersion, NEW1, NEW2), "1.6.22");
    }

    @Test
    void aPlanAppliedBeforeTheFirstAnswersIsTheFirstMergeServed() {
        view.applyPlan(plan(1, Set.of(), Set.of()));

        answer(7, 3);

        assertThat(served()).isEqualTo(topology(7 + 3 + 1, OLD1, OLD2));
    }

    @Test
    void admittedSecondaryNodesAreAddedAndWithdrawnPrimaryNodesLeft() {
        answer(7, 3);

        view.applyPlan(plan(1, Set.of("new-2.example"), Set.of("old-1.example")));

        assertThat(served()).isEqualTo(topology(11, OLD2, NEW2));
    }

    @Test
    void aNodeNewInTheSecondaryWaitsForAdmissionUnlessAllAreAdmitted() {
        answer(7, 3);
        view.applyPlan(plan(1, Set.of("new-1.example"), Set.of()));

        view.answered(Side.SECONDARY, topology(4, NEW1, NEW2, NEW3), "1.6.22");
        assertThat(served().nodes()).containsExactly(OLD1, OLD2, NEW1);

        view.applyPlan(new MigrationPlan(2, true, Set.of(), Set.of()));
        assertThat(served().nodes()).containsExactly(OLD1, OLD2, NEW1, NEW2, NEW3);
    }

    @Test
    void aWithdrawnNodeThatLeavesItsClusterIsSimplyGone() {
        answer(7, 3);
        view.applyPlan(plan(1, Set.of("new-1.example"), Set.of("old-1.example")));

        view.answered(Side.PRIMARY, topology(8, OLD2), "1.6.22");

        assertThat(served()).isEqualTo(topology(8 + 3 + 1, OLD2, NEW1));
    }

    @Test
    void everyStepForwardAndBackRaisesTheServedVersion() {
        answer(7, 3);
        List<Long> versions = new ArrayList<>(List.of(served().version()));
        List<MigrationPlan> steps = List.of(
                plan(1, Set.of(), Set.of()),
                plan(2, Set.of("new-1.example"), Set.of()),
                plan(3, Set.of("new-1.example", "new-2.example"), Set.of()),
                plan(4, Set.of("new-1.example", "new-2.example"), Set.of("old-1.example")),
                plan(5, Set.of("new-1.example", "new-2.example"), Set.of()),
                plan(6, Set.of("new-1.example"), Set.of()),
                plan(7, Set.of("new-1.example", "new-2.example"), Set.of("old-1.example", "old-2.example")));
        for (MigrationPlan step : steps) {
            view.applyPlan(step);
            versions.add(served().version());
        }

        assertThat(versions).isSorted().doesNotHaveDuplicates();
        assertThat(served()).isEqualTo(topology(7 + 3 + 7, NEW1, NEW2));
    }

    @Test
    void aRevisionThatDoesNotRiseIsRefusedAndThePlanBeforeStays() {
        answer(7, 3);
        view.applyPlan(plan(4, Set.of("new-1.example"), Set.of()));

        assertThatThrownBy(() -> view.applyPlan(plan(4, Set.of("new-2.example"), Set.of())))
                .isInstanceOfSatisfying(PlanRefusedException.class, e -> assertThat(e.reason()).isEqualTo("revision"))
                .hasMessage("revision 4 does not rise above 4, the revision applied now: raise it with every change of the plan");
        view.applyPlan(plan(4, Set.of("new-1.example"), Set.of()));

        assertThat(served()).isEqualTo(topology(14, OLD1, OLD2, NEW1));
    }

    @Test
    void aHostNoUpstreamListsIsRefused() {
        answer(7, 3);

        assertThatThrownBy(() -> view.applyPlan(plan(1, Set.of("new-9.example"), Set.of("old-1.exmaple"))))
                .isInstanceOfSatisfying(PlanRefusedException.class, e -> assertThat(e.reason()).isEqualTo("unknown-host"))
                .hasMessage("no upstream lists new-9.example, old-1.exmaple: name hosts as config get cluster lists them");
        assertThat(served()).isEqualTo(topology(10, OLD1, OLD2, NEW1, NEW2));
    }

    @Test
    void aPlanThatServesNoNodeIsRefused() {
        answer(7, 3);

        assertThatThrownBy(() -> view.applyPlan(plan(1, Set.of(), Set.of("old-1.example", "old-2.example"))))
                .isInstanceOfSatisfying(PlanRefusedException.class, e -> assertThat(e.reason()).isEqualTo("nothing-served"))
                .hasMessageStartingWith("plan revision 1 leaves no node to serve");
        assertThat(served()).isEqualTo(topology(10, OLD1, OLD2, NEW1, NEW2));
    }

    @Test
    void aRevisionThatPushesTheVersionOutOfRangeIsRefused() {
        answer(7, 3);

        assertThatThrownBy(() -> view.applyPlan(plan(Topology.MAX_VERSION, Set.of(), Set.of())))
                .isInstanceOfSatisfying(PlanRefusedException.class, e -> assertThat(e.reason()).isEqualTo("version"));
    }

    @Test
    void eachSingleNextStepComesWithTheKeysItWouldMoveAndTheChangeMovesThatMany() {
        answer(7, 3);
        view.applyPlan(plan(1, Set.of(), Set.of()));

        List<NextStep> steps = nextSteps();

        assertThat(steps).extracting(step -> step.action() + " " + step.host()).containsExactly(
                "admit new-1.example", "admit new-2.example", "withdraw old-1.example", "withdraw old-2.example");
        NextStep admit = steps.get(0);
        // array-mod, 2 -> 3 nodes: of the 6 residues mod 6, only 0 and 1 keep their node
        assertThat(admit.keysMoved().fractions().get(HashScheme.ARRAY_MOD_NATIVE)).isCloseTo(4 / 6.0, within(1e-9));
        // 2 -> 1 node: the keys of the node withdrawn, half of them under array-mod
        assertThat(steps.get(2).keysMoved().fractions().get(HashScheme.ARRAY_MOD_NATIVE)).isCloseTo(0.5, within(1e-9));
        assertThat(admit.keysMoved().fractions().get(HashScheme.KETAMA_AWS_JAVA)).isBetween(0.15, 0.5);

        view.applyPlan(plan(2, Set.of("new-1.example"), Set.of()));

        assertThat(view.snapshot().lastChange().keysMoved()).isEqualTo(admit.keysMoved());
        assertThat(nextSteps()).extracting(step -> step.action() + " " + step.host()).containsExactly(
                "admit new-2.example", "withdraw old-1.example", "withdraw old-2.example");
    }

    @Test
    void aPlanAppliedBeforeTheUpstreamsAnsweredIsCheckedAgainstThemAtTheFirstMerge() {
        try (LogLines log = LogLines.of(MergeEngine.class.getName())) {
            view.applyPlan(plan(1, Set.of("new-9.example"), Set.of()));

            answer(7, 3);

            assertThat(served()).isEqualTo(topology(11, OLD1, OLD2));
            assertThat(log.lines()).contains("WARN Migration plan revision 1 names new-9.example, which no upstream lists:"
                    + " they admit or withdraw nothing. Name hosts as config get cluster lists them, in a plan with a"
                    + " higher revision.");
        }
    }
}
