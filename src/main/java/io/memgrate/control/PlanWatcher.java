package io.memgrate.control;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.memgrate.merge.MergeEngine;
import io.memgrate.metrics.MemgrateMetrics;
import io.memgrate.plan.PlanFile;
import io.memgrate.plan.PlanRefusedException;
import io.memgrate.settings.MemgrateSettings;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.vertx.core.Vertx;

/**
 * Reads the migration plan file at start-up and again every check interval, and applies a new content to the merged
 * view once two reads in a row agree, so a file caught half-written is never applied. The file is read by path every
 * check, so a mounted ConfigMap, which the kubelet updates by swapping a symlink, is followed. A plan that cannot be
 * applied is refused as a whole: the one applied before stays served, and the refusal is logged, counted and shown in
 * the status.
 * <p>
 * Reads run one at a time on a thread of their own that nothing else waits for: a read that hangs (a FIFO swapped in, a
 * hung network mount) makes later checks be skipped and counted, never queued, and health, status, metrics and
 * shutdown never depend on the file system.
 */
@ApplicationScoped
public class PlanWatcher {

    private static final Logger LOG = Logger.getLogger(PlanWatcher.class);
    /** A local read of at most 64 KiB takes microseconds: one still running after this hangs. */
    private static final Duration HANGS_AFTER_AT_LEAST = Duration.ofSeconds(1);
    /** Start-up gives up on a plan whose reads do not agree after this many tries, or hang for this long. */
    private static final int START_UP_READS = 10;
    private static final Duration START_UP_READ_TIMEOUT = Duration.ofSeconds(10);

    /** The last refusal: what was wrong, and when. */
    public record Refusal(String reason, String message, Instant at) {
    }

