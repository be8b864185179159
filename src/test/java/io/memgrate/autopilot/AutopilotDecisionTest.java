package io.memgrate.autopilot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.memgrate.cluster.Node;
import io.memgrate.cluster.Side;
import io.memgrate.cluster.Topology;
import io.memgrate.control.PlanWatcher;
import io.memgrate.merge.NextStep;
import io.memgrate.merge.NextSteps;
import io.memgrate.merge.NextStepsReport;
import io.memgrate.merge.TopologyMerger;
import io.memgrate.movement.HashScheme;
import io.memgrate.nodestats.NodeReading;
import io.memgrate.nodestats.NodesReport;
import io.memgrate.plan.MigrationPlan;
import io.memgrate.settings.DailyWindow;
import io.memgrate.status.AutopilotReport;
import io.memgrate.status.AutopilotReport.State;
import io.memgrate.status.StatusSnapshot;

/**
 * The autopilot's decisions, from snapshots built by hand and a clock of the test's own: each rule in turn, with real
 * next steps and key movement worked out for a 2 + 2 migration.
 */
class AutopilotDecisionTest {

    private static final HashScheme SCHEME = HashScheme.KETAMA_AWS_JAVA;
    private static final Duration DWELL = Duration.ofMinutes(10);
    private static final Duration STATS = Duration.ofSeconds(30);
    private static final Topology OLD = new Topology(7, List.of(new Node("old-1.test", "10.0.0.1", 11211),
            new Node("old-2.test", "10.0.0.2", 11211)));
    private static final Topology NEW = new Topology(3, List.of(new Node("new-1.test", "10.0.1.1", 11211),
            new Node("new-2.test", "10.0.1.2", 11211)));

    /** The clusters, the plan in force and the node readings, as a test sets them; each decision reads a snapshot. */
    private final class World {
        Instant now = Instant.parse("2026-12-07T12:00:00Z");
        MigrationPlan plan = new MigrationPlan(1, false, Set.of(), Set.of());
        Instant servedListChangedAt;
        boolean safe = true;
        List<String> reasons = List.of();
        Double servedHitRatio = 0.9;
        PlanWatcher.Refusal refusal;
        /** Served nodes read as unreachable, by host. */
        Set<String> unreachable = Set.of();
        /** Secondary hosts not warm. */
        Set<String> notWarm = Set.of();
        AutopilotMemory memory = AutopilotMemory.recovered(null, null);
        AutopilotRules rules = new AutopilotRules(SCHEME, DWELL, null, Duration.ofHours(1), 0.05, STATS);
        final List<AutopilotDecision.PlanWrite> writes = new ArrayList<>();
        final List<String> log = new ArrayList<>();

        StatusSnapshot snapshot() {
            Topology served = TopologyMerger.merge(OLD, NEW, plan, 0);
            List<NextStep> steps = NextSteps.from(served, OLD, NEW, plan, 0);
            List<NodesReport.NodeReport> primary = new ArrayList<>();
            List<NodesReport.NodeReport> secondary = new ArrayList<>();
            for (Side side : Side.values()) {
                for (Node node : (side == Side.PRIMARY ? OLD : NEW).nodes()) {
                    boolean isServed = served.nodes().contains(node);
                    boolean down = unreachable.contains(node.host());
                    NodeReading reading = new NodeReading(!down, down ? "connection refused" : null, null, null, List.of());
                    Boolean warm = side == Side.SECONDARY && isServed ? !notWarm.contains(node.host()) : null;
                    (side == Side.PRIMARY ? primary : secondary).add(new NodesReport.NodeReport(side, node.hostAndPort(),
                            isServed ? NodesReport.Admission.SERVED : side == Side.PRIMARY ? NodesReport.Admission.WITHDRAWN
                                    : NodesReport.Admission.WAITING,
                            reading, warm, Boolean.FALSE.equals(warm) ? "hit ratio 0.000 is more than 0.050 below" : null));
                }
            }
            NodesReport nodes = new NodesReport(STATS, primary, secondary,
                    new NodesReport.StepVerdict(safe, reasons, servedHitRatio, null, null));
            List<StatusSnapshot.UpstreamStatus> upstreams = List.of(
                    new StatusSnapshot.UpstreamStatus(Side.PRIMARY, "old.cfg:11211", OLD, "1.6.22", now, Duration.ZERO, null,
                            null, 0, Duration.ZERO),
                    new StatusSnapshot.UpstreamStatus(Side.SECONDARY, "new.cfg:11211", NEW, "1.6.22", now, Duration.ZERO, null,
                            null, 0, Duration.ZERO));
            return new StatusSnapshot(now, served, null, "1.6.22", 11211, 0, false, true, Duration.ofSeconds(30), upstreams,
                    plan, Path.of("/plans/plan.yaml"), refusal, null, null,
                    new NextStepsReport(steps, served.version(), plan.revision(), true), nodes, servedListChangedAt, SCHEME,
                    AutopilotReport.OFF);
        }

