package io.memgrate.merge;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.memgrate.cluster.HostAndPort;
import io.memgrate.cluster.Side;
import io.memgrate.cluster.Topology;
import io.memgrate.plan.MigrationPlan;
import io.memgrate.plan.PlanRefusedException;
import io.memgrate.settings.MemgrateSettings;

/**
 * The merge engine: holds every upstream's last known good topology and the merge of them that clients are served.
 * What to serve and what to hold is {@link MergePolicy}'s decision; this class keeps the state it decides from, asks it
 * under one lock, publishes the result and does what the decision lists: log, announce a change, offer the next steps.
 */
@ApplicationScoped
public class MergeEngine {

    private static final Logger LOG = Logger.getLogger(MergeEngine.class);

    private final MergePolicy policy;
    private final long versionOffset;
    private final Clock clock;
    /** What the policy decides from; replaced whole under the lock, read without it. */
    private volatile MergeState state = MergeState.EMPTY;
    /** The served topology with its reply bytes, built once per served version. */
    private volatile ServedTopology served;
    /** The keys the last change of the served list moved; null before the first change is worked out. */
    private volatile ServedChange lastChange;
    /**
     * Works out and logs what a change moved: a hash ring per scheme, kept off the event loop that reports answers, and
     * one change at a time, so the lines keep their order.
     */
    private final Executor announcer;
    private final Executor nextStepsExecutor;
    private final NextStepsWorker nextSteps;

    @Inject
    public MergeEngine(MemgrateSettings settings) {
        this(settings.versionOffset(), Clock.systemUTC(), singleThread("memgrate-announcer"),
                singleThread("memgrate-next-steps"));
    }

    /**
     * @param announcer         runs the work-out and log line of each change, in order; tests pass one that runs at once
     * @param nextStepsExecutor works out the next steps after each change, one at a time
     */
    MergeEngine(long versionOffset, Clock clock, Executor announcer, Executor nextStepsExecutor) {
        this.policy = new MergePolicy(versionOffset);
        this.versionOffset = versionOffset;
        this.clock = clock;
        this.announcer = announcer;
        this.nextStepsExecutor = nextStepsExecutor;
        this.nextSteps = new NextStepsWorker(nextStepsExecutor, versionOffset);
    }

    private static ExecutorService singleThread(String name) {
        return Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Lets the view's threads end with the application (tests restart it many times in one JVM). */
    @PreDestroy
    void stopThreads() {
        for (Executor executor : List.of(announcer, nextStepsExecutor)) {
            if (executor instanceof ExecutorService service) {
                service.shutdown();
            }
        }
    }

    /** The offset added to every merged version. */
    public long versionOffset() {
        return versionOffset;
    }

    /** Declares a configured upstream; the view stays incomplete until each declared one has answered. */
    public synchronized void expect(Side side, String endpoint) {
        state = state.withUpstream(side, UpstreamState.waiting(side, endpoint));
    }

    /** Records where an upstream is polled now (it can change when its cluster is found again). */
    public synchronized void movedTo(Side side, String endpoint) {
        UpstreamState upstream = state.upstream(side);
        if (upstream != null) {
            state = state.withUpstream(side, upstream.at(endpoint));
        }
    }

    /** Records a valid answer from an upstream and re-merges when the served configuration changes. */
    public synchronized void answered(Side side, Topology topology, String engine) {
        carryOut(policy.answered(state, side, topology, engine, clock.instant()));
    }

    /** Records a failed poll; the upstream's last known good configuration stays in the merge. */
    public synchronized void failed(Side side, String error) {
        carryOut(policy.failed(state, side, error, clock.instant()));
    }

    /**
     * Serves under {@code next} from now on, or refuses it as a whole, keeping the plan applied before: a revision
     * that does not rise, or, once every upstream has answered, a host no upstream lists, no node left to serve, or a
     * version out of range.
     *
     * @throws PlanRefusedException saying why
     */
    public synchronized void applyPlan(MigrationPlan next) {
        MergePolicy.Decision decision = policy.applyPlan(state, next, clock.instant());
        if (decision.refusal() != null) {
            throw new PlanRefusedException(decision.refusal().reason(), decision.refusal().message());
        }
        carryOut(decision);
    }

    /** Publishes the decided state, then does what the decision lists, in order; called under the lock. */
    private void carryOut(MergePolicy.Decision decision) {
        state = decision.state();
        if (decision.serve() != null) {
            served = ServedTopology.of(decision.serve());
        }
        for (MergePolicy.LogLine line : decision.logs()) {
            // the text is complete: as a parameter, nothing in it is read as a format
            LOG.logf(line.level(), "%s", line.text());
        }
        Topology before = decision.changedFrom();
        if (before != null) {
            Topology after = decision.serve();
            announcer.execute(() -> announceChange(before, after));
        }
        if (decision.nextSteps() != null) {
            // cheap here: the next steps are worked out on their own thread
            nextSteps.offer(decision.nextSteps());
        }
    }

    private void announceChange(Topology before, Topology after) {
        KeysMoved moved = KeysMoved.between(before.nodes(), after.nodes());
        lastChange = new ServedChange(before.version(), after.version(), moved);
        LOG.infof("%s", MergePolicy.changeLine(before, after, moved));
    }

    /** The next steps worked out last and what for: read, never worked out on the caller's thread. */
    public NextStepsReport nextSteps() {
        return nextSteps.report();
    }

    /** Times the next steps were worked out, for a metric. */
    public long nextStepsComputations() {
        return nextSteps.computations();
    }

    /** How long the next steps took to work out last, in seconds, for a metric. */
    public double nextStepsLastSeconds() {
        return nextSteps.lastSeconds();
    }

    /** The topology to serve, empty until every configured upstream has answered once. */
    public Optional<ServedTopology> served() {
        return Optional.ofNullable(served);
    }

    /** The primary's engine version, or the secondary's while the primary's is unknown. */
    public Optional<String> engineVersion() {
        return Optional.ofNullable(state.engineVersion());
    }

    /** Upstreams that have not answered yet, by label. */
    public List<String> waitingFor() {
        return state.upstreams().values().stream().filter(upstream -> !upstream.hasAnswered())
                .map(upstream -> upstream.side().label()).toList();
    }

    /**
     * Everything the view knows, taken at one instant: what is served, what is held, and each upstream's state. Under
     * the lock, so the next steps' report is for the state it comes with.
     */
    public synchronized Snapshot snapshot() {
        MergeState now = state;
        return new Snapshot(now.served(), now.held(), now.engineVersion(), List.copyOf(now.upstreams().values()),
                now.plan(), lastChange, nextSteps.report(), now.servedSince(), now.lastStep());
    }

    /**
     * @param served        the served topology, null until every configured upstream has answered once
     * @param held          a merge with a new node list held back because its version does not rise, or null
     * @param engineVersion the primary's engine version, or the secondary's; null until one answered
     * @param upstreams     each configured upstream, primary first
     * @param plan          the migration plan applied, null while none was given (the union is served)
     * @param lastChange    the keys the last change of the served list moved, null before the first change
     * @param nextSteps     the next steps worked out last, and whether they are for this state
     * @param servedSince   when each served node was first served, in the run of serving it now
     * @param lastStep      when the served node list last changed, null before it ever did
     */
    public record Snapshot(Topology served, HeldMerge held, String engineVersion, List<UpstreamState> upstreams,
            MigrationPlan plan, ServedChange lastChange, NextStepsReport nextSteps, Map<HostAndPort, Instant> servedSince,
            Instant lastStep) {
    }
}
