package io.memgrate.merge;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jboss.logging.Logger.Level;
import org.junit.jupiter.api.Test;

import io.memgrate.cluster.Node;
import io.memgrate.cluster.Side;
import io.memgrate.cluster.Topology;
import io.memgrate.merge.MergePolicy.Decision;
import io.memgrate.merge.MergePolicy.LogLine;
import io.memgrate.merge.MergePolicy.Refusal;
import io.memgrate.plan.MigrationPlan;

/** The merge policy by itself: a state and one event in, the decision out; no engine, no logger, no clock. */
class MergePolicyTest {

    private static final long OFFSET = 1000;
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant T1 = Instant.parse("2026-01-01T00:01:00Z");
    private static final Node P1 = new Node("p1.example", "10.0.0.1", 11211);
    private static final Node P2 = new Node("p2.example", "10.0.0.2", 11211);
    private static final Node S1 = new Node("s1.example", "10.1.0.1", 11211);
    /** A node of a primary cluster replaced under the same endpoint. */
    private static final Node R1 = new Node("r1.example", "10.0.9.1", 11211);

    private final MergePolicy policy = new MergePolicy(OFFSET);

    private static final MergeState EXPECTING_BOTH = MergeState.EMPTY
            .withUpstream(Side.PRIMARY, UpstreamState.waiting(Side.PRIMARY, "primary.cfg:11211"))
            .withUpstream(Side.SECONDARY, UpstreamState.waiting(Side.SECONDARY, "secondary.cfg:11211"));

    private static Topology topology(long version, Node... nodes) {
        return new Topology(version, List.of(nodes));
    }

    private static MigrationPlan plan(long revision, Set<String> admit, Set<String> withdraw) {
        return new MigrationPlan(revision, false, admit, withdraw);
    }

    /** Both upstreams answered at T0: primary 7 [P1 P2], secondary 3 [S1], served at 1010. */
    private MergeState serving() {
        MergeState primaryAnswered = policy.answered(EXPECTING_BOTH, Side.PRIMARY, topology(7, P1, P2), "1.6.22", T0).state();
        return policy.answered(primaryAnswered, Side.SECONDARY, topology(3, S1), "1.6.6", T0).state();
    }

    private Decision primaryAnswers(MergeState state, Topology topology) {
        return policy.answered(state, Side.PRIMARY, topology, "1.6.22", T1);
    }

    @Test
    void anAnswerWhileAnotherUpstreamWaitsServesNothing() {
        Decision decision = policy.answered(EXPECTING_BOTH, Side.PRIMARY, topology(7, P1, P2), "1.6.22", T0);

        assertThat(decision.serve()).isNull();
        assertThat(decision.logs()).isEmpty();
        assertThat(decision.nextSteps()).as("nothing served, no next steps").isNull();
        assertThat(decision.state().served()).isNull();
        assertThat(decision.state().engineVersion()).isEqualTo("1.6.22");
        assertThat(decision.state().upstream(Side.PRIMARY).lastGood()).isEqualTo(topology(7, P1, P2));
    }

    @Test
    void theFirstMergeOfBothIsServedAndLoggedWithEveryNodeServedSinceNow() {
        MergeState primaryAnswered = primaryAnswers(EXPECTING_BOTH, topology(7, P1, P2)).state();

        Decision decision = policy.answered(primaryAnswered, Side.SECONDARY, topology(3, S1), "1.6.6", T0);

        Topology merged = topology(7 + 3 + OFFSET, P1, P2, S1);
        assertThat(decision.serve()).isEqualTo(merged);
        assertThat(decision.changedFrom()).as("nothing served before, no change to announce").isNull();
        assertThat(decision.logs()).containsExactly(new LogLine(Level.INFO, "Serving configuration version 1010 with 3 "
                + "nodes: [p1.example|10.0.0.1|11211, p2.example|10.0.0.2|11211, s1.example|10.1.0.1|11211]"));
        assertThat(decision.state().served()).isEqualTo(merged);
        assertThat(decision.state().servedSince()).isEqualTo(
                Map.of(P1.hostAndPort(), T0, P2.hostAndPort(), T0, S1.hostAndPort(), T0));
        assertThat(decision.state().lastStep()).as("the first list served is no step").isNull();
        assertThat(decision.nextSteps()).isEqualTo(
                new NextStepsWorker.Inputs(merged, null, topology(7, P1, P2), topology(3, S1)));
    }