        AutopilotReport decide() {
            AutopilotDecision.Decision decision = AutopilotDecision.decide(snapshot(), memory, rules);
            memory = decision.memory();
            if (decision.write() != null) {
                writes.add(decision.write());
            }
            log.addAll(decision.log());
            return decision.report();
        }

        void after(Duration duration) {
            now = now.plus(duration);
        }

        /** Memgrate applies the plan written last, as the plan watcher would: the served list changes now. */
        void applyWritten() {
            plan = writes.get(writes.size() - 1).plan();
            servedListChangedAt = now;
        }

        /** A person writes {@code plan}, and Memgrate applies it. */
        void personWrites(MigrationPlan edit) {
            plan = edit;
            servedListChangedAt = now;
        }
    }

    private World world;

    @BeforeEach
    void newWorld() {
        world = new World();
    }

    /** The admission of the secondary host that moves the fewest keys for the scheme, from the plan in force. */
    private String gentlest(String action) {
        return world.snapshot().nextSteps().steps().stream().filter(step -> step.action().equals(action))
                .min((a, b) -> Double.compare(a.keysMoved().fractions().get(SCHEME), b.keysMoved().fractions().get(SCHEME)))
                .orElseThrow().host();
    }

    @Test
    void aStepIsTakenOnlyOnceTheVerdictHasSaidSafeForTheDwell() {
        assertThat(world.decide().waitingFor()).containsExactly("dwell 0ms of 10m");
        world.after(DWELL.minusSeconds(1));
        AutopilotReport waiting = world.decide();
        assertThat(waiting.state()).isEqualTo(State.WAITING);
        assertThat(waiting.waitingFor()).containsExactly("dwell 9m59s of 10m");
        assertThat(world.writes).isEmpty();
        String first = gentlest("admit");
        assertThat(waiting.nextStep().host()).isEqualTo(first);

        world.after(Duration.ofSeconds(1));
        AutopilotReport stepped = world.decide();
        assertThat(world.writes).hasSize(1);
        AutopilotDecision.PlanWrite write = world.writes.get(0);
        assertThat(write.plan()).isEqualTo(new MigrationPlan(2, false, Set.of(first), Set.of()));
        assertThat(write.notes()).singleElement().asString().startsWith("revision 2, step 1 of 4: admitted " + first + ", ");
        assertThat(stepped.history()).singleElement().satisfies(step -> {
            assertThat(step.action()).isEqualTo("admit");
            assertThat(step.revision()).isEqualTo(2);
            assertThat(step.hitRatioBefore()).isEqualTo(0.9);
            assertThat(step.rolledBack()).isFalse();
        });
        assertThat(world.log).singleElement().asString().startsWith("Autopilot: step 1 of 4: admitted " + first);

        // written, not applied yet: no second step, whatever the time
        world.after(DWELL.multipliedBy(2));
        assertThat(world.decide().waitingFor()).containsExactly(
                "plan revision 2 is written; Memgrate applies it at its next check of the plan file");
        assertThat(world.writes).hasSize(1);
    }

    @Test
    void noStepIsTakenWhileTheServedNodesHaveNoGetsAsItsEffectCouldNotBeMeasured() {
        world.servedHitRatio = null;
        world.decide();
        world.after(DWELL.multipliedBy(2));
        assertThat(world.decide().waitingFor()).containsExactly("the served nodes had no gets in the last interval: a"
                + " step's effect on the hit ratio could not be measured");
        assertThat(world.writes).isEmpty();
    }