    private final Vertx vertx;
    private final MergeEngine view;
    private final MemgrateMetrics metrics;
    private final Optional<Path> file;
    private final long checkMillis;
    private final Duration hangsAfter;
    private final PlanFileReader reader;
    private final Clock clock = Clock.systemUTC();
    /** Runs the reads, one at a time; a daemon thread, so a read that never returns cannot hold up the JVM's exit. */
    private final ExecutorService readThread = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "memgrate-plan-reader");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicBoolean reading = new AtomicBoolean();
    /** When the read in progress began; null while none is. */
    private volatile Instant readStarted;
    /** A read ran past {@link #hangsAfter}: logged once, and once again when it returns. */
    private final AtomicBoolean hangReported = new AtomicBoolean();
    /** The content the previous read found; a content is acted on once a read finds it again. Read thread only. */
    private String previousRead;
    /** The content last acted on, applied or refused: each content is acted on once. Read thread only. */
    private String lastActedOn;
    private volatile Refusal lastRefusal;
    /** The text of the plan applied last, comments included; null before one is. */
    private volatile String appliedContent;
    /** The file could not be read at the last check: each distinct read error is reported once. */
    private boolean readFailing;
    private long timer = -1;

    @Inject
    public PlanWatcher(Vertx vertx, MergeEngine view, MemgrateMetrics metrics, MemgrateSettings settings,
            PlanFileReader reader) {
        this.vertx = vertx;
        this.view = view;
        this.metrics = metrics;
        this.file = settings.migration().planFile();
        this.checkMillis = Math.max(1, settings.migration().checkInterval().toMillis());
        Duration twoChecks = Duration.ofMillis(2 * checkMillis);
        this.hangsAfter = twoChecks.compareTo(HANGS_AFTER_AT_LEAST) > 0 ? twoChecks : HANGS_AFTER_AT_LEAST;
        this.reader = reader;
    }

    /** The plan file, when one is configured. */
    public Optional<Path> file() {
        return file;
    }

    public Optional<Refusal> lastRefusal() {
        return Optional.ofNullable(lastRefusal);
    }

    /** The text of the plan applied last, comments included (the autopilot's notes are comments); empty before one. */
    public Optional<String> appliedContent() {
        return Optional.ofNullable(appliedContent);
    }

    /** Since when the read in progress has been running, once it runs longer than a read can take; else empty. */
    public Optional<Instant> readHangingSince() {
        Instant started = readStarted;
        return started != null && Duration.between(started, clock.instant()).compareTo(hangsAfter) > 0
                ? Optional.of(started) : Optional.empty();
    }

    /**
     * Applies the plan file before anything is polled, so the first merge is served under it, once two reads in a row
     * agree; a plan that cannot be applied or read stops start-up, as there is no earlier plan to keep.
     */
    public void load() {
        if (file.isEmpty()) {
            return;
        }
        Path path = file.get();
        try {
            String content = readAtStartUp(path);
            long pause = Math.min(checkMillis, 100);
            for (int tries = 1; !content.equals(previousRead); tries++) {
                if (tries == START_UP_READS) {
                    throw new PlanRefusedException("unsettled", "its content changed at each of " + START_UP_READS
                            + " reads " + pause + " ms apart: write the plan whole (to a file in the same folder,"
                            + " then rename it over the plan)");
                }
                previousRead = content;
                TimeUnit.MILLISECONDS.sleep(pause);
                content = readAtStartUp(path);
            }
            lastActedOn = content;
            view.applyPlan(PlanFile.parse(content));
            appliedContent = content;
        } catch (PlanRefusedException e) {
            throw new ConfigurationException("memgrate.migration.plan-file=" + path + " is refused: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConfigurationException("memgrate.migration.plan-file=" + path + ": start-up interrupted");
        }
    }

    private String readAtStartUp(Path path) throws InterruptedException {
        Future<String> read = readThread.submit(() -> reader.read(path));
        try {
            return read.get(START_UP_READ_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof PlanRefusedException refused ? refused
                    : new PlanRefusedException("unreadable", "cannot read it: " + e.getCause());
        } catch (TimeoutException e) {
            throw new PlanRefusedException("hanging", "reading it did not return within "
                    + START_UP_READ_TIMEOUT.toSeconds() + " s (a FIFO, or a network mount that hangs?)");
        }
    }

    /** Checks the file every check interval from now on. */
    public void start() {
        file.ifPresent(path -> timer = vertx.setPeriodic(checkMillis, id -> checkSoon(path)));
    }

    /** Stops checking; a read that hangs is left to its daemon thread. */
    @PreDestroy
    public void stop() {
        vertx.cancelTimer(timer);
        readThread.shutdownNow();
    }

    /** Starts a check on the read thread, unless the last one is still running: then it is skipped and counted. */
    private void checkSoon(Path path) {
        if (!reading.compareAndSet(false, true)) {
            metrics.planCheckSkipped();
            Instant hangingSince = readHangingSince().orElse(null);
            if (hangingSince != null && hangReported.compareAndSet(false, true)) {
                LOG.errorf("Reading the migration plan file %s has not returned since %s (a FIFO, or a network mount"
                        + " that hangs?): later checks are skipped until it does; the plan applied before stays served",
                        path, hangingSince);
            }
            return;
        }
        readStarted = clock.instant();
        try {
            readThread.execute(() -> {
                try {
                    check(path);
                } catch (RuntimeException e) {
                    LOG.errorf(e, "Checking the migration plan file %s failed unexpectedly; the next check goes on", path);
                } finally {
                    readEnded(path);
                }
            });
        } catch (RejectedExecutionException e) {
            // stopping: no more checks
            readStarted = null;
        }
    }

    private void readEnded(Path path) {
        Instant started = readStarted;
        readStarted = null;
        reading.set(false);
        if (hangReported.compareAndSet(true, false)) {
            LOG.infof("Reading the migration plan file %s returned after %d s; checks go on", path,
                    Duration.between(started, clock.instant()).toSeconds());
        }
    }

    /**
     * Reads the file and, when the content is new and the read before found the same, applies it or records why not.
     * Runs on the read thread.
     */
    void check(Path path) {
        String content;
        try {
            content = reader.read(path);
        } catch (PlanRefusedException e) {
            previousRead = null;
            if (!readFailing || !lastRefusal.message().equals(e.getMessage())) {
                readFailing = true;
                refused(e);
            }
            return;
        }
        if (readFailing) {
            readFailing = false;
            lastRefusal = null;
            LOG.infof("The migration plan file %s is readable again", path);
        }
        boolean settled = content.equals(previousRead);
        previousRead = content;
        if (!settled || content.equals(lastActedOn)) {
            return;
        }
        lastActedOn = content;
        try {
            view.applyPlan(PlanFile.parse(content));
            appliedContent = content;
            lastRefusal = null;
        } catch (PlanRefusedException e) {
            refused(e);
        }
    }

    private void refused(PlanRefusedException e) {
        lastRefusal = new Refusal(e.reason(), e.getMessage(), clock.instant());
        metrics.planRefused(e.reason());
        LOG.errorf("Refusing the migration plan in %s: %s. The plan applied before stays served.", file.orElseThrow(),
                e.getMessage());
    }
}