    @Test
    void aRisingVersionServesTheNewListAndAnnouncesTheChangeFromTheOldOne() {
        MergeState serving = serving();

        Decision decision = policy.answered(serving, Side.SECONDARY, topology(5, S1, R1), "1.6.6", T1);

        assertThat(decision.serve()).isEqualTo(topology(7 + 5 + OFFSET, P1, P2, S1, R1));
        assertThat(decision.changedFrom()).isEqualTo(serving.served());
        assertThat(decision.logs()).as("the change is logged once its keys moved are worked out, off the lock").isEmpty();
        assertThat(decision.state().servedSince()).as("nodes served before keep their time").isEqualTo(Map.of(
                P1.hostAndPort(), T0, P2.hostAndPort(), T0, S1.hostAndPort(), T0, R1.hostAndPort(), T1));
        assertThat(decision.state().lastStep()).isEqualTo(T1);
    }

    @Test
    void anUnchangedAnswerServesNothingNewAndLogsNothing() {
        MergeState serving = serving();

        Decision decision = primaryAnswers(serving, topology(7, P1, P2));

        assertThat(decision.serve()).isNull();
        assertThat(decision.logs()).isEmpty();
        assertThat(decision.state().served()).isSameAs(serving.served());
        assertThat(decision.state().held()).isNull();
    }

    @Test
    void oneEventInOneStateAlwaysGetsTheSameDecision() {
        MergeState serving = serving();

        assertThat(primaryAnswers(serving, topology(5, R1))).isEqualTo(primaryAnswers(serving, topology(5, R1)));
    }

    @Test
    void aNewNodeListWhoseVersionWouldNotRiseIsHeldAndLoggedOnce() {
        MergeState serving = serving();

        Decision held = primaryAnswers(serving, topology(5, R1));

        String reason = "primary upstream primary.cfg:11211 went down from version 7 to 5 (was the cluster replaced?), "
                + "so the merged version 1008 is not higher than version 1010 already served, which clients holding it "
                + "would ignore. Fix: raise memgrate.version-offset to at least 1003 on every Memgrate replica, then "
                + "restart them one by one.";
        assertThat(held.serve()).isNull();
        assertThat(held.state().served()).isEqualTo(serving.served());
        assertThat(held.state().held()).isEqualTo(new HeldMerge(topology(1008, R1, S1), reason));
        assertThat(held.logs()).containsExactly(new LogLine(Level.ERROR, "Holding back a new node list (nodes added "
                + "[r1.example|10.0.9.1|11211], removed [p1.example|10.0.0.1|11211, p2.example|10.0.0.2|11211]); still "
                + "serving version 1010 unchanged: " + reason));

        Decision again = primaryAnswers(held.state(), topology(5, R1));

        assertThat(again.logs()).as("the same held state is logged once").isEmpty();
        assertThat(again.state().held()).isEqualTo(held.state().held());
    }

    @Test
    void anUpstreamChangeWithoutARiseIsHeldToo() {
        Decision decision = primaryAnswers(serving(), topology(7, R1));

        assertThat(decision.serve()).isNull();
        assertThat(decision.state().held().reason()).isEqualTo("primary upstream primary.cfg:11211 lists other nodes at "
                + "the same version 7 (was the cluster replaced?), so the merged version 1010 is not higher than version "
                + "1010 already served, which clients holding it would ignore. Fix: raise memgrate.version-offset to at "
                + "least 1001 on every Memgrate replica, then restart them one by one.");
    }