    @Test
    void theDwellStartsAgainWhenTheVerdictTurnsUnsafeAndAtEachChangeOfTheServedList() {
        world.decide();
        world.after(Duration.ofMinutes(5));
        world.safe = false;
        world.reasons = List.of("last admitted node new-1.test:11211 is not warm: no gets in the last interval");
        assertThat(world.decide().waitingFor()).containsExactly(
                "verdict: last admitted node new-1.test:11211 is not warm: no gets in the last interval");
        world.after(Duration.ofMinutes(1));
        world.safe = true;
        world.reasons = List.of();
        world.decide();
        world.after(Duration.ofMinutes(9));
        assertThat(world.decide().waitingFor()).containsExactly("dwell 9m of 10m");
        world.after(Duration.ofMinutes(1));
        world.decide();
        assertThat(world.writes).hasSize(1);

        world.applyWritten();
        world.after(Duration.ofSeconds(1));
        assertThat(world.decide().waitingFor()).containsExactly("dwell 0ms of 10m");
        world.after(DWELL);
        world.decide();
        assertThat(world.writes).hasSize(2);
        assertThat(world.writes.get(1).plan().revision()).isEqualTo(3);
    }

    @Test
    void aWindowThatWrapsMidnightLetsStepsBeTakenOnlyInsideIt() {
        world.rules = new AutopilotRules(SCHEME, DWELL, DailyWindow.parse("22:00-02:00"), Duration.ofHours(1), 0.05, STATS);
        world.decide();
        world.after(Duration.ofHours(1));
        assertThat(world.decide().waitingFor()).containsExactly("outside window 22:00-02:00 (UTC)");
        world.now = Instant.parse("2026-12-07T21:59:59Z");
        world.decide();
        assertThat(world.writes).isEmpty();
        world.now = Instant.parse("2026-12-08T01:30:00Z");
        world.decide();
        assertThat(world.writes).hasSize(1);
        world.applyWritten();
        world.now = Instant.parse("2026-12-08T02:30:00Z");
        assertThat(world.decide().waitingFor()).contains("outside window 22:00-02:00 (UTC)");
        assertThat(world.writes).hasSize(1);
    }

    @Test
    void theWholeMigrationGoesGentlestFirstAndEndsComplete() {
        List<String> order = new ArrayList<>();
        for (int step = 0; step < 4; step++) {
            world.decide();
            String expected = world.snapshot().gentlestNextStep().orElseThrow().host();
            world.after(DWELL);
            world.decide();
            assertThat(world.writes).hasSize(step + 1);
            AutopilotDecision.PlanWrite write = world.writes.get(step);
            assertThat(write.plan().revision()).isEqualTo(2 + step);
            order.add(write.action() + " " + expected);
            world.applyWritten();
        }
        assertThat(order).extracting(step -> step.split(" ")[0]).containsExactly("admit", "admit", "withdraw", "withdraw");
        assertThat(order.get(0)).isEqualTo("admit " + new World().snapshot().gentlestNextStep().orElseThrow().host());
        assertThat(world.plan.admit()).containsExactlyInAnyOrder("new-1.test", "new-2.test");
        assertThat(world.plan.withdraw()).containsExactlyInAnyOrder("old-1.test", "old-2.test");

        // the last step is watched for the dwell too, then the autopilot says what to do next
        world.after(Duration.ofSeconds(1));
        assertThat(world.decide().state()).isEqualTo(State.WAITING);
        world.after(DWELL);
        AutopilotReport complete = world.decide();
        assertThat(complete.state()).isEqualTo(State.COMPLETE);
        assertThat(complete.whatNext()).startsWith("point the clients at the new cluster's configuration endpoint (new.cfg:11211)");
        assertThat(complete.history()).hasSize(4);
        assertThat(world.writes).hasSize(4);
    }

