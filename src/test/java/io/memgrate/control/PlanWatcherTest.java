package io.memgrate.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.io.RandomAccessFile;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.memgrate.cluster.Node;
import io.memgrate.cluster.Side;
import io.memgrate.cluster.Topology;
import io.memgrate.control.PlanWatcher.Refusal;
import io.memgrate.merge.MergeEngine;
import io.memgrate.metrics.MemgrateMetrics;
import io.memgrate.plan.MigrationPlan;
import io.memgrate.support.TestSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.vertx.core.Vertx;

/** The plan file followed live, as a mounted ConfigMap is updated: in place, and by the kubelet's symlink swap. */
class PlanWatcherTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Node OLD1 = new Node("old-1.example", "10.0.0.1", 11211);
    private static final Node OLD2 = new Node("old-2.example", "10.0.0.2", 11211);
    private static final Node NEW1 = new Node("new-1.example", "10.1.0.1", 11211);

    @TempDir
    Path directory;

    private final Vertx vertx = Vertx.vertx();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private MergeEngine view;
    private PlanWatcher watcher;

    @BeforeEach
    void bothClustersAnswer() {
        view = new MergeEngine(TestSettings.read());
        view.expect(Side.PRIMARY, "old.cfg:11211");
        view.expect(Side.SECONDARY, "new.cfg:11211");
        view.answered(Side.PRIMARY, new Topology(7, List.of(OLD1, OLD2)), "1.6.22");
        view.answered(Side.SECONDARY, new Topology(3, List.of(NEW1)), "1.6.22");
    }

    @AfterEach
    void stop() {
        if (watcher != null) {
            watcher.stop();
        }
        vertx.close();
    }

    private PlanWatcher watching(Path file) {
        return watching(file, new PlanFileReader());
    }

    private PlanWatcher watching(Path file, PlanFileReader reader) {
        watcher = new PlanWatcher(vertx, view, new MemgrateMetrics(registry), TestSettings.read(
                "memgrate.migration.plan-file", file.toString(), "memgrate.migration.check-interval", "20ms"), reader);
        return watcher;
    }

    /** A plan file with {@code plan}, loaded and checked from now on. */
    private Path watchingStarted(String plan) throws IOException {
        Path file = Files.writeString(directory.resolve("plan.yaml"), plan);
        watching(file).load();
        watcher.start();
        return file;
    }

    private List<Node> servedNodes() {
        return view.served().orElseThrow().topology().nodes();
    }

    private double refusals(String reason) {
        var counter = registry.find("memgrate.plan.refusals").tag("reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void aPlanEditedInPlaceIsAppliedWithoutARestart() throws IOException {
        Path file = Files.writeString(directory.resolve("plan.yaml"), "revision: 1\n");
        watching(file).load();
        assertThat(servedNodes()).containsExactly(OLD1, OLD2);
        watcher.start();

        Files.writeString(file, "revision: 2\nadmit: [new-1.example]\nwithdraw: [old-1.example]\n");

        await().atMost(WAIT).until(() -> servedNodes().equals(List.of(OLD2, NEW1)));
        assertThat(view.served().orElseThrow().topology().version()).isEqualTo(7 + 3 + 2);
        assertThat(watcher.lastRefusal()).isEmpty();
    }

    @Test
    void aConfigMapUpdatedByTheKubeletsSymlinkSwapIsFollowed() throws IOException {
        // the kubelet's layout: plan.yaml -> ..data/plan.yaml, ..data -> ..<timestamp>, swapped by an atomic rename
        Path first = Files.createDirectory(directory.resolve("..2026_11_29_01"));
        Files.writeString(first.resolve("plan.yaml"), "revision: 1\n");
        Files.createSymbolicLink(directory.resolve("..data"), first.getFileName());
        Path file = Files.createSymbolicLink(directory.resolve("plan.yaml"), Path.of("..data", "plan.yaml"));
        watching(file).load();
        watcher.start();

        Path second = Files.createDirectory(directory.resolve("..2026_11_29_02"));
        Files.writeString(second.resolve("plan.yaml"), "revision: 2\nadmit: all\n");
        Path swap = Files.createSymbolicLink(directory.resolve("..data_tmp"), second.getFileName());
        Files.move(swap, directory.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

        await().atMost(WAIT).until(() -> servedNodes().equals(List.of(OLD1, OLD2, NEW1)));
    }

    @Test
    void aBadEditIsRefusedOnceAndThePlanBeforeStaysServed() throws IOException {
        Path file = Files.writeString(directory.resolve("plan.yaml"), "revision: 1\nadmit: [new-1.example]\n");
        watching(file).load();
        watcher.start();

        Files.writeString(file, "revision: 2\nadmit: [new-1.example]\nwithdraw: [old-1.exmaple]\n");

        await().atMost(WAIT).until(() -> watcher.lastRefusal().isPresent());
        assertThat(watcher.lastRefusal().orElseThrow().message()).isEqualTo(
                "no upstream lists old-1.exmaple: name hosts as config get cluster lists them");
        assertThat(servedNodes()).containsExactly(OLD1, OLD2, NEW1);
        // checks go on every 20 ms: the same content is not refused again
        await().during(Duration.ofMillis(200)).atMost(WAIT).until(() -> refusals("unknown-host") == 1.0);

        Files.writeString(file, "revision: 2\nadmit: [new-1.example]\nwithdraw: [old-1.example]\n");

        await().atMost(WAIT).until(() -> servedNodes().equals(List.of(OLD2, NEW1)));
        assertThat(watcher.lastRefusal()).isEmpty();
    }

    @Test
    void aFileThatGoesAwayKeepsThePlanAndIsReportedOnce() throws IOException {
        Path file = watchingStarted("revision: 1\nadmit: all\n");

        Files.delete(file);

        await().atMost(WAIT).until(() -> watcher.lastRefusal().isPresent());
        assertThat(watcher.lastRefusal().orElseThrow().reason()).isEqualTo("unreadable");
        await().during(Duration.ofMillis(200)).atMost(WAIT).until(() -> refusals("unreadable") == 1.0);
        assertThat(servedNodes()).containsExactly(OLD1, OLD2, NEW1);

        Files.writeString(file, "revision: 1\nadmit: all\n");

        await().atMost(WAIT).until(() -> watcher.lastRefusal().isEmpty());
    }

    @Test
    void aPlanRefusedAtStartUpStopsItWithOneLineNamingTheSetting() throws IOException {
        Path file = Files.writeString(directory.resolve("plan.yaml"), "revision: 1\nadmitt: all\n");

        assertThatThrownBy(() -> watching(file).load()).isInstanceOf(ConfigurationException.class)
                .hasMessage("memgrate.migration.plan-file=" + file + " is refused: unknown key 'admitt': a plan has only"
                        + " revision, admit and withdraw");
        assertThatThrownBy(() -> watching(directory.resolve("missing.yaml")).load())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("memgrate.migration.plan-file=" + directory.resolve("missing.yaml")
                        + " is refused: cannot read it: java.nio.file.NoSuchFileException");
    }

    @Test
    void aPlanWrittenInTwoPartsIsAppliedOnlyWhole() throws IOException {
        Path file = Files.writeString(directory.resolve("plan.yaml"), "revision: 1\n");
        watching(file).load();
        String whole = "revision: 221\nadmit: [new-1.example]\nwithdraw: [old-1.example]\n";
        // the first part, as `cat >` or an editor leaves it between two writes, is a valid plan by itself
        Files.writeString(file, whole.substring(0, whole.indexOf("withdraw")));
        watcher.check(file);

        Files.writeString(file, whole);
        watcher.check(file);
        assertThat(view.snapshot().plan().revision()).as("no content is applied before two reads agree").isEqualTo(1);
        watcher.check(file);

        assertThat(servedNodes()).containsExactly(OLD2, NEW1);
        assertThat(watcher.lastRefusal()).isEmpty();
        assertThat(refusals("revision")).isZero();
    }

    @Test
    void aFifoInPlaceOfThePlanIsRefusedWithoutOpeningIt() throws Exception {
        Path file = watchingStarted("revision: 1\nadmit: all\n");

        Files.delete(file);
        assertThat(new ProcessBuilder("mkfifo", file.toString()).inheritIO().start().waitFor()).isZero();

        // the path is missing for a moment in between: wait for the FIFO's refusal
        await().atMost(WAIT).until(() -> watcher.lastRefusal().map(Refusal::reason).orElse("").equals("not-a-file"));
        assertThat(watcher.lastRefusal().orElseThrow().message()).startsWith("it is a FIFO, socket or device, not a"
                + " regular file");
        assertThat(servedNodes()).containsExactly(OLD1, OLD2, NEW1);

        Files.delete(file);
        Files.writeString(file, "revision: 2\n");
        await().atMost(WAIT).until(() -> servedNodes().equals(List.of(OLD1, OLD2)));
    }

    @Test
    void aHugeFileOrADeviceIsRefusedBeforeItIsRead() throws IOException {
        Path file = watchingStarted("revision: 1\nadmit: all\n");
        Path huge = directory.resolve("huge.yaml");
        try (RandomAccessFile sparse = new RandomAccessFile(huge.toFile(), "rw")) {
            sparse.setLength(100_000_000);
        }

        Files.delete(file);
        Files.createSymbolicLink(file, huge);

        await().atMost(WAIT).until(() -> watcher.lastRefusal().map(Refusal::reason).orElse("").equals("too-large"));
        assertThat(watcher.lastRefusal().orElseThrow().message()).isEqualTo("the file has 100000000 bytes, more than a"
                + " plan can hold (65536)");

        Files.delete(file);
        Files.createSymbolicLink(file, Path.of("/dev/zero"));

        await().atMost(WAIT).until(() -> watcher.lastRefusal().map(Refusal::reason).orElse("").equals("not-a-file"));
        assertThat(servedNodes()).containsExactly(OLD1, OLD2, NEW1);
    }

    @Test
    void aReadThatHangsIsReportedAndLaterChecksAreSkippedNotQueued() throws Exception {
        Path file = Files.writeString(directory.resolve("plan.yaml"), "revision: 1\nadmit: all\n");
        CountDownLatch mountComesBack = new CountDownLatch(1);
        AtomicInteger reads = new AtomicInteger();
        watching(file, new HangingReader(mountComesBack, reads));
        watcher.start();

        await().atMost(WAIT).until(() -> watcher.readHangingSince().isPresent());
        await().atMost(WAIT).until(() -> skippedChecks() >= 5);
        assertThat(reads).as("checks while one hangs are skipped, never queued").hasValue(1);
        Files.writeString(file, "revision: 2\n");

        mountComesBack.countDown();

        await().atMost(WAIT).until(() -> servedNodes().equals(List.of(OLD1, OLD2)));
        assertThat(watcher.readHangingSince()).isEmpty();
        assertThat(view.snapshot().plan()).isEqualTo(new MigrationPlan(2, false, java.util.Set.of(), java.util.Set.of()));
    }

    private double skippedChecks() {
        var counter = registry.find("memgrate.plan.checks.skipped").counter();
        return counter == null ? 0 : counter.count();
    }

    /** A network mount that hangs: the first read waits until the mount comes back, then reads the file. */
    static final class HangingReader extends PlanFileReader {
        private final CountDownLatch mountComesBack;
        private final AtomicInteger reads;

        HangingReader(CountDownLatch mountComesBack, AtomicInteger reads) {
            this.mountComesBack = mountComesBack;
            this.reads = reads;
        }

        @Override
        public String read(Path path) {
            if (reads.incrementAndGet() == 1) {
                try {
                    mountComesBack.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return super.read(path);
        }
    }
}
