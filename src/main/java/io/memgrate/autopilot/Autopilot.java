package io.memgrate.autopilot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.memgrate.control.PlanFileReader;
import io.memgrate.control.PlanWatcher;
import io.memgrate.metrics.MemgrateMetrics;
import io.memgrate.movement.HashScheme;
import io.memgrate.plan.MigrationPlan;
import io.memgrate.plan.PlanFile;
import io.memgrate.plan.PlanRefusedException;
import io.memgrate.settings.DailyWindow;
import io.memgrate.settings.MemgrateSettings;
import io.memgrate.status.AutopilotBoard;
import io.memgrate.status.MemgrateStatus;
import io.memgrate.status.StatusSnapshot;

/**
 * Takes the migration's steps by writing the next plan revision into the plan file, as a person would: on a thread of
 * its own, it decides ({@link AutopilotDecision}) from the status snapshot every tick, writes the plan atomically when
 * it decided to (a file in the same folder, renamed over the plan), and publishes what it decided. Memgrate applies
 * what it writes only through the plan watcher, as any edit.
 */
@ApplicationScoped
public class Autopilot {

    private static final Logger LOG = Logger.getLogger(Autopilot.class);
    /** Decisions are cheap; at least this often, so a short dwell in tests is met closely. */
    private static final Duration LONGEST_TICK = Duration.ofSeconds(1);

    private final MemgrateStatus status;
    private final AutopilotBoard board;
    private final PlanWatcher planWatcher;
    private final PlanFileReader reader;
    private final MemgrateMetrics metrics;
    private final MemgrateSettings settings;
    private final Duration tick;
    /** Read from the settings at start, once they passed their checks. */
    private AutopilotRules rules;
    private ScheduledExecutorService thread;
    /** Touched by the autopilot's thread only, after {@link #start()}. */
    private AutopilotMemory memory;

    @Inject
    public Autopilot(MemgrateStatus status, AutopilotBoard board, PlanWatcher planWatcher, PlanFileReader reader,
            MemgrateMetrics metrics, MemgrateSettings settings) {
        this.status = status;
        this.board = board;
        this.planWatcher = planWatcher;
        this.reader = reader;
        this.metrics = metrics;
        this.settings = settings;
        Duration check = settings.migration().checkInterval();
        this.tick = check.compareTo(LONGEST_TICK) < 0 ? check : LONGEST_TICK;
    }

    /**
     * Starts deciding, when enabled, from the plan in force: what it noted in it when it wrote it. Called after the
     * settings checks passed.
     */
    public void start() {
        MemgrateSettings.Migration migration = settings.migration();
        if (!migration.autopilot().enabled()) {
            return;
        }
        rules = new AutopilotRules(migration.clientHashing().flatMap(HashScheme::byLabel).orElseThrow(),
                migration.autopilot().minDwell(), migration.autopilot().window().map(DailyWindow::parse).orElse(null),
                migration.autopilot().maxWarmup(), migration.warmMargin(), settings.nodes().statsInterval());
        memory = recovered(planWatcher.appliedContent().orElse(""));
        if (memory.paused()) {
            LOG.infof("Autopilot: paused, as the plan in force (revision %d) notes: %s. Write a plan with a higher"
                    + " revision to resume.", memory.written().revision(), memory.pausedBecause());
        }
        thread = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread decider = new Thread(task, "memgrate-autopilot");
            decider.setDaemon(true);
            return decider;
        });
        thread.scheduleWithFixedDelay(this::tick, 0, tick.toMillis(), TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    public void stop() {
        if (thread != null) {
            thread.shutdownNow();
        }
    }

    /** The plan the autopilot wrote and whether it paused, when {@code content}'s notes say it wrote that plan. */
    static AutopilotMemory recovered(String content) {
        try {
            MigrationPlan inForce = PlanFile.parse(content);
            boolean ours = PlanNotes.writtenRevision(content).filter(revision -> revision == inForce.revision()).isPresent();
            return AutopilotMemory.recovered(ours ? inForce : null, ours ? PlanNotes.pausedBecause(content).orElse(null) : null);
        } catch (PlanRefusedException e) {
            return AutopilotMemory.recovered(null, null);
        }
    }

    private void tick() {
        try {
            StatusSnapshot now = status.snapshot();
            AutopilotDecision.Decision decision = AutopilotDecision.decide(now, memory, rules);
            if (decision.write() != null && !write(now, decision.write())) {
                return;
            }
            memory = decision.memory();
            decision.log().forEach(LOG::info);
            board.publish(decision.report());
        } catch (RuntimeException e) {
            LOG.errorf(e, "Autopilot: deciding failed unexpectedly; it decides again at the next tick");
        }
    }

    /**
     * Writes the plan over the plan file, unless the file no longer holds the plan in force (a person's edit not applied
     * yet: it wins, and the autopilot decides again once it is). A write that fails pauses the autopilot.
     */
    private boolean write(StatusSnapshot now, AutopilotDecision.PlanWrite write) {
        Path file = planWatcher.file().orElseThrow();
        try {
            if (PlanFile.parse(reader.read(file)).revision() != now.plan().revision()) {
                return false;
            }
        } catch (PlanRefusedException e) {
            return false;
        }
        Path temporary = null;
        try {
            // a plan reached through a symlink is replaced where it lives, and the link left as it is
            Path plan = file.toRealPath();
            temporary = Files.createTempFile(plan.getParent(), ".memgrate-autopilot-", ".yaml");
            Files.writeString(temporary, PlanNotes.render(write.plan(), write.notes()), StandardCharsets.UTF_8);
            keepPermissions(plan, temporary);
            Files.move(temporary, plan, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            metrics.autopilotStep(write.action(), write.outcome());
            return true;
        } catch (IOException e) {
            String reason = "cannot write the plan file " + file + ": " + e;
            LOG.errorf("Autopilot: paused: %s", reason);
            memory = memory.withPause(reason, now.plan().revision());
            deleteQuietly(temporary);
            return false;
        }
    }

    /** A temporary file is made readable by its owner only: the plan keeps the permissions it had. */
    private static void keepPermissions(Path plan, Path temporary) throws IOException {
        if (Files.getFileStore(plan).supportsFileAttributeView(PosixFileAttributeView.class)) {
            Files.setPosixFilePermissions(temporary, Files.getPosixFilePermissions(plan));
        }
    }

    private static void deleteQuietly(Path temporary) {
        if (temporary == null) {
            return;
        }
        try {
            Files.deleteIfExists(temporary);
        } catch (IOException e) {
            LOG.warnf("Autopilot: could not delete %s (%s)", temporary, e.getMessage());
        }
    }
}