    @Test
    void aLowerVersionWithTheSameNodesHoldsNothingAndWarnsOnce() {
        MergeState serving = serving();

        Decision decision = policy.answered(serving, Side.SECONDARY, topology(2, S1), "1.6.6", T1);

        assertThat(decision.serve()).isNull();
        assertThat(decision.state().held()).isNull();
        assertThat(decision.logs()).containsExactly(new LogLine(Level.WARN, "Still serving version 1010 unchanged: "
                + "secondary upstream secondary.cfg:11211 went down from version 3 to 2 (was the cluster replaced?), so "
                + "the merged version fell to 1009. The node list is the same, so clients miss nothing now, but a node "
                + "list change will be held back until the merged version exceeds 1010. Fix: raise "
                + "memgrate.version-offset to at least 1002 on every Memgrate replica, then restart them one by one."));
        assertThat(policy.answered(decision.state(), Side.SECONDARY, topology(2, S1), "1.6.6", T1).logs()).isEmpty();
    }

    @Test
    void aHoldEndsWhenTheMergedVersionRisesAboveTheServedOne() {
        MergeState serving = serving();
        MergeState holding = primaryAnswers(serving, topology(5, R1)).state();

        Decision decision = primaryAnswers(holding, topology(8, R1));

        assertThat(decision.serve()).isEqualTo(topology(1011, R1, S1));
        assertThat(decision.changedFrom()).isEqualTo(serving.served());
        assertThat(decision.state().held()).isNull();
        assertThat(decision.logs()).containsExactly(new LogLine(Level.INFO,
                "Hold ended: the merged version 1011 is higher than version 1010 served so far, so clients take it"));
    }

    @Test
    void aHoldEndsWhenTheUpstreamsListTheServedNodesAgain() {
        MergeState serving = serving();
        MergeState holding = primaryAnswers(serving, topology(5, R1)).state();

        Decision decision = primaryAnswers(holding, topology(7, P1, P2));

        assertThat(decision.serve()).isNull();
        assertThat(decision.state().held()).isNull();
        assertThat(decision.logs()).containsExactly(new LogLine(Level.INFO,
                "Hold ended: the upstreams list the served nodes again; still serving version 1010"));
    }

    @Test
    void atTheHighestVersionClientsAcceptAMergeAboveIsKeptOutOnceAndAHoldSaysNoOffsetCanFixIt() {
        MergePolicy highest = new MergePolicy(Topology.MAX_VERSION - 10);
        MergeState primaryAnswered = highest.answered(EXPECTING_BOTH, Side.PRIMARY, topology(7, P1, P2), "1.6.22", T0).state();
        MergeState serving = highest.answered(primaryAnswered, Side.SECONDARY, topology(3, S1), "1.6.6", T0).state();
        assertThat(serving.served().version()).isEqualTo(Topology.MAX_VERSION);

        Decision overflow = highest.answered(serving, Side.PRIMARY, topology(8, P1, P2), "1.6.22", T1);

        assertThat(overflow.serve()).isNull();
        assertThat(overflow.logs()).containsExactly(new LogLine(Level.ERROR, "Keeping the served configuration: merged "
                + "version 2147483648 is outside 0..2147483647; lower memgrate.version-offset"));
        assertThat(highest.answered(overflow.state(), Side.PRIMARY, topology(8, P1, P2), "1.6.22", T1).logs())
                .as("the same failure is logged once").isEmpty();

        Decision held = highest.answered(serving, Side.PRIMARY, topology(5, R1), "1.6.22", T1);

        assertThat(held.state().held().reason()).endsWith("No memgrate.version-offset can fix this, as clients accept no "
                + "version above 2147483647. Fix: lower memgrate.version-offset on every Memgrate replica, restart them, "
                + "then restart every client so it forgets the version it holds.");
    }

    @Test
    void aFailedPollKeepsTheLastGoodTopologyAndDecidesNothingElse() {
        MergeState serving = serving();

        Decision decision = policy.failed(serving, Side.SECONDARY, "connection refused", T1);

        assertThat(decision.serve()).isNull();
        assertThat(decision.logs()).isEmpty();
        assertThat(decision.nextSteps()).isNull();
        assertThat(decision.state().served()).isSameAs(serving.served());
        UpstreamState secondary = decision.state().upstream(Side.SECONDARY);
        assertThat(secondary.lastGood()).isEqualTo(topology(3, S1));
        assertThat(secondary.lastError()).isEqualTo("connection refused");
        assertThat(secondary.lastErrorAt()).isEqualTo(T1);
    }

