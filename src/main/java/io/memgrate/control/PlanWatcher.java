package io.memgrate.control;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.memgrate.merge.MergedView;
import io.memgrate.metrics.MemgrateMetrics;
import io.memgrate.plan.PlanFile;
import io.memgrate.plan.PlanRefusedException;
import io.memgrate.settings.MemgrateSettings;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.vertx.core.Vertx;

/**
 * Reads the migration plan file at start-up and again whenever its content changes, and applies it to the merged
 * view. The file is read by path every check, so a mounted ConfigMap, which the kubelet updates by swapping a symlink,
 * is followed. A plan that cannot be applied is refused as a whole: the one applied before stays served, and the
 * refusal is logged, counted and shown in the status.
 */
@ApplicationScoped
public class PlanWatcher {

    private static final Logger LOG = Logger.getLogger(PlanWatcher.class);
    /** A plan names a few dozen hosts; anything near this is not a plan. */
    static final int MAX_PLAN_BYTES = 64 * 1024;

    /** The last refusal: what was wrong, and when. */
    public record Refusal(String reason, String message, Instant at) {
    }

    private final Vertx vertx;
    private final MergedView view;
    private final MemgrateMetrics metrics;
    private final Optional<Path> file;
    private final long checkMillis;
    private final Clock clock = Clock.systemUTC();
    /** The content last read, applied or refused: each content is acted on once. */
    private String lastContent;
    private volatile Refusal lastRefusal;
    /** The file could not be read at the last check: each distinct read error is reported once. */
    private boolean readFailing;
    private long timer = -1;

    @Inject
    public PlanWatcher(Vertx vertx, MergedView view, MemgrateMetrics metrics, MemgrateSettings settings) {
        this.vertx = vertx;
        this.view = view;
        this.metrics = metrics;
        this.file = settings.migration().planFile();
        this.checkMillis = Math.max(1, settings.migration().checkInterval().toMillis());
    }

    /** The plan file, when one is configured. */
    public Optional<Path> file() {
        return file;
    }

    public Optional<Refusal> lastRefusal() {
        return Optional.ofNullable(lastRefusal);
    }

    /**
     * Applies the plan file before anything is polled, so the first merge is served under it; a plan that cannot be
     * applied stops start-up, as there is no earlier plan to keep.
     */
    public synchronized void load() {
        if (file.isEmpty()) {
            return;
        }
        try {
            lastContent = read(file.get());
            view.applyPlan(PlanFile.parse(lastContent));
        } catch (PlanRefusedException e) {
            throw new ConfigurationException("memgrate.migration.plan-file=" + file.get() + " is refused: " + e.getMessage());
        }
    }

    /** Checks the file every check interval from now on. */
    public synchronized void start() {
        file.ifPresent(path -> timer = vertx.setPeriodic(checkMillis, id -> vertx.executeBlocking(() -> {
            check(path);
            return null;
        }, false)));
    }

    public synchronized void stop() {
        vertx.cancelTimer(timer);
    }

    /** Reads the file and, when its content changed, applies it or records why not. Runs off the event loop. */
    synchronized void check(Path path) {
        String content;
        try {
            content = read(path);
        } catch (PlanRefusedException e) {
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
        if (content.equals(lastContent)) {
            return;
        }
        lastContent = content;
        try {
            view.applyPlan(PlanFile.parse(content));
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

    private static String read(Path path) {
        try {
            byte[] bytes = Files.readAllBytes(path);
            if (bytes.length > MAX_PLAN_BYTES) {
                throw new PlanRefusedException("too-large", "the file has " + bytes.length + " bytes, more than a plan"
                        + " can hold (" + MAX_PLAN_BYTES + ")");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new PlanRefusedException("unreadable", "cannot read it: " + e);
        }
    }
}