    @Test
    void aStepThatHurtsMoreThanPredictedIsRolledBackAndThenItPausesUntilAPersonWritesAHigherRevision() {
        world.decide();
        world.after(DWELL);
        world.decide();
        MigrationPlan before = world.plan;
        world.applyWritten();
        double predicted = world.memory.watch().predictedShare();
        // allowed: predicted * 0.9 + 0.05 below 0.9
        world.servedHitRatio = 0.9 - (predicted * 0.9 + 0.05) + 0.001;
        world.after(Duration.ofSeconds(30));
        assertThat(world.decide().state()).isEqualTo(State.WAITING);
        world.servedHitRatio = 0.9 - (predicted * 0.9 + 0.05) - 0.001;
        world.after(Duration.ofSeconds(30));
        AutopilotReport paused = world.decide();

        assertThat(paused.state()).isEqualTo(State.PAUSED);
        assertThat(paused.pausedBecause()).startsWith("rolled back admit ").contains("fell more than");
        assertThat(world.writes).hasSize(2);
        AutopilotDecision.PlanWrite rollback = world.writes.get(1);
        assertThat(rollback.outcome()).isEqualTo(AutopilotDecision.ROLLED_BACK);
        assertThat(rollback.plan()).isEqualTo(new MigrationPlan(3, false, before.admit(), before.withdraw()));
        assertThat(rollback.notes()).anySatisfy(note -> assertThat(note).startsWith("paused: rolled back admit"));
        assertThat(paused.history()).singleElement().satisfies(step -> {
            assertThat(step.rolledBack()).isTrue();
            assertThat(step.lowestHitRatioAfter()).isEqualTo(world.servedHitRatio);
        });
        assertThat(world.log).last().asString().startsWith("Autopilot: rolled back admit ")
                .endsWith("Write a plan with a revision above 3 to resume.");

        // applied and recovered: still paused, whatever the verdict says
        world.applyWritten();
        world.servedHitRatio = 0.9;
        world.after(DWELL.multipliedBy(3));
        assertThat(world.decide().state()).isEqualTo(State.PAUSED);
        world.after(DWELL);
        assertThat(world.decide().state()).isEqualTo(State.PAUSED);
        assertThat(world.writes).hasSize(2);

        // a person's higher revision resumes it, from that plan, once the verdict has said safe for the dwell since
        world.plan = new MigrationPlan(4, false, Set.of(), Set.of());
        assertThat(world.decide().state()).isEqualTo(State.WAITING);
        assertThat(world.writes).hasSize(2);
        assertThat(world.log).last().asString().isEqualTo("Autopilot: resuming from plan revision 4, written by a person");
        world.after(DWELL);
        world.decide();
        assertThat(world.writes).hasSize(3);
        assertThat(world.writes.get(2).plan().revision()).isEqualTo(5);
    }

    @Test
    void aNodeNotWarmWithinMaxWarmupIsRolledBack() {
        world.decide();
        world.after(DWELL);
        world.decide();
        world.applyWritten();
        String admitted = world.writes.get(0).plan().admit().iterator().next();
        world.notWarm = Set.of(admitted);
        world.safe = false;
        world.after(Duration.ofHours(1));
        assertThat(world.decide().state()).isEqualTo(State.WAITING);
        world.after(Duration.ofSeconds(1));
        AutopilotReport paused = world.decide();
        assertThat(paused.state()).isEqualTo(State.PAUSED);
        assertThat(paused.pausedBecause()).isEqualTo("rolled back admit " + admitted + ": " + admitted
                + " is not warm 1h after it was admitted (hit ratio 0.000 is more than 0.050 below)");
        assertThat(world.writes.get(1).plan().admit()).isEmpty();
    }

    @Test
    void aServedNodeUnreachableForMoreThanThreeStatsIntervalsUndoesTheStep() {
        world.decide();
        world.after(DWELL);
        world.decide();
        world.applyWritten();
        world.safe = false;
        world.unreachable = Set.of("old-2.test");
        world.decide();
        world.after(STATS.multipliedBy(3));
        assertThat(world.decide().state()).isEqualTo(State.WAITING);
        world.after(Duration.ofSeconds(1));
        AutopilotReport paused = world.decide();
        assertThat(paused.pausedBecause()).endsWith("served node old-2.test:11211 has been unreachable for 1m31s, more than"
                + " 3 stats intervals");
    }

