package io.memgrate.merge;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
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
import io.memgrate.cluster.Node;
import io.memgrate.cluster.Side;
import io.memgrate.cluster.Topology;
import io.memgrate.plan.MigrationPlan;
import io.memgrate.plan.PlanRefusedException;
import io.memgrate.settings.MemgrateSettings;

/**
 * The merge engine: every upstream's last known good topology and the merge of them that clients are served.
 * Nothing is served until every configured upstream has answered once (a partial merge would move keys for every
 * client); after that an upstream that fails keeps its last known good nodes in the merge. The served version never
 * goes down and is never reused for another node list: clients ignore a version they already hold.
 */
@ApplicationScoped
public class MergeEngine {

    private static final Logger LOG = Logger.getLogger(MergeEngine.class);

    private final EnumMap<Side, UpstreamState> upstreams = new EnumMap<>(Side.class);
    private final long versionOffset;
    private final Clock clock;
    /** Only ever replaced by a higher version, so it is the highest version served and the node list served at it. */
    private volatile ServedTopology served;
    /** Each upstream's configuration merged into the served one, to name the one that went down since. */
    private Map<Side, Topology> servedFrom = Map.of();
    /** Why the last merge failed, so each such state is logged once. */
    private String lastMergeFailure;
    /** The last merge not served because its version does not rise, so each such state is logged once. */
    private Topology lastNotServed;
    private HeldMerge held;
    /** When each served node was first served, in the run of serving it now. */
    private Map<HostAndPort, Instant> servedSince = Map.of();
    /** When the served node list last changed; null before it ever did. */
    private Instant lastStep;
    private volatile String engineVersion;
    /** The migration plan applied; null while none was given, which serves the union of both clusters. */
    private MigrationPlan plan;
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
        upstreams.put(side, UpstreamState.waiting(side, endpoint));
    }

    /** Records where an upstream is polled now (it can change when its cluster is found again). */
    public synchronized void movedTo(Side side, String endpoint) {
        upstreams.computeIfPresent(side, (s, state) -> state.at(endpoint));
    }

    /** Records a valid answer from an upstream and re-merges when the served configuration changes. */
    public synchronized void answered(Side side, Topology topology, String engine) {
        UpstreamState previous = upstreams.get(side);
        if (previous == null) {
            throw new IllegalStateException(side.label() + " upstream is not configured");
        }
        upstreams.put(side, previous.answered(topology, engine, clock.instant()));
        remerge();
        offerNextSteps();
    }

    /** Records a failed poll; the upstream's last known good configuration stays in the merge. */
    public synchronized void failed(Side side, String error) {
        upstreams.computeIfPresent(side, (s, state) -> state.failed(error, clock.instant()));
    }

    private void remerge() {
        UpstreamState primary = upstreams.get(Side.PRIMARY);
        UpstreamState secondary = upstreams.get(Side.SECONDARY);
        String engine = primary != null && primary.engineVersion() != null ? primary.engineVersion()
                : secondary != null ? secondary.engineVersion() : null;
        if (engine != null) {
            engineVersion = engine;
        }
        if (upstreams.values().stream().anyMatch(state -> !state.hasAnswered())) {
            return;
        }
        Topology merged;
        try {
            merged = merge(plan);
        } catch (ServedVersion.OverflowException | TopologyMerger.NothingToServeException e) {
            if (!e.getMessage().equals(lastMergeFailure)) {
                LOG.errorf("Keeping the served configuration: %s", e.getMessage());
                lastMergeFailure = e.getMessage();
            }
            return;
        }
        lastMergeFailure = null;
        ServedTopology current = served;
        if (current == null || merged.version() > current.topology().version()) {
            serve(merged, current);
        } else {
            keepServing(current.topology(), merged);
        }
    }

    /**
     * A plan applied before the upstreams first answered could not be checked against them: say once which of its
     * hosts they do not list (a typo there would admit or withdraw nothing).
     */
    private void warnOfUnknownHosts() {
        if (plan == null) {
            return;
        }
        UpstreamState secondary = upstreams.get(Side.SECONDARY);
        List<String> unknown = plan.unknownHosts(upstreams.get(Side.PRIMARY).lastGood(),
                secondary == null ? null : secondary.lastGood());
        if (!unknown.isEmpty()) {
            LOG.warnf("Migration plan revision %d names %s, which no upstream lists: they admit or withdraw nothing. Name"
                    + " hosts as config get cluster lists them, in a plan with a higher revision.", plan.revision(),
                    String.join(", ", unknown));
        }
    }

    private Topology merge(MigrationPlan under) {
        UpstreamState secondary = upstreams.get(Side.SECONDARY);
        return TopologyMerger.merge(upstreams.get(Side.PRIMARY).lastGood(), secondary == null ? null : secondary.lastGood(),
                under == null ? MigrationPlan.UNION : under, versionOffset);
    }

    /**
     * Serves under {@code next} from now on, or refuses it as a whole, keeping the plan applied before: a revision
     * that does not rise, or, once every upstream has answered, a host no upstream lists, no node left to serve, or a
     * version out of range.
     *
     * @throws PlanRefusedException saying why
     */
    public synchronized void applyPlan(MigrationPlan next) {
        if (next.equals(plan)) {
            return;
        }
        if (plan != null && next.revision() <= plan.revision()) {
            throw new PlanRefusedException("revision", "revision " + next.revision() + " does not rise above "
                    + plan.revision() + ", the revision applied now: raise it with every change of the plan");
        }
        if (upstreams.values().stream().allMatch(UpstreamState::hasAnswered)) {
            UpstreamState secondary = upstreams.get(Side.SECONDARY);
            List<String> unknown = next.unknownHosts(upstreams.get(Side.PRIMARY).lastGood(),
                    secondary == null ? null : secondary.lastGood());
            if (!unknown.isEmpty()) {
                throw new PlanRefusedException("unknown-host", "no upstream lists " + String.join(", ", unknown)
                        + ": name hosts as config get cluster lists them");
            }
            try {
                merge(next);
            } catch (TopologyMerger.NothingToServeException e) {
                throw new PlanRefusedException("nothing-served", e.getMessage());
            } catch (ServedVersion.OverflowException e) {
                throw new PlanRefusedException("version", e.getMessage());
            }
        }
        LOG.infof("Applying migration plan revision %d: admit %s, withdraw %s", next.revision(),
                next.admitAll() ? "all" : next.admit(), next.withdraw());
        plan = next;
        remerge();
        offerNextSteps();
    }

    /** Has the next steps worked out again when what they depend on changed: cheap here, they run on their own thread. */
    private void offerNextSteps() {
        ServedTopology current = served;
        if (current == null) {
            return;
        }
        UpstreamState secondary = upstreams.get(Side.SECONDARY);
        nextSteps.offer(new NextStepsWorker.Inputs(current.topology(), plan, upstreams.get(Side.PRIMARY).lastGood(),
                secondary == null ? null : secondary.lastGood()));
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

    private void serve(Topology merged, ServedTopology current) {
        if (held != null) {
            LOG.infof("Hold ended: the merged version %d is higher than version %d served so far, so clients take it",
                    merged.version(), current.topology().version());
            held = null;
        }
        lastNotServed = null;
        if (current == null) {
            LOG.infof("Serving configuration version %d with %d nodes: %s", merged.version(), merged.nodes().size(),
                    merged.nodes());
            warnOfUnknownHosts();
        } else {
            Topology before = current.topology();
            announcer.execute(() -> announceChange(before, merged));
        }
        served = ServedTopology.of(merged);
        servedFrom = upstreamTopologies();
        noteServedSince(merged);
    }

    private void noteServedSince(Topology merged) {
        Instant now = clock.instant();
        Map<HostAndPort, Instant> since = new HashMap<>();
        merged.nodes().forEach(node -> since.put(node.hostAndPort(), servedSince.getOrDefault(node.hostAndPort(), now)));
        if (!servedSince.isEmpty() && !since.keySet().equals(servedSince.keySet())) {
            lastStep = now;
        }
        servedSince = Map.copyOf(since);
    }

    /**
     * A merge whose version does not rise above the served one is never served: clients holding the served version
     * would ignore it, and a client holding none would get that version with another node list.
     */
    private void keepServing(Topology servedConfig, Topology merged) {
        if (merged.equals(lastNotServed)) {
            return;
        }
        boolean sameNodes = merged.nodes().equals(servedConfig.nodes());
        if (sameNodes && held != null) {
            LOG.infof("Hold ended: the upstreams list the served nodes again; still serving version %d",
                    servedConfig.version());
            held = null;
        }
        if (merged.equals(servedConfig)) {
            lastNotServed = null;
            return;
        }
        lastNotServed = merged;
        String cause = upstreamChangesWithoutRise();
        String fix = fix(merged, servedConfig.version());
        if (sameNodes) {
            LOG.warnf("Still serving version %d unchanged: %s, so the merged version fell to %d. The node list is the same, "
                    + "so clients miss nothing now, but a node list change will be held back until the merged version "
                    + "exceeds %d. %s", servedConfig.version(), cause, merged.version(), servedConfig.version(), fix);
            return;
        }
        String reason = String.format("%s, so the merged version %d is not higher than version %d already served, "
                + "which clients holding it would ignore. %s", cause, merged.version(), servedConfig.version(), fix);
        held = new HeldMerge(merged, reason);
        LOG.errorf("Holding back a new node list (nodes added %s, removed %s); still serving version %d unchanged: %s",
                difference(merged.nodes(), servedConfig.nodes()), difference(servedConfig.nodes(), merged.nodes()),
                servedConfig.version(), reason);
    }

    private Map<Side, Topology> upstreamTopologies() {
        Map<Side, Topology> topologies = new EnumMap<>(Side.class);
        upstreams.forEach((side, state) -> topologies.put(side, state.lastGood()));
        return topologies;
    }

    /**
     * Names each upstream whose version went down, or whose nodes changed without its version rising, since the served
     * configuration was merged. A merge that is not served has at least one (its version is not higher).
     */
    private String upstreamChangesWithoutRise() {
        List<String> changes = new ArrayList<>();
        upstreams.forEach((side, state) -> {
            Topology then = servedFrom.get(side);
            Topology now = state.lastGood();
            if (now.version() < then.version()) {
                changes.add(String.format("%s upstream %s went down from version %d to %d", side.label(), state.endpoint(),
                        then.version(), now.version()));
            } else if (now.version() == then.version() && !now.nodes().equals(then.nodes())) {
                changes.add(String.format("%s upstream %s lists other nodes at the same version %d", side.label(),
                        state.endpoint(), now.version()));
            }
        });
        return String.join(" and ", changes) + " (was the cluster replaced?)";
    }

    /** The operator's fix: the offset that makes this merge's version exceed the served one, on every replica. */
    private String fix(Topology merged, long servedVersion) {
        long versionClientsTake = servedVersion + 1;
        if (versionClientsTake > Topology.MAX_VERSION) {
            return "No memgrate.version-offset can fix this, as clients accept no version above " + Topology.MAX_VERSION
                    + ". Fix: lower memgrate.version-offset on every Memgrate replica, restart them, then restart every "
                    + "client so it forgets the version it holds.";
        }
        return "Fix: raise memgrate.version-offset to at least "
                + ServedVersion.offsetReaching(versionClientsTake, merged.version(), versionOffset)
                + " on every Memgrate replica, then restart them one by one.";
    }

    private void announceChange(Topology before, Topology after) {
        KeysMoved moved = KeysMoved.between(before.nodes(), after.nodes());
        lastChange = new ServedChange(before.version(), after.version(), moved);
        LOG.infof("Served configuration changed: version %d -> %d, nodes added %s, removed %s; keys moved: %s",
                before.version(), after.version(), difference(after.nodes(), before.nodes()),
                difference(before.nodes(), after.nodes()), moved.summary());
    }

    /** The nodes of {@code nodes} that are not in {@code without}. */
    private static List<Node> difference(List<Node> nodes, List<Node> without) {
        List<Node> remaining = new ArrayList<>(nodes);
        remaining.removeAll(without);
        return remaining;
    }

    /** The topology to serve, empty until every configured upstream has answered once. */
    public Optional<ServedTopology> served() {
        return Optional.ofNullable(served);
    }

    /** The primary's engine version, or the secondary's while the primary's is unknown. */
    public Optional<String> engineVersion() {
        return Optional.ofNullable(engineVersion);
    }

    /** Upstreams that have not answered yet, by label. */
    public synchronized List<String> waitingFor() {
        return upstreams.values().stream().filter(state -> !state.hasAnswered()).map(state -> state.side().label()).toList();
    }

    /** Everything the view knows, taken at one instant: what is served, what is held, and each upstream's state. */
    public synchronized Snapshot snapshot() {
        ServedTopology current = served;
        HeldMerge heldNow = held;
        return new Snapshot(current == null ? null : current.topology(), heldNow, engineVersion,
                List.copyOf(upstreams.values()), plan, lastChange, nextSteps.report(), servedSince, lastStep);
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
