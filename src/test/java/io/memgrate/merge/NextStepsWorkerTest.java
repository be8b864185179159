package io.memgrate.merge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.memgrate.cluster.Node;
import io.memgrate.cluster.Side;
import io.memgrate.cluster.Topology;
import io.memgrate.plan.MigrationPlan;

/**
 * The next steps are worked out on their own thread after each change, never by a reader: with that thread held busy,
 * readers get the last result at once, marked as not current, and work nothing out themselves; the changes made
 * meanwhile make exactly one more computation, for the latest state.
 */
class NextStepsWorkerTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int READERS = 8;
    private static final Node OLD1 = new Node("old-1.example", "10.0.0.1", 11211);
    private static final Node OLD2 = new Node("old-2.example", "10.0.0.2", 11211);
    private static final Node NEW1 = new Node("new-1.example", "10.1.0.1", 11211);
    private static final Node NEW2 = new Node("new-2.example", "10.1.0.2", 11211);

    private final ExecutorService nextStepsThread = Executors.newSingleThreadExecutor();
    private MergeEngine view;

    @BeforeEach
    void servingTheOldCluster() {
        view = new MergeEngine(0, Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC), Runnable::run,
                nextStepsThread);
        view.expect(Side.PRIMARY, "old.cfg:11211");
        view.expect(Side.SECONDARY, "new.cfg:11211");
        view.applyPlan(plan(1, Set.of(), Set.of())); // before the first answers: one state to work out, not two
        view.answered(Side.PRIMARY, new Topology(7, List.of(OLD1, OLD2)), "1.6.22");
        view.answered(Side.SECONDARY, new Topology(3, List.of(NEW1, NEW2)), "1.6.22");
    }

    @AfterEach
    void stopThread() {
        nextStepsThread.shutdownNow();
    }

    @Test
    void aChangeIsWorkedOutWithoutAnyReader() {
        await().atMost(WAIT).until(() -> view.nextStepsComputations() == 1);

        NextStepsReport report = view.nextSteps();
        assertThat(report.current()).isTrue();
        assertThat(report.servedVersion()).isEqualTo(11);
        assertThat(report.planRevision()).isEqualTo(1);
        assertThat(report.steps()).extracting(step -> step.action() + " " + step.host()).containsExactly(
                "admit new-1.example", "admit new-2.example", "withdraw old-1.example", "withdraw old-2.example");
        assertThat(view.snapshot().nextSteps()).isEqualTo(report);
    }

    @Test
    void readersNeverWorkThemOutAndChangesMeanwhileMakeOneMoreComputationForTheLatest() throws Exception {
        await().atMost(WAIT).until(() -> view.nextStepsComputations() == 1);
        CountDownLatch release = new CountDownLatch(1);
        Future<?> busy = nextStepsThread.submit(() -> release.await(WAIT.toSeconds(), TimeUnit.SECONDS));

        view.applyPlan(plan(2, Set.of("new-1.example"), Set.of()));
        List<NextStepsReport> read = readConcurrently();

        assertThat(read).hasSize(READERS * 100).allSatisfy(report -> {
            assertThat(report.current()).as("read while the worker is busy").isFalse();
            assertThat(report.servedVersion()).as("the last result, for the state before the change").isEqualTo(11);
        });
        assertThat(view.nextStepsComputations()).as("computations by %d readers", READERS).isEqualTo(1);

        view.applyPlan(plan(3, Set.of("new-1.example", "new-2.example"), Set.of()));
        view.applyPlan(plan(4, Set.of("new-1.example", "new-2.example"), Set.of("old-1.example")));
        release.countDown();
        busy.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        nextStepsThread.submit(() -> { }).get(WAIT.toSeconds(), TimeUnit.SECONDS); // everything queued before it has run

        assertThat(view.nextStepsComputations()).as("one more computation for three changes").isEqualTo(2);
        NextStepsReport report = view.nextSteps();
        assertThat(report.current()).isTrue();
        assertThat(report.servedVersion()).isEqualTo(7 + 3 + 4);
        assertThat(report.planRevision()).isEqualTo(4);
        assertThat(report.steps()).extracting(step -> step.action() + " " + step.host())
                .containsExactly("withdraw old-2.example");
    }

    @Test
    void anAnswerThatChangesNothingWorksNothingOut() throws Exception {
        await().atMost(WAIT).until(() -> view.nextStepsComputations() == 1);

        view.answered(Side.PRIMARY, new Topology(7, List.of(OLD1, OLD2)), "1.6.22");
        view.answered(Side.SECONDARY, new Topology(3, List.of(NEW1, NEW2)), "1.6.22");
        nextStepsThread.submit(() -> { }).get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(view.nextStepsComputations()).isEqualTo(1);
        assertThat(view.nextSteps().current()).isTrue();
    }

    /** Every reader reads the next steps, directly and through a snapshot, 50 times each, all at once. */
    private List<NextStepsReport> readConcurrently() throws Exception {
        ExecutorService readers = Executors.newFixedThreadPool(READERS);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<NextStepsReport>>> reads = new ArrayList<>();
            for (int r = 0; r < READERS; r++) {
                reads.add(readers.submit(() -> {
                    start.await();
                    List<NextStepsReport> reports = new ArrayList<>();
                    for (int i = 0; i < 50; i++) {
                        reports.add(view.nextSteps());
                        reports.add(view.snapshot().nextSteps());
                    }
                    return reports;
                }));
            }
            start.countDown();
            List<NextStepsReport> all = new ArrayList<>();
            for (Future<List<NextStepsReport>> read : reads) {
                all.addAll(read.get(WAIT.toSeconds(), TimeUnit.SECONDS));
            }
            return all;
        } finally {
            readers.shutdownNow();
        }
    }

    private static MigrationPlan plan(long revision, Set<String> admit, Set<String> withdraw) {
        return new MigrationPlan(revision, false, admit, withdraw);
    }
}