    @Test
    void anAppliedPlanIsLoggedAndTheMergeUnderItServedAtAHigherVersion() {
        MergeState serving = serving();
        MigrationPlan withdrawP1 = plan(1, Set.of("s1.example"), Set.of("p1.example"));

        Decision decision = policy.applyPlan(serving, withdrawP1, T1);

        assertThat(decision.refusal()).isNull();
        assertThat(decision.logs()).containsExactly(
                new LogLine(Level.INFO, "Applying migration plan revision 1: admit [s1.example], withdraw [p1.example]"));
        assertThat(decision.serve()).isEqualTo(topology(7 + 3 + 1 + OFFSET, P2, S1));
        assertThat(decision.changedFrom()).isEqualTo(serving.served());
        assertThat(decision.state().plan()).isEqualTo(withdrawP1);
        assertThat(decision.nextSteps().plan()).isEqualTo(withdrawP1);

        Decision again = policy.applyPlan(decision.state(), withdrawP1, T1);

        assertThat(again.state()).as("the plan applied now, again: nothing to decide").isSameAs(decision.state());
        assertThat(again.logs()).isEmpty();
        assertThat(again.nextSteps()).isNull();
    }

    @Test
    void aPlanIsRefusedWholeAndTheStateBeforeStays() {
        MergeState serving = serving();
        MergeState planned = policy.applyPlan(serving, plan(4, Set.of(), Set.of()), T0).state();

        assertRefused(planned, plan(4, Set.of("s1.example"), Set.of()), new Refusal("revision",
                "revision 4 does not rise above 4, the revision applied now: raise it with every change of the plan"));
        assertRefused(serving, plan(1, Set.of("s9.example"), Set.of()), new Refusal("unknown-host",
                "no upstream lists s9.example: name hosts as config get cluster lists them"));
        assertRefused(serving, plan(1, Set.of(), Set.of("p1.example", "p2.example")), new Refusal("nothing-served",
                "plan revision 1 leaves no node to serve: admit a node of the secondary or withdraw fewer of the primary"));
        assertRefused(serving, plan(Topology.MAX_VERSION, Set.of(), Set.of()), new Refusal("version",
                "merged version 2147484657 is outside 0..2147483647; lower memgrate.version-offset"));
    }

    private void assertRefused(MergeState state, MigrationPlan plan, Refusal expected) {
        Decision decision = policy.applyPlan(state, plan, T1);

        assertThat(decision.refusal()).isEqualTo(expected);
        assertThat(decision.state()).isSameAs(state);
        assertThat(decision.serve()).isNull();
        assertThat(decision.logs()).isEmpty();
        assertThat(decision.nextSteps()).isNull();
    }

    @Test
    void aPlanBeforeTheFirstAnswersIsAppliedUncheckedAndItsUnknownHostsWarnedOfAtTheFirstMerge() {
        Decision applied = policy.applyPlan(EXPECTING_BOTH, plan(1, Set.of("s9.example"), Set.of()), T0);

        assertThat(applied.refusal()).as("no upstream to check it against yet").isNull();
        assertThat(applied.serve()).isNull();
        MergeState primaryAnswered = primaryAnswers(applied.state(), topology(7, P1, P2)).state();

        Decision first = policy.answered(primaryAnswered, Side.SECONDARY, topology(3, S1), "1.6.6", T1);

        assertThat(first.serve()).as("the secondary's node is not admitted").isEqualTo(topology(1011, P1, P2));
        assertThat(first.logs()).extracting(LogLine::level).containsExactly(Level.INFO, Level.WARN);
        assertThat(first.logs().get(1).text()).isEqualTo("Migration plan revision 1 names s9.example, which no upstream "
                + "lists: they admit or withdraw nothing. Name hosts as config get cluster lists them, in a plan with a "
                + "higher revision.");
    }
}
