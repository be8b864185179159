package io.memgrate.autopilot;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.client.KubernetesClient;
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
import io.memgrate.status.AutopilotReport;
import io.memgrate.status.MemgrateStatus;
import io.memgrate.status.StatusSnapshot;

/**
 * Takes the migration's steps by writing the next plan revision where a person would: on a thread of its own, it
 * decides ({@link AutopilotDecision}) from the status snapshot every tick, writes the plan when it decided to (into the
 * plan file, or on Kubernetes its ConfigMap: {@link PlanWriter}), and publishes what it decided. Memgrate applies what
 * it writes only through the plan watcher, as any edit. On Kubernetes one replica decides at a time; the others wait.
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
    /** Asked for the client only on Kubernetes ({@code memgrate.migration.autopilot.configmap}). */
    private final Instance<KubernetesClient> kubernetes;
    private final Duration tick;
    /** Read from the settings at start, once they passed their checks. */
    private AutopilotRules rules;
    private ScheduledExecutorService thread;
    private PlanWriter writer;
    /** Whether this replica decided at the last tick; always, outside Kubernetes. Touched by the autopilot's thread only. */
    private boolean deciding;
    /** Touched by the autopilot's thread only, after {@link #start()}. */
    private AutopilotMemory memory;

    @Inject
    public Autopilot(MemgrateStatus status, AutopilotBoard board, PlanWatcher planWatcher, PlanFileReader reader,
            MemgrateMetrics metrics, MemgrateSettings settings, Instance<KubernetesClient> kubernetes) {
        this.status = status;
        this.board = board;
        this.planWatcher = planWatcher;
        this.reader = reader;
        this.metrics = metrics;
        this.settings = settings;
        this.kubernetes = kubernetes;
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
        writer = migration.autopilot().configmap().<PlanWriter>map(this::configMapWriter)
                .orElseGet(() -> new PlanFileWriter(planWatcher.file().orElseThrow(), reader));
        memory = recovered(planWatcher.appliedContent().orElse(""));
        LOG.infof("Autopilot: on; it writes each step into %s", writer.where());
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
            try {
                thread.awaitTermination(LONGEST_TICK.toMillis() * 2, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (writer instanceof ConfigMapPlanWriter configMap) {
            configMap.stop();
        }
    }

    /**
     * The writer on Kubernetes; the Kubernetes client is built here, the first time, so without the setting no cluster
     * is contacted. The namespace is the client's: the pod's own, from its service account, or as configured.
     */
    private PlanWriter configMapWriter(String configMap) {
        MemgrateSettings.Autopilot autopilot = settings.migration().autopilot();
        KubernetesClient client = kubernetes.get();
        String namespace = client.getNamespace() == null ? "default" : client.getNamespace();
        String identity = autopilot.podName().or(() -> Optional.ofNullable(System.getenv("POD_NAME")))
                .orElseGet(Autopilot::hostName);
        PlanLease lease = new PlanLease(client, namespace, autopilot.lease(), identity, autopilot.leaseDuration(),
                Clock.systemUTC());
        String key = planWatcher.file().orElseThrow().getFileName().toString();
        return new ConfigMapPlanWriter(client, namespace, configMap, key, lease,
                new ReplicaRevisions(client, namespace, identity, autopilot.podSelector()), identity, Clock.systemUTC());
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "memgrate-" + ProcessHandle.current().pid();
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
            if (now.plan() != null) {
                writer.serving(now.plan().revision());
            }
            Optional<String> elsewhere = writer.decidedElsewhere();
            if (elsewhere.isPresent()) {
                deciding = false;
                board.publish(new AutopilotReport(AutopilotReport.State.WAITING, List.of(elsewhere.get()), null, null,
                        null, List.of(), Map.of()));
                return;
            }
            if (!deciding) {
                // its turn begins as a restart would: from what the plan in force notes
                memory = recovered(planWatcher.appliedContent().orElse(""));
                deciding = true;
            }
            Optional<String> behind = now.plan() == null || memory.paused() ? Optional.empty()
                    : writer.replicasBehind(now.plan().revision());
            if (behind.isPresent()) {
                // not decided on until every ready replica serves the plan in force: the dwell starts from then
                board.publish(new AutopilotReport(AutopilotReport.State.WAITING, List.of(behind.get()), null, null, null,
                        memory.history(), writer.replicas()));
                return;
            }
            AutopilotDecision.Decision decision = AutopilotDecision.decide(now, memory, rules);
            if (decision.write() != null && !write(now, decision.write())) {
                return;
            }
            memory = decision.memory();
            decision.log().forEach(LOG::info);
            if (decision.notice() != null) {
                writer.announce(decision.notice());
            }
            board.publish(decision.report().withReplicas(writer.replicas()));
        } catch (RuntimeException e) {
            LOG.errorf(e, "Autopilot: deciding failed unexpectedly; it decides again at the next tick");
        }
    }

    /**
     * Writes the plan, unless the plan there is no longer the plan in force (a person's edit not applied yet: it wins,
     * and the autopilot decides again once it is). A write that cannot succeed without a person pauses the autopilot.
     */
    private boolean write(StatusSnapshot now, AutopilotDecision.PlanWrite write) {
        try {
            if (!writer.write(now.plan().revision(), PlanNotes.render(write.plan(), write.notes()))) {
                return false;
            }
            metrics.autopilotStep(write.action(), write.outcome());
            return true;
        } catch (IOException e) {
            String reason = e.getMessage();
            LOG.errorf("Autopilot: paused: %s", reason);
            memory = memory.withPause(reason, now.plan().revision());
            writer.announce(new AutopilotDecision.Notice("AutopilotPaused", true, "paused: " + reason));
            return false;
        }
    }
}