    @Test
    void aRefusedPlanPausesItUntilAPersonWritesAHigherRevision() {
        world.decide();
        world.after(DWELL);
        world.refusal = new PlanWatcher.Refusal("unknown-host", "no upstream lists new-9.test", world.now);
        AutopilotReport paused = world.decide();
        assertThat(paused.state()).isEqualTo(State.PAUSED);
        assertThat(paused.pausedBecause()).isEqualTo("a plan was refused since the last step (no upstream lists new-9.test)");
        assertThat(paused.whatNext()).isEqualTo("write the plan with a revision above 1 to resume: it goes on from that plan");
        assertThat(world.writes).isEmpty();

        world.refusal = null;
        world.personWrites(new MigrationPlan(2, false, Set.of(), Set.of()));
        world.decide();
        world.after(DWELL);
        world.decide();
        assertThat(world.writes).singleElement().extracting(write -> write.plan().revision()).isEqualTo(3L);
    }

    @Test
    void aPersonsEditIsFollowedAsItIsAndTheNextStepGoesOnFromIt() {
        world.decide();
        world.after(Duration.ofMinutes(3));
        world.personWrites(new MigrationPlan(5, false, Set.of("new-2.test"), Set.of()));
        AutopilotReport waiting = world.decide();
        assertThat(world.log).containsExactly("Autopilot: following plan revision 5, written by a person, as it is");
        assertThat(waiting.nextStep()).extracting(AutopilotReport.PlannedStep::action, AutopilotReport.PlannedStep::host)
                .containsExactly("admit", "new-1.test");
        world.after(DWELL.minusSeconds(1));
        world.decide();
        assertThat(world.writes).isEmpty();
        world.after(Duration.ofSeconds(1));
        world.decide();
        assertThat(world.writes).singleElement().extracting(AutopilotDecision.PlanWrite::plan)
                .isEqualTo(new MigrationPlan(6, false, Set.of("new-1.test", "new-2.test"), Set.of()));
    }

    @Test
    void aRestartGoesOnFromThePlanInForceAsItsNotesSay() {
        MigrationPlan written = new MigrationPlan(3, false, Set.of("new-1.test"), Set.of());
        String ours = PlanNotes.render(written, List.of("revision 3: rolled back admit new-2.test (the plan before it)",
                "paused: rolled back admit new-2.test: it hurt"));
        assertThat(ours).isEqualTo("""
                # memgrate-autopilot: revision 3: rolled back admit new-2.test (the plan before it)
                # memgrate-autopilot: paused: rolled back admit new-2.test: it hurt
                revision: 3
                admit: [new-1.test]
                withdraw: []
                """);
        AutopilotMemory recovered = Autopilot.recovered(ours);
        assertThat(recovered.written()).isEqualTo(written);
        assertThat(recovered.pausedBecause()).isEqualTo("rolled back admit new-2.test: it hurt");

        world.memory = recovered;
        world.plan = written;
        world.after(DWELL.multipliedBy(2));
        assertThat(world.decide().state()).isEqualTo(State.PAUSED);
        assertThat(world.writes).isEmpty();

        // a person raised the revision and kept the notes: the plan is theirs, so nothing is paused
        AutopilotMemory theirs = Autopilot.recovered(ours.replace("revision: 3", "revision: 4"));
        assertThat(theirs.written()).isNull();
        assertThat(theirs.pausedBecause()).isNull();
        assertThat(Autopilot.recovered("revision: 1\n").written()).isNull();
    }

    @Test
    void theGentlestStepIsTheAdmissionMovingFewestKeysThenTheWithdrawal() {
        Map<String, Double> admits = new HashMap<>();
        world.snapshot().nextSteps().steps().stream().filter(step -> step.action().equals("admit"))
                .forEach(step -> admits.put(step.host(), step.keysMoved().fractions().get(SCHEME)));
        assertThat(admits).hasSize(2);
        String fewest = admits.entrySet().stream().min(Map.Entry.comparingByValue()).orElseThrow().getKey();
        assertThat(world.snapshot().gentlestNextStep()).get().extracting(NextStep::host).isEqualTo(fewest);
        world.plan = new MigrationPlan(2, true, Set.of(), Set.of());
        assertThat(world.snapshot().gentlestNextStep()).get().extracting(NextStep::action).isEqualTo("withdraw");
        assertThat(world.snapshot().gentlestNextStep()).get().extracting(NextStep::host).isEqualTo(gentlest("withdraw"));
    }
}
